// The joint stage's texture models behind one interface: each puts its leaves, its UV map, its
// prior terms and its Adam groups into the fit graph. `TextureModelKind` names them (the CLI's
// `fit --texture`): the projected photo plus an offset, the free symmetric texture, a linear
// model's coefficients and a progressive generator's latent.

/// Which texture model the joint stage fits; written (CLI, settings JSON) as `projected`, `free`,
/// `linear:FILE` or `gan:FILE`.
public enum TextureModelKind: Hashable, Sendable, Codable, LosslessStringConvertible {
    /// The photo projected at the stage-1 pose (fixed) plus a free low-resolution offset
    /// (`ProjectedTexture`).
    case projected
    /// A free UV map: multi-resolution texels, smoothness and a left–right symmetry prior
    /// (`FreeTexture`).
    case free
    /// A linear model's coefficients (`LinearTexture`), from the file `texture build` writes.
    case linear(String)
    /// A progressive generator's latent (`GANTexture`), from the file `texture init`/`convert` writes.
    case gan(String)

    public init?(_ text: String) {
        switch text {
        case "projected": self = .projected
        case "free": self = .free
        case _ where text.hasPrefix("linear:") && text.count > 7: self = .linear(String(text.dropFirst(7)))
        case _ where text.hasPrefix("gan:") && text.count > 4: self = .gan(String(text.dropFirst(4)))
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .projected: "projected"
        case .free: "free"
        case .linear(let file): "linear:" + file
        case .gan(let file): "gan:" + file
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let kind = TextureModelKind(text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "'\(text)' is not a texture model: projected, free, linear:FILE or gan:FILE"))
        }
        self = kind
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension TextureModelKind {
    /// Throws now if the model's file is not one of its kind (a fit then fails before stage 1).
    public func checkFile() throws {
        switch self {
        case .projected, .free: break
        case .linear(let file):
            _ = try SafetensorsFile(file, format: LinearTextureModel.format, expected: "a linear texture model")
        case .gan(let file):
            _ = try SafetensorsFile(file, format: ProgressiveGenerator.format, expected: "a progressive generator")
        }
    }
}

/// A texture model's part of a fit graph.
struct TextureGraph {
    /// [T, T, 3] the UV map the render samples.
    let texture: Value
    /// The model's prior losses, each with its weight in the total (and its name in the report).
    let priors: [(name: String, loss: Value, weight: Float)]
    /// The parameters Adam moves, in groups with their learning rates.
    let groups: [(parameters: [Value], rate: Float)]

    /// Every parameter, in group order (take the gradients in this order).
    var parameters: [Value] { groups.flatMap(\.parameters) }

    /// The Adam groups, given the gradients of `parameters` in order.
    func parameterGroups(_ gradients: [Value]) -> [ParameterGroup] {
        var next = 0
        return groups.map { group in
            defer { next += group.parameters.count }
            return ParameterGroup(
                parameters: group.parameters,
                gradients: Array(gradients[next..<next + group.parameters.count]),
                rate: group.rate)
        }
    }
}

/// A texture model of the fit: its leaves' initial values and how it builds its UV map.
protocol TextureModel {
    var kind: TextureModelKind { get }
    /// The initial values of the model's leaves (parameters and fixed inputs), by graph name.
    var leaves: [String: HostTensor] { get }
    /// Adds the model's leaves (named as in `leaves`), UV map, priors and groups to `g`.
    func build(_ g: Graph) throws -> TextureGraph
}

enum TextureModels {
    /// The UVs of the inner landmarks' vertices (iBUG 18–68: brows, eyes, nose, mouth); none
    /// when the mesh's UVs are not per vertex.
    static func featureUVs(_ face: FitModel) -> [SIMD2<Float>] {
        let uv = face.mesh.textureCoordinates
        guard face.mesh.textureTriangles == face.mesh.triangles else { return [] }
        return face.mapping.vertices.filter { $0.key >= 18 && $0.value < uv.count }.map { uv[$0.value] }
    }

    /// The model `settings.texture` names, started from `photos` [S, S, 3] each seen through its
    /// `parameters` (the stage-1 geometry and camera; several photos merged on the map).
    static func make(
        _ face: FitModel, parameters: [FaceParameters], photos: [HostTensor], settings: FitSettings,
        device: any Backend
    ) throws -> any TextureModel {
        let project = {
            ProjectedPhoto.merged(try zip(parameters, photos).map {
                try TextureProjection.project(
                    face, parameters: $0.0, photo: $0.1, size: settings.textureSize, settings: settings,
                    device: device)
            })
        }
        switch settings.texture {
        case .projected:
            return ProjectedTexture(base: try project().texture, settings: settings)
        case .free:
            let symmetry = try UVSymmetry(
                mesh: face.mesh, symmetry: face.requiredSymmetry(for: .freeTexture),
                size: settings.textureSize, device: device)
            let projected = try project()
            let trust = TextureFill.skinLikeness(projected, features: featureUVs(face))
            return try FreeTexture(
                initial: TextureFill.completed(projected, symmetry: symmetry, trust: trust),
                symmetry: symmetry, trust: trust, settings: settings)
        case .linear(let file):
            return try LinearTexture(
                model: LinearTextureModel(contentsOf: file), file: file, settings: settings)
        case .gan(let file):
            return try GANTexture(
                generator: ProgressiveGenerator(contentsOf: file), file: file, settings: settings)
        }
    }
}
