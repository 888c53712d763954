// The eos model reader (the bundled Surrey model and small broken archives), the vertices
// graph with its gradients, landmarks, contours and symmetry.
@testable import Engine
import Foundation
import XCTest

/// A small eos archive: `vertices` vertices on a line, `components` shape components, one
/// triangle per 3 vertices; parameters break it in one way each.
private func eosArchive(version: UInt32 = 1, vertices: Int = 3, components: Int = 2, basisRows: Int? = nil,
                        triangle: [Int32] = [0, 1, 2], blendshapes: Int = 0, uv: Int? = nil) -> Data {
    var b = ByteWriter()
    b.append(version)
    let d = 3 * vertices, rows = basisRows ?? d
    b.append(Int32(d)); b.append(Int32(1)); b.append((0..<d).map { Float($0) })
    b.append(Int32(rows)); b.append(Int32(components)); b.append((0..<rows * components).map { Float($0 % 5) / 5 })
    b.append(Int32(components)); b.append(Int32(1)); b.append((0..<components).map { Float($0 + 1) })
    b.append(UInt64(1)); for i in triangle { b.append(i) }
    b.append(Int32(0)); b.append(Int32(1)); b.append(Int32(0)); b.append(Int32(0))     // empty colour model
    b.append(Int32(0)); b.append(Int32(1)); b.append(UInt64(0))
    if version >= 2 {
        b.append(UInt8(blendshapes == 0 ? 1 : 0))
        if blendshapes > 0 {
            b.append(Int32(1)); b.append(UInt64(blendshapes))
            for k in 0..<blendshapes {
                b.append(cereal: "shape\(k)"); b.append(Int32(d)); b.append(Int32(1)); b.append((0..<d).map { Float($0 * (k + 1)) / 10 })
            }
        }
    }
    if version >= 3 {
        b.append(UInt8(0)); b.append(UInt64(1)); b.append(cereal: "nose"); b.append(Int32(1))
    }
    b.append(UInt64(uv ?? vertices)); b.append((0..<2 * (uv ?? vertices)).map { Double($0) / 10 })
    if version >= 4 { b.append(UInt64(1)); for i in triangle { b.append(i) } }
    return b.data
}

final class MorphableModelTests: XCTestCase {
    func testTheSurreyModelLoadsWithItsCounts() throws {
        let start = Date()
        let model = try EosModelFile.read(Repository.model, blendshapes: Repository.blendshapes)
        print("Surrey model + blendshapes load: \(String(format: "%.3f", Date().timeIntervalSince(start))) s (debug build)")
        XCTAssertEqual(model.vertexCount, 3448)
        XCTAssertEqual(model.triangles.count, 6736)
        XCTAssertEqual(model.shapeComponentCount, 63)
        XCTAssertEqual(model.expressionCount, 6)
        XCTAssertEqual(model.expression?.names, ["anger", "disgust", "fear", "happiness", "sadness", "surprise"])
        XCTAssertTrue(model.color.isEmpty)
        XCTAssertEqual(model.textureCoordinates.count, 3448)
        XCTAssertTrue(model.textureCoordinates.allSatisfy { (0...1).contains($0.x) && (0...1).contains($0.y) })
        // Rescaled column = orthonormal column · √eigenvalue.
        let k = 63, row = 300, column = 5
        XCTAssertEqual(model.shape.rescaledBasis[row * k + column],
                       model.shape.orthonormalBasis[row * k + column] * model.shape.eigenvalues[column].squareRoot(),
                       accuracy: 1e-6)
        // The basis columns are orthonormal (column-major order was read correctly).
        let c0 = (0..<model.shape.dimension).map { model.shape.orthonormalBasis[$0 * k] }
        let c1 = (0..<model.shape.dimension).map { model.shape.orthonormalBasis[$0 * k + 1] }
        XCTAssertEqual(zip(c0, c0).map(*).reduce(0, +), 1, accuracy: 1e-3)
        XCTAssertEqual(zip(c0, c1).map(*).reduce(0, +), 0, accuracy: 1e-3)
    }

    /// Front view of the mean shape (x right, y up, z towards the viewer): the landmark vertices
    /// sit where a face has them.
    func testTheMeanShapesLandmarkVerticesProjectSensibly() throws {
        let model = try EosModelFile.read(Repository.model)
        let mapping = try LandmarkMapping.read(Repository.path("models/sfm/ibug_to_sfm.txt"), vertexCount: model.vertexCount)
        XCTAssertEqual(mapping.vertices.count, 50)
        XCTAssertEqual(mapping.rightContour, Array(1...8))
        XCTAssertEqual(mapping.leftContour, Array(10...17))
        let mean = model.meanVertices
        func at(_ ibug: Int) -> SIMD3<Float> { mean[mapping.vertices[ibug]!] }
        let nose = mean[114], centroid = mean.reduce(SIMD3<Float>(), +) / Float(mean.count)
        XCTAssertEqual(mapping.vertices[31], 114, "iBUG 31 is the nose tip, vertex 114")
        XCTAssertLessThan(Swift.abs(nose.x - centroid.x), 5, "the nose tip is on the midline")
        XCTAssertGreaterThan(nose.z, mean.map(\.z).max()! - 1, "the nose tip is the frontmost point")
        let eyes = [37, 40, 43, 46].map { at($0).y }, mouth = [49, 52, 55, 58].map { at($0).y }
        XCTAssertGreaterThan(eyes.min()!, at(34).y, "eyes above the nose base")
        XCTAssertGreaterThan(at(34).y, mouth.max()!, "nose base above the mouth")
        XCTAssertGreaterThan(mouth.min()!, at(9).y, "mouth above the chin")
        XCTAssertLessThan(model.textureCoordinates[mapping.vertices[20]!].y, model.textureCoordinates[mapping.vertices[9]!].y,
                          "texture v runs top-down: the eyebrow's v is below the chin's")
        XCTAssertLessThan(at(37).x, at(40).x)   // the subject's right eye is on the image's left
        XCTAssertLessThan(at(40).x, at(43).x)
        XCTAssertLessThan(at(43).x, at(46).x)
    }

    func testVerticesGraphMatchesAHostSumAndRunsOnTheDevice() throws {
        let model = try EosModelFile.read(Repository.model, blendshapes: Repository.blendshapes)
        let g = Graph()
        let ps = g.input("ps", [63]), pe = g.input("pe", [6])
        let vertices = try model.vertices(g, shapeCoefficients: ps, expressionCoefficients: pe)
        XCTAssertEqual(vertices.shape, [3448, 3])
        let alpha = (0..<63).map { Float(Foundation.sin(Double($0))) }, beta = (0..<6).map { Float($0) / 6 }
        var expected = model.shape.mean
        let blend = model.expression!.basis
        for r in 0..<expected.count {
            for c in 0..<63 { expected[r] += model.shape.rescaledBasis[r * 63 + c] * alpha[c] }
            for c in 0..<6 { expected[r] += blend[r * 6 + c] * beta[c] }
        }
        for backend in [CPUBackend.shared as any Backend, try TestDevice.openCL()] {
            let program = try Program(graph: g, outputs: [vertices], device: backend)
            try program.set("ps", HostTensor([63], alpha))
            try program.set("pe", HostTensor([6], beta))
            try program.run()
            assertClose(try program.read(vertices).values, expected, atol: 1e-3, rtol: 1e-4)
        }
        XCTAssertThrowsError(try model.vertices(g, shapeCoefficients: pe)) { XCTAssertTrue("\($0)".contains("[63]")) }
    }

    /// The gradients to p_s and p_e come from autodiff through matmul/add/reshape: checked
    /// against central differences in Double on a small random model.
    func testVerticesGradientsMatchFiniteDifferences() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/small.bin"
        try eosArchive(version: 2, vertices: 4, components: 3, triangle: [0, 1, 3], blendshapes: 2).write(to: URL(fileURLWithPath: path))
        let model = try EosModelFile.read(path)
        let g = Graph()
        let ps = g.input("ps", [3]), pe = g.input("pe", [2]), weights = g.input("w", [4, 3])
        let loss = try g.sum(g.square(g.mul(model.vertices(g, shapeCoefficients: ps, expressionCoefficients: pe), weights)))
        let grads = try g.gradients(of: loss, wrt: [ps, pe])
        var feeds: [String: RefTensor<Double>] = [
            "ps": RefTensor([3], [0.3, -0.7, 1.1]), "pe": RefTensor([2], [0.5, -0.2]),
            "w": RefTensor([4, 3], (0..<12).map { Double.sin(Double($0)) }),
        ]
        let analytic = try g.evaluate(grads, feeds: feeds)
        for (name, gradient) in zip(["ps", "pe"], analytic) {
            for i in feeds[name]!.values.indices {
                let h = 1e-6
                feeds[name]!.values[i] += h
                let plus = try g.evaluate([loss], feeds: feeds)[0].values[0]
                feeds[name]!.values[i] -= 2 * h
                let minus = try g.evaluate([loss], feeds: feeds)[0].values[0]
                feeds[name]!.values[i] += h
                XCTAssertEqual(gradient.values[i], (plus - minus) / (2 * h), accuracy: 1e-5 * Swift.max(1, Swift.abs(gradient.values[i])),
                               "d loss / d \(name)[\(i)]")
            }
        }
    }

    func testArchiveVersionsTwoToFourRead() throws {
        let folder = try scratchFolder(self)
        for version: UInt32 in 2...4 {
            let path = folder + "/v\(version).bin"
            try eosArchive(version: version, blendshapes: 2).write(to: URL(fileURLWithPath: path))
            let model = try EosModelFile.read(path)
            XCTAssertEqual(model.vertexCount, 3)
            XCTAssertEqual(model.expressionCount, 2)
            XCTAssertEqual(model.landmarkDefinitions, version >= 3 ? ["nose": 1] : [:])
            XCTAssertEqual(model.textureTriangles.count, version >= 4 ? 1 : 0)
            XCTAssertEqual(model.textureCoordinates[1], SIMD2(0.2, 0.3))
        }
    }

    func testBrokenArchivesGiveClearErrors() throws {
        let folder = try scratchFolder(self)
        func check(_ data: Data, _ words: [String], line: UInt = #line) throws {
            let path = folder + "/broken.bin"
            try data.write(to: URL(fileURLWithPath: path))
            assertBadFile(try EosModelFile.read(path), path: path, mentions: words, line: line)
        }
        try check(eosArchive(basisRows: 6), ["basis has 6 rows", "mean has 9"])
        try check(eosArchive(triangle: [0, 1, 7]), ["shape triangle 0", "index 7", "0..<3"])
        try check(eosArchive(triangle: [0, -1, 2]), ["index -1"])
        try check(eosArchive(version: 7), ["version 7"])
        try check(eosArchive(uv: 2), ["2 texture coordinates for 3 vertices"])
        try check(eosArchive() + Data([1, 2]), ["2 bytes follow"])
        let whole = try Data(contentsOf: URL(fileURLWithPath: Repository.model))
        try check(whole.prefix(whole.count / 2), ["ends early", "truncated"])
        try check(whole.prefix(100), ["ends early"])
        assertBadFile(try EosModelFile.read(folder), path: folder, mentions: ["is a folder"])
        assertBadFile(try EosModelFile.read(folder + "/missing.bin"), path: folder + "/missing.bin", mentions: ["cannot open"])
        // Blendshapes that do not fit the model.
        let small = folder + "/small.bin", shapes = folder + "/shapes.bin"
        try eosArchive().write(to: URL(fileURLWithPath: small))
        try Data(contentsOf: URL(fileURLWithPath: Repository.blendshapes)).write(to: URL(fileURLWithPath: shapes))
        assertBadFile(try EosModelFile.read(small, blendshapes: shapes), path: shapes, mentions: ["10344", "9"])
    }

    func testContoursPickTheNearestVertexOnTheVisibleSide() throws {
        let contour = try ModelContour.read(Repository.path("models/sfm/sfm_model_contours.json"), vertexCount: 3448)
        XCTAssertEqual(contour.right.count, 17)
        XCTAssertEqual(contour.left.first, 795)
        let mapping = LandmarkMapping(vertices: [:], rightContour: [1, 2], leftContour: [16, 17])
        // Vertex i projects to (i, 0); landmark n sits at (n·10, 1) — nearest contour vertex by x.
        let small = ModelContour(right: [5, 12, 30], left: [150, 170])
        let landmarks = (1...68).map { SIMD2<Float>(Float($0 * 10), 1) }
        let project = { (i: Int) in SIMD2<Float>(Float(i), 0) }
        let right = small.correspondences(yawDegrees: 20, mapping: mapping, landmarks: landmarks, project: project)
        XCTAssertEqual(right.map(\.landmark), [1, 2])
        XCTAssertEqual(right.map(\.vertex), [12, 12])
        let left = small.correspondences(yawDegrees: -5, mapping: mapping, landmarks: landmarks, project: project)
        XCTAssertEqual(left.map(\.vertex), [150, 170])
        let path = Repository.path("models/sfm/sfm_model_contours.json")
        assertBadFile(try ModelContour.read(path, vertexCount: 100), path: path, mentions: ["0..<100"])
    }

    func testSymmetryMapMirrorsTheMeanShape() throws {
        let model = try EosModelFile.read(Repository.model)
        let mean = model.meanVertices
        let map = try SymmetryMap.read(Repository.path("models/sfm/sfm_reference_symmetry.txt"), meanVertices: mean)
        XCTAssertEqual(map.givenCount, 845)
        XCTAssertEqual(map.counterpart.count, 3448)
        XCTAssertEqual(map.counterpart[0], 444)
        let centre = mean.reduce(SIMD3<Float>(), +).x / Float(mean.count)
        func mirrorError(_ i: Int) -> Float {
            var m = mean[i]
            m.x = 2 * centre - m.x
            let d = m - mean[map.counterpart[i]]
            return (d * d).sum().squareRoot()
        }
        let given = (0..<845).map(mirrorError).reduce(0, +) / 845
        let derived = (845..<3448).map(mirrorError).reduce(0, +) / Float(3448 - 845)
        print("symmetry: mean mirror error \(given) mm over the 845 given pairs, \(derived) mm over the derived ones")
        XCTAssertTrue((0..<845).allSatisfy { map.counterpart[map.counterpart[$0]] == $0 }, "the given map is an involution")
        XCTAssertLessThan(given, 1, "mean mirror error of the given pairs (mm)")
        XCTAssertLessThan(derived, 1, "mean mirror error of the derived pairs (mm)")
    }

    func testLandmarkMappingErrorsNameTheLine() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/map.txt"
        try "[landmark_mappings]\n9 = 33\n31 = 5000\n".write(toFile: path, atomically: false, encoding: .utf8)
        assertBadFile(try LandmarkMapping.read(path, vertexCount: 3448), path: path, mentions: ["line 3", "5000", "0..<3448"])
        try "[contour_landmarks]\nright = [ 1,\n 2,\n".write(toFile: path, atomically: false, encoding: .utf8)
        assertBadFile(try LandmarkMapping.read(path, vertexCount: 3448), path: path, mentions: ["line 2", "never closed"])
    }
}
