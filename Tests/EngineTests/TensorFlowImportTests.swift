// The GraphDef reader and importer on small graphs written here in the protobuf wire format:
// TensorFlow's NHWC semantics against a direct computation, and bad input as named errors.
@testable import Engine
import Foundation
import XCTest

/// Protocol-buffer encoding of the few GraphDef messages these tests (and GraphDefInt8Tests) need.
struct Proto {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    mutating func field(_ number: Int, _ payload: [UInt8]) {
        varint(UInt64(number << 3 | 2))
        varint(UInt64(payload.count))
        bytes += payload
    }

    mutating func field(_ number: Int, varint value: Int) {
        varint(UInt64(number << 3))
        varint(UInt64(bitPattern: Int64(value)))
    }

    static func message(_ build: (inout Proto) -> Void) -> [UInt8] {
        var p = Proto()
        build(&p)
        return p.bytes
    }

    static func shape(_ dims: [Int]) -> [UInt8] {
        message { p in for d in dims { p.field(2, message { $0.field(1, varint: d) }) } }
    }

    static func ints(_ values: [Int]) -> [UInt8] { message { p in p.field(1, message { q in values.forEach { q.field(3, varint: $0) } }) } }
    static func string(_ text: String) -> [UInt8] { message { $0.field(2, Array(text.utf8)) } }

    static func floatTensor(_ shape: [Int], _ values: [Float]) -> [UInt8] {
        message { p in
            p.field(8, message { t in
                t.field(1, varint: GraphTensor.float32)
                t.field(2, Proto.shape(shape))
                t.field(4, values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
            })
        }
    }

    static func intTensor(_ values: [Int]) -> [UInt8] {
        message { p in
            p.field(8, message { t in
                t.field(1, varint: GraphTensor.int32)
                t.field(2, Proto.shape([values.count]))
                t.field(4, values.flatMap { withUnsafeBytes(of: Int32($0).littleEndian, Array.init) })
            })
        }
    }

    static func node(_ name: String, _ op: String, _ inputs: [String] = [], _ attributes: [String: [UInt8]] = [:]) -> [UInt8] {
        message { p in
            p.field(1, Array(name.utf8))
            p.field(2, Array(op.utf8))
            for input in inputs { p.field(3, Array(input.utf8)) }
            for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
                p.field(5, message { $0.field(1, Array(key.utf8)); $0.field(2, value) })
            }
        }
    }

    static func graph(_ nodes: [[UInt8]]) -> Data { Data(message { p in nodes.forEach { p.field(1, $0) } }) }
}

final class TensorFlowImportTests: XCTestCase {
    private func write(_ data: Data) throws -> String {
        let path = try scratchFolder(self) + "/graph.pb"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Conv2D (3×3, stride 2, SAME: asymmetric padding on this size) + BiasAdd + Relu, then a
    /// Reshape that flattens in NHWC order, against the NHWC definition computed here.
    func testConvolutionAndFlattenFollowTensorFlowsNHWCSemantics() throws {
        let (h, w, c, k) = (5, 6, 2, 4)
        var rng = SplitMix64(seed: "tf import")
        let weights = (0..<(9 * c * k)).map { _ in rng.nextUnit() - 0.5 }  // HWIO
        let bias = (0..<k).map { _ in rng.nextUnit() - 0.5 }
        let image = (0..<(h * w * c)).map { _ in rng.nextUnit() }  // NHWC
        let path = try write(Proto.graph([
            Proto.node("input", "Placeholder", [], ["shape": Proto.message { $0.field(7, Proto.shape([1, h, w, c])) }]),
            Proto.node("w", "Const", [], ["value": Proto.floatTensor([3, 3, c, k], weights)]),
            Proto.node("b", "Const", [], ["value": Proto.floatTensor([k], bias)]),
            Proto.node("conv", "Conv2D", ["input:0", "w"], ["strides": Proto.ints([1, 2, 2, 1]), "padding": Proto.string("SAME")]),
            Proto.node("biased", "BiasAdd", ["conv", "b", "^input"]),
            Proto.node("relu", "Relu", ["biased"]),
            Proto.node("shape", "Const", [], ["value": Proto.intTensor([1, -1])]),
            Proto.node("flat", "Reshape", ["relu", "shape"]),
        ]))
        let g = Graph()
        let x = g.input("x", [1, c, h, w])
        var importer = try TensorFlowImporter(try GraphDef.read(path), path: path, into: g, placeholder: "input", input: x)
        let flat = try importer.value("flat")
        var nchw = [Float](repeating: 0, count: image.count)
        for y in 0..<h { for xx in 0..<w { for ch in 0..<c { nchw[(ch * h + y) * w + xx] = image[(y * w + xx) * c + ch] } } }
        let result = try g.evaluate([flat], feeds: ["x": HostTensor([1, c, h, w], nchw)])[0]
        // TensorFlow SAME, stride 2: output ceil(5/2)=3 × ceil(6/2)=3; padding top 1 bottom 1, left 0 right 1.
        let (p, q, top, left) = (3, 3, 1, 0)
        var expected: [Float] = []
        for oy in 0..<p { for ox in 0..<q { for ko in 0..<k {
            var sum = bias[ko]
            for r in 0..<3 { for s in 0..<3 { for ch in 0..<c {
                let iy = oy * 2 - top + r, ix = ox * 2 - left + s
                if iy >= 0, iy < h, ix >= 0, ix < w { sum += image[(iy * w + ix) * c + ch] * weights[((r * 3 + s) * c + ch) * k + ko] }
            } } }
            expected.append(Swift.max(sum, 0))
        } } }
        XCTAssertEqual(result.shape, [1, p * q * k])
        assertClose(result.values, expected, atol: 1e-5, rtol: 1e-5)
    }

    func testAnUnsupportedOpIsNamedWithItsNode() throws {
        let path = try write(Proto.graph([
            Proto.node("input", "Placeholder", [], ["shape": Proto.message { $0.field(7, Proto.shape([1, 2, 2, 3])) }]),
            Proto.node("probabilities", "Softmax", ["input"]),
        ]))
        let g = Graph()
        var importer = try TensorFlowImporter(try GraphDef.read(path), path: path, into: g, placeholder: "input",
                                              input: g.input("x", [1, 3, 2, 2]))
        XCTAssertThrowsError(try importer.value("probabilities")) { error in
            XCTAssertTrue("\(error)".contains("Softmax") && "\(error)".contains("probabilities"), "\(error)")
        }
    }

    func testACycleAnAxisOutOfRangeAndAnImpossibleConstantAreErrors() throws {
        let input = Proto.node("input", "Placeholder", [], ["shape": Proto.message { $0.field(7, Proto.shape([1, 2, 2, 3])) }])
        let path = try write(Proto.graph([
            input, Proto.node("a", "Relu", ["b"]), Proto.node("b", "Relu", ["a"]),
            Proto.node("axis", "Const", [], ["value": Proto.intTensor([7])]),
            Proto.node("joined", "ConcatV2", ["input", "input", "axis"]),
        ]))
        let g = Graph()
        var importer = try TensorFlowImporter(try GraphDef.read(path), path: path, into: g, placeholder: "input",
                                              input: g.input("x", [1, 3, 2, 2]))
        assertBadFile(try importer.value("a"), path: path, mentions: ["cycle"])
        assertBadFile(try importer.value("joined"), path: path, mentions: ["axis", "got 7"])
        let huge = try write(Proto.graph([Proto.node("w", "Const", [], ["value": Proto.message { p in
            p.field(8, Proto.message { t in
                t.field(1, varint: GraphTensor.float32)
                t.field(2, Proto.shape([1 << 32, 1 << 32]))
            })
        }])]))
        assertBadFile(try GraphDef.read(huge), path: huge, mentions: ["2³¹ elements"])
    }

    func testTruncatedAndForeignFilesAreBadFiles() throws {
        let graph = Proto.graph([Proto.node("input", "Placeholder"), Proto.node("relu", "Relu", ["input"])])
        let truncated = try write(graph.prefix(graph.count - 3))
        assertBadFile(try GraphDef.read(truncated), path: truncated, mentions: ["truncated or corrupt"])
        let foreign = try write(Data("version: 1\nn_points: 68\n".utf8))
        assertBadFile(try GraphDef.read(foreign), path: foreign, mentions: ["GraphDef"])
    }

    func testInfoListsAGraphsOpsAndWhatTheImporterLacks() throws {
        let path = try write(Proto.graph([
            Proto.node("input", "Placeholder", [], ["shape": Proto.message { $0.field(7, Proto.shape([1, 2, 2, 3])) }]),
            Proto.node("relu", "Relu", ["input"]), Proto.node("probabilities", "Softmax", ["relu"]),
        ]))
        let text = try FileDescription.describe(path)
        XCTAssertTrue(text.contains("3 nodes; inputs: input [1, 2, 2, 3]"), text)
        XCTAssertTrue(text.contains("Placeholder 1, Relu 1, Softmax 1"), text)
        XCTAssertTrue(text.contains("does not support: Softmax"), text)
    }

    func testAMissingFaceNetModelSaysHowToFetchIt() throws {
        let empty = try scratchFolder(self)
        XCTAssertThrowsError(try FaceNet.locate(environment: ["GANFIT_MODELS": empty], searchFolders: [empty])) { error in
            XCTAssertTrue("\(error)".contains("scripts/fetch-models.sh"), "\(error)")
        }
    }

    /// $GANFIT_MODELS may hold the models flat (facenet/…) or be a models/ folder as
    /// scripts/install.sh lays it out (sfm/ beside downloaded/facenet/…): both find FaceNet.
    func testGanfitModelsFindsFlatAndInstalledLayouts() throws {
        let flat = try scratchFolder(self), installed = try scratchFolder(self)
        let empty = try scratchFolder(self)
        for file in [flat + "/facenet/graph_final.pb", installed + "/downloaded/facenet/graph_final.pb"] {
            try FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data()))
        }
        func locate(_ models: String) throws -> String {
            try ModelFiles.locate("facenet/graph_final.pb", what: "FaceNet", flag: "--facenet",
                                  environment: ["GANFIT_MODELS": models], searchFolders: [empty])
        }
        XCTAssertEqual(try locate(flat), flat + "/facenet/graph_final.pb")
        XCTAssertEqual(try locate(installed), installed + "/downloaded/facenet/graph_final.pb")
        XCTAssertThrowsError(try locate(empty))
    }
}
