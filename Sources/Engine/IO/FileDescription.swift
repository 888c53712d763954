// `ganfit-gpu info`: recognises a file by its content (then its extension) and describes it:
// models, blendshapes, images, weights (safetensors, PyTorch checkpoints), meshes and landmarks.
import Foundation

public enum FileDescription {
    /// The formats `describe` knows.
    public enum Kind: String, Sendable {
        case eosModel = "eos morphable model", blendshapes = "eos expression blendshapes", png = "PNG image"
        case jpeg = "JPEG image", safetensors = "safetensors weights", ply = "PLY mesh", obj = "OBJ mesh"
        case pts = "iBUG .pts landmarks", graphDef = "TensorFlow GraphDef"
        case torch = "PyTorch checkpoint (torch.save)"
    }

    /// The format of `path`, judged by its first bytes, then (for text) by its extension; `what`
    /// names the expected file in errors.
    public static func kind(of path: String, what: String = "a file to describe") throws -> Kind {
        let head = [UInt8](try FileInput.head(path, count: 64, what: what))
        let size = try FileInput.regularFileSize(path, what: what)
        func u32(_ at: Int) -> UInt32 { head.count >= at + 4 ? head[at..<at + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) } : 0 }
        func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: Array("ply".utf8)) { return .ply }
        // torch.save: a zip archive, or a protocol-2 pickle of LONG1 10 bytes (the legacy magic number).
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x80, 0x02, 0x8A, 0x0A]) {
            return .torch
        }
        if head.count > 8, head[8] == UInt8(ascii: "{"), u64(0) <= UInt64(size - 8) { return .safetensors }
        if EosModelFile.versions.contains(u32(0)), Int32(bitPattern: u32(4)) > 0 { return .eosModel }
        if (1...10_000).contains(u64(0)), (1...1000).contains(u64(8)) { return .blendshapes }
        if ext == "obj" { return .obj }
        if ext == "pts" || head.starts(with: Array("version:".utf8)) { return .pts }
        if ext == "pb" { return .graphDef }  // protobuf has no signature: trust the extension
        let expected = what == "a file to describe" ? "" : " (expected \(what))"
        throw EngineError.badFile(path: path, problem: "is not a format this tool knows\(expected): "
                                  + "an eos model or blendshapes, PNG, JPEG, safetensors, OBJ, PLY, .pts or TensorFlow .pb file, "
                                  + "or a PyTorch checkpoint")
    }

    /// A few lines saying what `path` holds (counts, sizes, tensors); badFile if it cannot be read.
    public static func describe(_ path: String) throws -> String {
        let kind = try kind(of: path)
        let lines: [String]
        switch kind {
        case .eosModel: lines = try model(path)
        case .blendshapes:
            let shapes = try EosModelFile.readBlendshapes(path)
            let rows = shapes.first?.deformation.count ?? 0
            lines = ["\(shapes.count) blendshapes of \(rows) values (\(rows / 3) vertices): "
                     + shapes.map(\.name).joined(separator: ", ")]
        case .png, .jpeg:
            let image = try kind == .png ? PNGFile.read(path) : JPEGFile.read(path)
            let names = [1: "grey", 3: "RGB", 4: "RGBA"]
            lines = ["\(image.width) x \(image.height) pixels, \(counted(image.channels, "channel")) "
                     + "(\(names[image.channels] ?? "?")), \(image.bitDepth)-bit" + (kind == .jpeg ? ", upright (EXIF applied)" : "")]
        case .safetensors: lines = try safetensors(path)
        case .torch: lines = try torchCheckpoint(path)
        case .obj:
            let mesh = try OBJFile.read(path)
            lines = ["\(mesh.positions.count) vertices, \(mesh.triangles.count) triangles, "
                     + "\(mesh.textureCoordinates.count) texture coordinates, \(mesh.normals.count) normals, "
                     + (mesh.colors.isEmpty ? "no vertex colours" : "vertex colours")]
        case .ply:
            let head = String(decoding: try FileInput.head(path, count: 4096, what: "a PLY mesh"), as: UTF8.self)
            guard let end = head.range(of: "end_header") else { throw EngineError.badFile(path: path, problem: "has no end_header line") }
            lines = head[..<end.lowerBound].split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("ply") }.map(String.init)
        case .graphDef:
            let graph = try GraphDef.read(path)
            var ops: [String: Int] = [:]
            for node in graph.nodes { ops[node.op, default: 0] += 1 }
            let inputs = graph.nodes.filter { $0.op == "Placeholder" }.map { node -> String in
                guard case .shape(let shape)? = node.attributes["shape"] else { return node.name }
                return "\(node.name) \(shape)"
            }
            let unsupported = ops.keys.filter { !TensorFlowImporter.supportedOps.contains($0) }.sorted()
            lines = ["\(counted(graph.nodes.count, "node")); inputs: " + inputs.joined(separator: ", "),
                     "ops: " + ops.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
                     unsupported.isEmpty ? "every op is supported by the importer"
                                         : "ops the importer does not support: " + unsupported.joined(separator: ", ")]
        case .pts:
            let points = try PTSFile.read(path)
            let xs = points.map(\.x), ys = points.map(\.y)
            lines = ["\(points.count) points" + (points.isEmpty ? "" : String(
                format: ", x in [%.1f, %.1f], y in [%.1f, %.1f] (0-based pixel centres)",
                xs.min()!, xs.max()!, ys.min()!, ys.max()!))]
        }
        return ([path + ": " + kind.rawValue] + lines.map { "  " + $0 }).joined(separator: "\n")
    }

    private static func model(_ path: String) throws -> [String] {
        let model = try EosModelFile.read(path)
        let version = try FileInput.head(path, count: 4, what: "an eos model").withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        let expression: String
        switch model.expression {
        case nil: expression = "none"
        case .blendshapes(let shapes)?: expression = "\(shapes.count) blendshapes (" + shapes.map(\.name).joined(separator: ", ") + ")"
        case .pca(let pca)?: expression = "PCA, \(pca.componentCount) components"
        }
        return [
            "archive version \(UInt32(littleEndian: version))",
            "\(model.vertexCount) vertices, \(model.triangles.count) triangles",
            "shape: \(model.shapeComponentCount) components",
            "colour: " + (model.color.isEmpty ? "none" : "\(model.color.componentCount) components"),
            "expression: " + expression,
            "texture coordinates: \(model.textureCoordinates.count)"
                + (model.textureTriangles.isEmpty ? " (per vertex)" : ", \(model.textureTriangles.count) texture triangles"),
            "landmark definitions: \(model.landmarkDefinitions.count)",
        ]
    }

    private static func safetensors(_ path: String) throws -> [String] {
        let file = try SafetensorsFile(path)
        let bytes = file.entries.last?.range.upperBound ?? 0
        var lines = ["\(counted(file.entries.count, "tensor")), \(bytes) bytes of data"]
        lines += file.metadata.sorted { $0.key < $1.key }.map { "metadata \($0.key): \($0.value)" }
        let width = file.entries.map(\.name.count).max() ?? 0
        lines += file.entries.map { $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \($0.dtype)\($0.shape.shapeText)" }
        return lines
    }

    /// The saved dict's keys, the tensors of each state dict, and the PGAN generator if one converts.
    private static func torchCheckpoint(_ path: String) throws -> [String] {
        let checkpoint = try TorchCheckpoint(path)
        let keys = checkpoint.root.container?.entries.compactMap(\.key.string) ?? []
        var lines = ["keys: " + (keys.isEmpty ? "none (not a dict)" : keys.joined(separator: ", "))]
        for key in [nil] + keys.map(Optional.some) {
            guard let tensors = try checkpoint.stateDict(key), !tensors.isEmpty else { continue }
            lines.append("\(key ?? "the file's dict"): \(counted(tensors.count, "tensor"))")
        }
        if let (generator, source) = try? ProgressiveGenerator.convert(pytorchCheckpoint: path) {
            let config = generator.config
            lines.append("PGAN generator in \(source): latent \(config.latent), widths \(config.widths), "
                + "\(config.resolution)² (ganfit-gpu texture convert)")
        }
        return lines
    }

    /// "1 channel", "3 channels".
    private static func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)" + (n == 1 ? "" : "s") }
}
