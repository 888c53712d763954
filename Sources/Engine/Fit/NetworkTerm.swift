// The identity network's terms of the joint stage (the identity loss and GANFIT's content loss), run
// by their own program every `identity_interval` iterations and linearised in between. The joint
// graph holds, per photo, c + ⟨G, render⟩: G is the weighted terms' gradient with respect to the
// render at their last run, c their weighted value there less ⟨G, that render⟩. A run sees the render
// at the current parameters (a second, forward-only program of the joint graph draws it), so at
// interval 1 the joint gradient is the one-graph gradient; between runs the renderer, texture and
// priors step as usual while the network's forward and backward run once per interval. The three
// programs share tensors (`Program`'s `bound`): nothing is copied between them.

/// One photo's identity and content terms: their graph, and their leaves in the joint graph.
final class NetworkTerm {
    private let graph = Graph()
    /// The terms' graph: input `image` [S, S, 3] (the render), the weighted terms' gradient to it,
    /// the offset c, the identity loss and the content loss (when weighted).
    private let image, gradient, offset, identity: Value
    private let content: Value?
    /// The joint graph's render, and its inputs that read the outputs above.
    private let render, jointGradient, jointOffset: Value
    let jointIdentity: Value
    let jointContent: Value?
    /// The linearised terms in the joint graph, c + ⟨G, render⟩ (their weights applied).
    let objective: Value

    /// The terms of photo `view` on `render` [S, S, 3] of the joint graph `g`, against the photo's
    /// embedding and feature maps, weighted by `settings.identityWeight` and `contentWeight`.
    init(
        joint g: Graph, render: Value, view: Int, network: any IdentityNetwork,
        photo: (embedding: HostTensor, features: [HostTensor]), settings: FitSettings
    ) throws {
        let t = graph
        image = t.input("image", render.shape)
        let outputs = try IdentityTerm.outputs(t, network: network, image: image)
        identity = try IdentityTerm.loss(
            t, embedding: outputs.embedding, reference: t.constant(photo.embedding))
        content =
            settings.contentWeight > 0
            ? try IdentityTerm.contentLoss(
                t, features: outputs.features, references: photo.features.map(t.constant))
            : nil
        var weighted = try t.scale(identity, settings.identityWeight)
        if let content { weighted = try t.add(weighted, t.scale(content, settings.contentWeight)) }
        gradient = try t.gradients(of: weighted, wrt: [image])[0]
        offset = try t.sub(weighted, t.sum(t.mul(gradient, image)))

        func name(_ base: String) -> String { FaceParameters.leafName(base, view: view) }
        self.render = render
        jointGradient = g.input(name("network_gradient"), render.shape)
        jointOffset = g.input(name("network_offset"), offset.shape)
        jointIdentity = g.input(name("network_identity"), identity.shape)
        jointContent = content.map { g.input(name("network_content"), $0.shape) }
        objective = try g.add(jointOffset, g.sum(g.mul(jointGradient, render)))
    }

    /// The terms' program on `device`, its image the render that `rendering` (a program of the
    /// joint graph with the render among its outputs) computes.
    func program(reading rendering: Program, device: any Backend) throws -> Program {
        guard let drawn = rendering.tensor(render) else {
            throw EngineError.invalidValue(
                "the identity network's terms: the rendering program lacks the render")
        }
        return try Program(
            graph: graph, outputs: [gradient, offset, identity] + (content.map { [$0] } ?? []),
            device: device, bound: [(image, drawn)])
    }

    /// The joint graph's inputs bound to what `program` (this term's) computes.
    func jointBindings(_ program: Program) throws -> [(leaf: Value, tensor: Tensor)] {
        var pairs = [(jointGradient, gradient), (jointOffset, offset), (jointIdentity, identity)]
        if let content, let jointContent { pairs.append((jointContent, content)) }
        return try pairs.map { leaf, output in
            guard let tensor = program.tensor(output) else {
                throw EngineError.invalidValue(
                    "the identity network's terms: \(output) is not in the program")
            }
            return (leaf, tensor)
        }
    }
}
