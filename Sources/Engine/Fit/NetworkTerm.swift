// The identity network's terms of the joint stage: the identity loss and GANFIT's content loss,
// weighted. At `identity_interval` 1 they are part of the joint graph. At an interval N > 1 they run
// in their own program every N iterations and the joint graph holds their linearisation, per photo
// c + ⟨G, render⟩: G is the weighted terms' gradient with respect to the render at their last run, c
// their weighted value there less ⟨G, that render⟩. A run sees the render at the current parameters
// (a second, forward-only program of the joint graph draws it); between runs the renderer, texture
// and priors step as usual. The three programs share tensors (`Program`'s `bound`): nothing is copied.

/// One photo's identity and content terms, in the joint graph or linearised there.
final class NetworkTerm {
    /// The weighted terms in the joint graph (or their linearisation), the identity loss and the
    /// content loss (when weighted; at their last run when linearised).
    let objective, identity: Value
    let content: Value?
    /// The terms' own graph and the joint graph's inputs that read it, when linearised.
    private let linearised: Linearised?

    private struct Linearised {
        let graph: Graph
        /// Input `image` [S, S, 3]; outputs: the weighted terms' gradient to it, the offset c, the
        /// identity and content losses.
        let image, gradient, offset, identity: Value
        let content: Value?
        /// The joint graph's render, and its inputs that read the outputs above.
        let render, jointGradient, jointOffset, jointIdentity: Value
        let jointContent: Value?
    }

    /// The terms of photo `view` on `render` [S, S, 3] of the joint graph `g`, against the photo's
    /// embedding and feature maps, weighted by `settings.identityWeight` and `contentWeight`;
    /// linearised when `settings.identityInterval` is above 1.
    init(
        joint g: Graph, render: Value, view: Int, network: any IdentityNetwork,
        photo: (embedding: HostTensor, features: [HostTensor]), settings: FitSettings
    ) throws {
        guard settings.identityInterval > 1 else {
            (identity, content, objective) = try Self.terms(
                g, image: render, network: network, photo: photo, settings: settings)
            linearised = nil
            return
        }
        let t = Graph()
        let image = t.input("image", render.shape)
        let (identity, content, weighted) = try Self.terms(
            t, image: image, network: network, photo: photo, settings: settings)
        let gradient = try t.gradients(of: weighted, wrt: [image])[0]
        let offset = try t.sub(weighted, t.sum(t.mul(gradient, image)))
        func name(_ base: String) -> String { FaceParameters.leafName(base, view: view) }
        let fed = Linearised(
            graph: t, image: image, gradient: gradient, offset: offset, identity: identity, content: content,
            render: render, jointGradient: g.input(name("network_gradient"), render.shape),
            jointOffset: g.input(name("network_offset"), offset.shape),
            jointIdentity: g.input(name("network_identity"), identity.shape),
            jointContent: content.map { g.input(name("network_content"), $0.shape) })
        linearised = fed
        objective = try g.add(fed.jointOffset, g.sum(g.mul(fed.jointGradient, render)))
        (self.identity, self.content) = (fed.jointIdentity, fed.jointContent)
    }

    /// The identity loss, the content loss (when weighted) and their weighted sum on `image`.
    private static func terms(
        _ g: Graph, image: Value, network: any IdentityNetwork,
        photo: (embedding: HostTensor, features: [HostTensor]), settings: FitSettings
    ) throws -> (identity: Value, content: Value?, weighted: Value) {
        let outputs = try IdentityTerm.outputs(g, network: network, image: image)
        let identity = try IdentityTerm.loss(
            g, embedding: outputs.embedding, reference: g.constant(photo.embedding))
        let content =
            settings.contentWeight > 0
            ? try IdentityTerm.contentLoss(
                g, features: outputs.features, references: photo.features.map(g.constant))
            : nil
        var weighted = try g.scale(identity, settings.identityWeight)
        if let content { weighted = try g.add(weighted, g.scale(content, settings.contentWeight)) }
        return (identity, content, weighted)
    }

    /// The linearised terms' program on `device`, its image the render that `rendering` (a program
    /// of the joint graph with the render among its outputs) computes; nil when not linearised.
    func program(reading rendering: Program, device: any Backend) throws -> Program? {
        guard let fed = linearised else { return nil }
        guard let drawn = rendering.tensor(fed.render) else {
            throw EngineError.invalidValue(
                "the identity network's terms: the rendering program lacks the render")
        }
        let outputs = [fed.gradient, fed.offset, fed.identity] + (fed.content.map { [$0] } ?? [])
        return try Program(graph: fed.graph, outputs: outputs, device: device, bound: [(fed.image, drawn)])
    }

    /// The joint graph's inputs bound to what `program` (this term's) computes.
    func jointBindings(_ program: Program) throws -> [(leaf: Value, tensor: Tensor)] {
        guard let fed = linearised else { return [] }
        var pairs = [(fed.jointGradient, fed.gradient), (fed.jointOffset, fed.offset)]
        pairs.append((fed.jointIdentity, fed.identity))
        if let content = fed.content, let jointContent = fed.jointContent {
            pairs.append((jointContent, content))
        }
        return try pairs.map { leaf, output in
            guard let tensor = program.tensor(output) else {
                throw EngineError.invalidValue(
                    "the identity network's terms: \(output) is not in the program")
            }
            return (leaf, tensor)
        }
    }
}
