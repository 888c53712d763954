// The face model a fit needs, read from one folder: the morphable model with its expression
// blendshapes, the iBUG-68 landmark map, the jaw-line contours and the vertex symmetry map
// (eos's Surrey files).
import Foundation

/// The morphable model, its landmark map and contours, and its mesh (for rendering and writing).
public struct FitModel {
    public let model: MorphableModel
    public let mapping: LandmarkMapping
    public let contour: ModelContour
    /// The model's mesh (triangles, UVs) with the mean shape's positions.
    public let mesh: Mesh
    /// Each vertex's mirror vertex (the free texture's symmetry prior and the mirror term need it);
    /// nil when the folder has no symmetry list.
    public let symmetry: SymmetryMap?

    /// The Surrey files of eos: sfm_shape_3448.bin, expression_blendshapes_3448.bin, ibug_to_sfm.txt
    /// and sfm_model_contours.json beside it; sfm_reference_symmetry.txt where present.
    public static let fileNames = (shape: "sfm_shape_3448.bin", blendshapes: "expression_blendshapes_3448.bin",
                                   mapping: "ibug_to_sfm.txt", contours: "sfm_model_contours.json",
                                   symmetry: "sfm_reference_symmetry.txt")

    /// The model folder: `explicit` (the command's `flag`), else sfm/ in the model folders
    /// (`ModelFiles.locateFolder`: $GANFIT_MODELS, ./models, models/ beside or above the executable).
    public static func locate(explicit: String?, flag: String) throws -> String {
        try ModelFiles.locateFolder("sfm", marker: fileNames.shape, what: "the Surrey face model", explicit: explicit, flag: flag)
    }

    /// Reads the model files in `folder` (default models/sfm).
    public init(folder: String = "models/sfm") throws {
        let names = Self.fileNames
        model = try EosModelFile.read(folder + "/" + names.shape, blendshapes: folder + "/" + names.blendshapes)
        guard !model.textureCoordinates.isEmpty, model.expression != nil else {
            throw EngineError.badFile(path: folder + "/" + names.shape, problem: "the fit needs a model with texture coordinates "
                                      + "and expression blendshapes, such as the Surrey model in models/sfm")
        }
        mapping = try LandmarkMapping.read(folder + "/" + names.mapping, vertexCount: model.vertexCount)
        contour = try ModelContour.read(folder + "/" + names.contours, vertexCount: model.vertexCount)
        mesh = try Mesh(model: model, vertices: HostTensor([model.vertexCount, 3], model.shape.mean))
        let symmetryPath = folder + "/" + names.symmetry
        let perVertexUV = mesh.textureTriangles == mesh.triangles ? mesh.textureCoordinates : []
        symmetry = FileManager.default.fileExists(atPath: symmetryPath)
            ? try SymmetryMap.read(symmetryPath, meanVertices: model.meanVertices, textureCoordinates: perVertexUV) : nil
    }

    /// The symmetry map, for `part` (the free texture or the mirror term); a clear error naming the
    /// missing file and what to use instead when the folder has none.
    func requiredSymmetry(for part: SymmetryUser) throws -> SymmetryMap {
        guard let symmetry else {
            throw EngineError.invalidValue(
                "\(part.rawValue) needs the model's vertex symmetry list "
                    + "(\(Self.fileNames.symmetry) beside the model); " + part.instead)
        }
        return symmetry
    }

    /// Throws before any stage runs when `settings` ask for a part the folder's files cannot give.
    func check(_ settings: FitSettings) throws {
        if case .free = settings.texture { _ = try requiredSymmetry(for: .freeTexture) }
        if settings.mirrorWeight > 0 { _ = try requiredSymmetry(for: .mirrorTerm) }
    }
}

/// The fit's parts that need the model's symmetry map.
enum SymmetryUser: String {
    case freeTexture = "the free texture"
    case mirrorTerm = "the mirror term (mirror_weight)"

    /// What to do instead.
    var instead: String {
        switch self {
        case .freeTexture: "use --texture projected"
        case .mirrorTerm: "set mirror_weight to 0"
        }
    }
}
