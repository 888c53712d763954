// The identity and content losses: a face-recognition network's embedding of the rendered crop
// against the photo's, 1 − cosine, and its intermediate feature maps against the photo's (GANFIT's
// content loss); the crop is resampled to the network's input on the device (affine warp), so the
// gradient reaches the render.

enum IdentityTerm {
    /// The network's outputs (embedding [1, D], feature maps) on `image` [S, S, 3] (RGB in [0, 1]),
    /// the whole square resampled bilinearly to the network's input size (unless it has that size).
    static func outputs(_ g: Graph, network: any IdentityNetwork, image: Value) throws -> IdentityOutputs {
        try g.within("identity network") { try networkOutputs(g, network: network, image: image) }
    }

    private static func networkOutputs(_ g: Graph, network: any IdentityNetwork, image: Value) throws
        -> IdentityOutputs
    {
        guard image.shape.count == 3, image.shape[0] == image.shape[1], image.shape[2] == 3 else {
            throw EngineError.shapeMismatch(
                op: "identity term", expected: "a square RGB image [S, S, 3]", got: image.type.description)
        }
        let s = image.shape[0]
        let (h, w) = network.inputSize
        let planar = try g.reshape(g.permute(image, [2, 0, 1]), [1, 3, s, s])
        // At the network's size the warp would copy each pixel (weights 1, 0, 0, 0): skipped.
        if s == h && s == w { return try network.build(g, image: planar) }
        // Output pixel centre o + ½ maps to input centre (o + ½)·s/w; the warp counts centres from 0.
        let (sx, sy) = (Float(s) / Float(w), Float(s) / Float(h))
        let theta = g.constant(HostTensor([1, 2, 3], [sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5]))
        return try network.build(g, image: g.affineWarp(planar, theta: theta, height: h, width: w))
    }

    /// 1 − ⟨embedding, reference⟩ for unit embeddings [1, D]: 1 − cosine.
    static func loss(_ g: Graph, embedding: Value, reference: Value) throws -> Value {
        try g.sub(g.scalar(1), g.sum(g.mul(embedding, reference)))
    }

    /// The content loss: over the feature layers, the mean of |F − R|² / |R|², each render's feature map
    /// F against the photo's R (normalised so that every layer weighs alike whatever its scale).
    static func contentLoss(_ g: Graph, features: [Value], references: [Value]) throws -> Value {
        precondition(features.count == references.count, "one reference per feature layer")
        guard !features.isEmpty else {
            throw EngineError.invalidValue(
                "the content loss needs an identity network with feature layers; set content_weight to 0")
        }
        return try g.mean(
            zip(features, references).map { feature, reference in
                let difference = try g.sub(feature, reference)
                return try g.div(g.sum(g.mul(difference, difference)), g.sum(g.mul(reference, reference)))
            })
    }

    /// The embedding [1, D] and feature maps of `crop` [S, S, 3] computed once on `device`.
    static func embed(_ crop: HostTensor, network: any IdentityNetwork, device: any Backend) throws
        -> (embedding: HostTensor, features: [HostTensor])
    {
        let g = Graph()
        let outputs = try Self.outputs(g, network: network, image: g.input("image", crop.shape))
        let program = try Program(graph: g, outputs: [outputs.embedding] + outputs.features, device: device)
        try program.set("image", crop)
        try program.run()
        return (try program.read(outputs.embedding), try outputs.features.map { try program.read($0) })
    }
}
