import Foundation
import XCTest

// GraphDefInt8: a GraphDef's weights stored as int8 with one scale per output channel and read
// back by GraphDef.read within half a step of each weight, the rest of the file unchanged; bad
// input as named errors; FaceNet so stored against OpenCV's embeddings of the original.
@testable import Engine

final class GraphDefInt8Tests: XCTestCase {
    private func write(_ data: Data, _ name: String = "graph.pb") throws -> String {
        let path = try scratchFolder(self) + "/" + name
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func testLargeConstantsRoundTripWithinHalfAStepAndTheRestIsCopied() throws {
        var rng = SplitMix64(seed: "int8 weights")
        let (c, k) = (2, 4)
        // HWIO: channel k is the last axis; the last channel is all zero (scale 0, values 0).
        let weights = (0..<(9 * c * k)).map { i in
            i % k == k - 1 ? 0 : (rng.nextUnit() - 0.5) * Float(1 + i % k)
        }
        let bias = (0..<k).map { _ in rng.nextUnit() - 0.5 }
        let source = try write(
            Proto.graph([
                Proto.node(
                    "input", "Placeholder", [],
                    ["shape": Proto.message { $0.field(7, Proto.shape([1, 5, 5, c])) }]),
                Proto.node("w", "Const", [], ["value": Proto.floatTensor([3, 3, c, k], weights)]),
                Proto.node("b", "Const", [], ["value": Proto.floatTensor([k], bias)]),
                Proto.node(
                    "conv", "Conv2D", ["input:0", "w"],
                    ["strides": Proto.ints([1, 1, 1, 1]), "padding": Proto.string("SAME")]),
                Proto.node("biased", "BiasAdd", ["conv", "b"]),
            ]))
        let output = try scratchFolder(self) + "/int8.pb"
        let summary = try GraphDefInt8.write(source, to: output, minimumElements: 16)
        XCTAssertEqual(summary.quantized, 1)
        XCTAssertEqual(summary.quantizedElements, weights.count)
        XCTAssertLessThan(summary.bytesAfter, summary.bytesBefore)
        XCTAssertLessThanOrEqual(summary.largestRelativeError, 1.0 / 254 + 1e-6)

        let original = try GraphDef.read(source)
        let compact = try GraphDef.read(output)
        XCTAssertEqual(compact.nodes.map(\.name), original.nodes.map(\.name))
        XCTAssertEqual(compact.nodes.map(\.op), original.nodes.map(\.op))
        XCTAssertEqual(compact.nodes.map(\.inputs), original.nodes.map(\.inputs))
        for (a, b) in zip(original.nodes, compact.nodes) where a.name != "w" {
            XCTAssertEqual(a.attributes, b.attributes, a.name)
        }
        guard case .tensor(let read) = compact.nodes[1].attributes["value"] else {
            return XCTFail("w has no tensor")
        }
        XCTAssertEqual(read.dtype, GraphTensor.float32)
        XCTAssertEqual(read.shape, [3, 3, c, k])
        for channel in 0..<k {
            let indices = Array(stride(from: channel, to: weights.count, by: k))
            let largest = indices.map { abs(weights[$0]) }.max()!
            for i in indices {
                XCTAssertLessThanOrEqual(abs(read.floats[i] - weights[i]), largest / 254 * 1.0001, "w[\(i)]")
            }
        }
        XCTAssertTrue(stride(from: k - 1, to: weights.count, by: k).allSatisfy { read.floats[$0] == 0 })
        XCTAssertNotEqual(read.floats, weights, "the weights were stored as int8, not copied")
        // A second pass finds nothing left to store as int8.
        XCTAssertThrowsError(try GraphDefInt8.write(output, to: output + ".again", minimumElements: 16))
    }

    func testAnInt8ConstantWithoutOneScalePerChannelIsABadFile() throws {
        let codes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let scales: [Float] = [0.1, 0.2, 0.3]  // shape [2, 4] needs 4
        let tensor = Proto.message { p in
            p.field(
                8,
                Proto.message { t in
                    t.field(1, varint: GraphDefInt8.int8)
                    t.field(2, Proto.shape([2, 4]))
                    t.field(4, codes)
                    t.field(5, scales.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
                })
        }
        let path = try write(Proto.graph([Proto.node("w", "Const", [], ["value": tensor])]))
        XCTAssertThrowsError(try GraphDef.read(path)) { error in
            XCTAssertTrue("\(error)".contains("an int8 constant of shape [2, 4] with 3 scales"), "\(error)")
        }
    }

    func testAGraphWithoutWeightsIsABadFileAndNothingIsWritten() throws {
        let source = try write(
            Proto.graph([
                Proto.node(
                    "input", "Placeholder", [], ["shape": Proto.message { $0.field(7, Proto.shape([1, 4])) }]),
                Proto.node("b", "Const", [], ["value": Proto.floatTensor([4], [1, 2, 3, 4])]),
            ]))
        let output = try scratchFolder(self) + "/int8.pb"
        XCTAssertThrowsError(try GraphDefInt8.write(source, to: output)) { error in
            XCTAssertTrue("\(error)".contains("no float32 constant of rank ≥ 2"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    /// The bound: FaceNet travels to a GPU machine in at most 35 MiB; its embeddings of
    /// the three fixture crops stay within cosine 0.9995 of OpenCV's on the original graph.
    func testFaceNetWithInt8WeightsKeepsOpenCVsEmbeddings() throws {
        let original = try FaceNetTests.model()
        let output = try scratchFolder(self) + "/facenet-int8.pb"
        try GraphDefInt8.write(original.path, to: output)
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int)
        XCTAssertLessThanOrEqual(size, 35 << 20)
        let network = try FaceNet(path: output)
        let g = Graph()
        let embedding = try network.build(g, image: g.input("image", [1, 3, 160, 160])).embedding
        let program = try Program(graph: g, outputs: [embedding], device: CPUBackend.shared)
        let reference = try SafetensorsFile(FaceNetTests.fixtures + "/reference.safetensors")
        for name in FaceNetTests.inputs {
            try program.set("image", try FaceNetTests.crop(name))
            try program.run()
            let values = try program.read(embedding).values
            let expected = try reference.tensor("\(name).embedding").values
            let cosine =
                zip(values, expected).map { Double($0) * Double($1) }.reduce(0, +)
                / (norm(values) * norm(expected))
            XCTAssertGreaterThanOrEqual(cosine, 0.9995, name)
            XCTAssertLessThan(
                cosine, 0.999_99, "\(name): int8 weights should not give the original's embedding exactly")
        }
    }
}
