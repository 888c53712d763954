// `info`: every format is recognised by content and described with its counts; anything else
// is a clear error.
@testable import Engine
import Foundation
import XCTest

final class FileDescriptionTests: XCTestCase {
    func testEveryFormatIsRecognisedAndDescribed() throws {
        let folder = try scratchFolder(self)
        let mesh = try Repository.meanMesh().mesh
        try OBJFile.write(mesh, to: folder + "/face.obj", texture: HostTensor([1, 1, 3], [0.5, 0.5, 0.5]))
        try PLYFile.write(mesh, to: folder + "/face.ply")
        try JPEGFile.write(HostTensor([3, 5, 1], [Float](repeating: 0.5, count: 15)), to: folder + "/grey.jpg")
        try SafetensorsFile.write([("conv.weight", HostTensor([2, 1, 3, 3], [Float](repeating: 0, count: 18)))],
                                  metadata: ["source": "test"], to: folder + "/w.safetensors")
        try FileManager.default.copyItem(atPath: Repository.path("samples/image_0010.pts"), toPath: folder + "/points.txt")
        let expected: [(String, FileDescription.Kind, [String])] = [
            (Repository.model, .eosModel, ["3448 vertices, 6736 triangles", "shape: 63 components", "archive version 1"]),
            (Repository.blendshapes, .blendshapes, ["6 blendshapes", "surprise"]),
            (Repository.path("samples/image_0010.png"), .png, ["1280 x 1024 pixels, 3 channels (RGB), 8-bit"]),
            (folder + "/face.png", .png, ["1 x 1 pixels"]),
            (folder + "/grey.jpg", .jpeg, ["5 x 3 pixels, 1 channel (grey)"]),
            (folder + "/face.obj", .obj, ["3448 vertices, 6736 triangles, 3448 texture coordinates"]),
            (folder + "/face.ply", .ply, ["element vertex 3448", "element face 6736"]),
            (folder + "/w.safetensors", .safetensors, ["1 tensor, 72 bytes", "conv.weight  F32[2, 1, 3, 3]", "source: test"]),
            (folder + "/points.txt", .pts, ["68 points"]),
        ]
        for (path, kind, words) in expected {
            XCTAssertEqual(try FileDescription.kind(of: path), kind, path)
            let text = try FileDescription.describe(path)
            for word in words { XCTAssertTrue(text.contains(word), "\(path): '\(text)' lacks '\(word)'") }
        }
    }

    func testUnknownFilesAndFoldersAreClearErrors() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/notes.txt"
        try "just text".write(toFile: path, atomically: false, encoding: .utf8)
        assertBadFile(try FileDescription.describe(path), path: path, mentions: ["not a format this tool knows"])
        assertBadFile(try FileDescription.describe(folder), path: folder, mentions: ["is a folder"])
    }
}
