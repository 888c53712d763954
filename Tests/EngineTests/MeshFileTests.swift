// OBJ read/write (every face form, exact round trips, MTL + texture) and binary PLY write.
@testable import Engine
import Foundation
import XCTest

final class MeshFileTests: XCTestCase {
    func testTheModelMeshRoundTripsThroughOBJWithItsTexture() throws {
        let folder = try scratchFolder(self)
        let (model, mesh) = try Repository.meanMesh()
        let path = folder + "/face.obj"
        try OBJFile.write(mesh, to: path, texture: HostTensor([2, 2, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]))
        XCTAssertEqual(try OBJFile.read(path), mesh)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("mtllib face.mtl\nusemtl face\n"))
        XCTAssertTrue(try String(contentsOfFile: folder + "/face.mtl", encoding: .utf8).contains("map_Kd face.png"))
        XCTAssertEqual(try PNGFile.read(folder + "/face.png").pixels.shape, [2, 2, 3])
        // vt is bottom-up in the file: the model's top-down v of vertex 0 comes out as 1 − v.
        let firstVT = text.split(separator: "\n").first { $0.hasPrefix("vt ") }!.split(separator: " ")
        XCTAssertEqual(Double(firstVT[2])!, 1 - Double(model.textureCoordinates[0].y), accuracy: 1e-12)
    }

    func testEveryAttributeRoundTrips() throws {
        let folder = try scratchFolder(self)
        let mesh = Mesh(positions: [SIMD3(0, 0, 0), SIMD3(1e-7, 2.5, -3), SIMD3(0.1, 0.2, 0.3), SIMD3(-1, 1, 123456.78)],
                        triangles: [SIMD3(0, 1, 2), SIMD3(0, 2, 3)],
                        textureCoordinates: [SIMD2(0, 0), SIMD2(1, 1), SIMD2(0.1, 0.3), SIMD2(0.25, 1e-8)],
                        textureTriangles: [SIMD3(3, 2, 1), SIMD3(0, 1, 2)],
                        normals: [SIMD3(0, 0, 1), SIMD3(0.6, 0.8, 0)], normalTriangles: [SIMD3(0, 0, 1), SIMD3(1, 1, 0)],
                        colors: [SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1), SIMD3(0.5, 0.5, 0.5)])
        let path = folder + "/all.obj"
        try OBJFile.write(mesh, to: path)
        XCTAssertEqual(try OBJFile.read(path), mesh)
        var normalsOnly = mesh
        normalsOnly.textureCoordinates = []
        normalsOnly.textureTriangles = []
        try OBJFile.write(normalsOnly, to: path)
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains("f 1//1 2//1 3//2"))
        XCTAssertEqual(try OBJFile.read(path), normalsOnly)
    }

    func testFaceFormsNegativeIndicesAndPolygons() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/forms.obj"
        try """
            # a quad and a triangle
            o thing
            v 0 0 0
            v 1 0 0
            v 1 1 0
            v 0 1 0
            vt 0 0
            vt 1 0
            vt 1 1
            vt 0 1\r
            g part
            s off
            f 1/1 2/2 3/3 4/4
            f -4/-4 -2/-2 -1/-1
            """.write(toFile: path, atomically: false, encoding: .utf8)
        let mesh = try OBJFile.read(path)
        XCTAssertEqual(mesh.triangles, [SIMD3(0, 1, 2), SIMD3(0, 2, 3), SIMD3(0, 2, 3)])
        XCTAssertEqual(mesh.textureTriangles, mesh.triangles)
        XCTAssertEqual(mesh.textureCoordinates[2], SIMD2(1, 0), "vt 1 1 is the top-right corner: v = 0 top-down")
        try "v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\nf 1//1 2//1 3//1\n".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(try OBJFile.read(path).normalTriangles, [SIMD3(0, 0, 0)])
        try "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(try OBJFile.read(path).textureTriangles, [])
    }

    func testBrokenOBJFilesGiveClearErrors() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/bad.obj"
        for (text, words) in [
            ("v 0 0 0\nv 1 0 0\nf 1 2 3\n", ["line 3", "vertex index 3 is out of range"]),
            ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 -4\n", ["index -4"]),
            ("v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nf 1/1 2/1 3/1\nf 1 2 3\n", ["line 6", "mix"]),
            ("v 0 0 zero\n", ["line 1", "finite numbers"]),
            ("v 0 0 0\nf 1 1\n", ["at least 3 corners"]),
            ("v 0 0 0\nf 1/2/3/4 1 1\n", ["not a face corner"]),
            ("# nothing\n", ["no vertices"]),
        ] {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            assertBadFile(try OBJFile.read(path), path: path, mentions: words)
        }
        assertBadFile(try OBJFile.read(folder), path: folder, mentions: ["is a folder"])
    }

    func testPLYIsBinaryWithVertexColours() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/mesh.ply"
        let mesh = Mesh(positions: [SIMD3(1, 2, 3), SIMD3(4, 5, 6), SIMD3(7, 8, 9)], triangles: [SIMD3(0, 2, 1)],
                        colors: [SIMD3(1, 0, 0.5), SIMD3(0, 1, 0), SIMD3(2, -1, 0)])
        try PLYFile.write(mesh, to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let end = data.range(of: Data("end_header\n".utf8))!.upperBound
        let header = String(decoding: data[..<end], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("ply\nformat binary_little_endian 1.0\n"))
        XCTAssertTrue(header.contains("element vertex 3\n") && header.contains("property uchar red\n")
                      && header.contains("element face 1\nproperty list uchar int vertex_indices\n"))
        let body = [UInt8](data[end...])
        XCTAssertEqual(body.count, 3 * (12 + 3) + (1 + 12))
        XCTAssertEqual(Array(body[12..<15]), [255, 0, 128])
        XCTAssertEqual(Array(body[42..<45]), [255, 0, 0], "colours are clamped to [0, 1]")
        XCTAssertEqual(body[19..<23].withUnsafeBytes { $0.loadUnaligned(as: Float.self) }, 5)
        XCTAssertEqual(Array(body[45...]), [3, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0])
        var uncoloured = mesh
        uncoloured.colors = []
        try PLYFile.write(uncoloured, to: path)
        XCTAssertFalse(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)).prefix(200), as: UTF8.self).contains("red"))
    }
}
