// eos model files: a MorphableModel cereal archive (versions 1–4) and an expression
// blendshapes archive, read whole into a checked MorphableModel.
import Foundation

public enum EosModelFile {
    /// The archive versions eos's MorphableModel::serialize defines.
    public static let versions: ClosedRange<UInt32> = 1...4

    /// Reads an eos MorphableModel archive: uint32 version, shape and colour PcaModel, then
    /// (v ≥ 2) an optional expression model (variant: PcaModel or blendshapes), (v ≥ 3) optional
    /// landmark definitions, the texture coordinates (double u, v per entry), and (v = 4)
    /// texture triangles. Every size and index is checked; errors name the file and the problem.
    public static func read(_ path: String) throws -> MorphableModel {
        var reader = ByteReader(try FileInput.read(path, what: "an eos morphable model"), path: path,
                                format: "an eos morphable model archive")
        let version = try reader.integer(UInt32.self, "the archive version")
        guard versions.contains(version) else {
            throw reader.fail("archive version \(version) is not one of eos's MorphableModel versions \(versions)")
        }
        let shape = try reader.pcaModel("shape")
        let color = try reader.pcaModel("colour")
        let expression = version >= 2 ? try reader.expressionModel() : nil
        let landmarks = version >= 3 ? try reader.landmarkDefinitions() : [:]
        let uvCount = try reader.count(UInt64.self, "the texture coordinate count", bytesEach: 16)
        let uv = try reader.array(Double.self, count: 2 * uvCount, "the texture coordinates")
        let textureTriangles = version >= 4 ? try reader.triangles("the texture triangles") : []
        guard reader.atEnd else {
            throw reader.fail("\(reader.remaining) bytes follow the end of a version \(version) model; the file is corrupt")
        }
        return try MorphableModel(shape: shape, color: color, expression: expression, landmarkDefinitions: landmarks,
                                  textureCoordinates: (0..<uvCount).map { SIMD2(Float(uv[2 * $0]), Float(uv[2 * $0 + 1])) },
                                  textureTriangles: textureTriangles, source: path)
    }

    /// Reads an eos blendshapes archive (std::vector<Blendshape>), such as
    /// expression_blendshapes_3448.bin: [Ke] blendshapes of [D] displacements each.
    public static func readBlendshapes(_ path: String) throws -> [Blendshape] {
        var reader = ByteReader(try FileInput.read(path, what: "eos expression blendshapes"), path: path,
                                format: "an eos blendshapes archive")
        let shapes = try reader.blendshapes()
        guard reader.atEnd else { throw reader.fail("\(reader.remaining) bytes follow the last blendshape; the file is corrupt") }
        return shapes
    }

    /// A model with the blendshapes of `blendshapesPath` as its expression model.
    public static func read(_ path: String, blendshapes blendshapesPath: String) throws -> MorphableModel {
        try read(path).replacingExpression(.blendshapes(try readBlendshapes(blendshapesPath)), source: blendshapesPath)
    }
}

private extension ByteReader {
    /// cereal optional<variant<PcaModel, Blendshapes>>: bool nullopt, then int32 index and the value.
    mutating func expressionModel() throws -> ExpressionModel? {
        guard try !bool("the expression model's empty flag") else { return nil }
        switch try integer(Int32.self, "the expression model's kind") {
        case 0: return .pca(try pcaModel("expression"))
        case 1: return .blendshapes(try blendshapes())
        case let kind: throw fail("expression model kind \(kind) is neither 0 (PCA) nor 1 (blendshapes)")
        }
    }

    /// cereal optional<unordered_map<string, int>>: bool nullopt, uint64 count, (name, int32) pairs.
    mutating func landmarkDefinitions() throws -> [String: Int] {
        guard try !bool("the landmark definitions' empty flag") else { return [:] }
        let n = try count(UInt64.self, "the landmark definition count", bytesEach: 12)
        var definitions: [String: Int] = [:]
        for k in 0..<n {
            let name = try string("landmark definition \(k)")
            definitions[name] = Int(try integer(Int32.self, "the vertex of landmark '\(name)'"))
        }
        return definitions
    }
}
