// The identity loss: a face-recognition network's embedding of the rendered crop against the
// photo's, 1 − cosine; the crop is resampled to the network's input on the device (affine warp),
// so the gradient reaches the render.

enum IdentityTerm {
    /// The embedding [1, D] of `image` [S, S, 3] (RGB in [0, 1]), the whole square resampled
    /// bilinearly to the network's input size.
    static func embedding(_ g: Graph, network: any IdentityNetwork, image: Value) throws -> Value {
        guard image.shape.count == 3, image.shape[0] == image.shape[1], image.shape[2] == 3 else {
            throw EngineError.shapeMismatch(op: "identity term", expected: "a square RGB image [S, S, 3]", got: image.type.description)
        }
        let s = image.shape[0], (h, w) = network.inputSize
        let planar = try g.reshape(g.permute(image, [2, 0, 1]), [1, 3, s, s])
        // Output pixel centre o + ½ maps to input centre (o + ½)·s/w; the warp counts centres from 0.
        let (sx, sy) = (Float(s) / Float(w), Float(s) / Float(h))
        let theta = g.constant(HostTensor([1, 2, 3], [sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5]))
        return try network.build(g, image: g.affineWarp(planar, theta: theta, height: h, width: w)).embedding
    }

    /// 1 − ⟨embedding, reference⟩ for unit embeddings [1, D]: 1 − cosine.
    static func loss(_ g: Graph, embedding: Value, reference: Value) throws -> Value {
        try g.sub(g.scalar(1), g.sum(g.mul(embedding, reference)))
    }

    /// The embedding [1, D] of `crop` [S, S, 3] computed once on `device`.
    static func embed(_ crop: HostTensor, network: any IdentityNetwork, device: any Backend) throws -> HostTensor {
        let g = Graph()
        let embedding = try Self.embedding(g, network: network, image: g.input("image", crop.shape))
        let program = try Program(graph: g, outputs: [embedding], device: device)
        try program.set("image", crop)
        try program.run()
        return try program.read(embedding)
    }
}
