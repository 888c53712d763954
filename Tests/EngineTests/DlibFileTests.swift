// dlib's serialisation read natively: the real model files (fetched by scripts/fetch-models.sh)
// give the layer sequences their network definitions expect; truncated and altered copies are
// clear badFile errors.
@testable import Engine
import Foundation
import XCTest

enum DlibModels {
    /// A model file fetched by scripts/fetch-models.sh; a skip when absent, a failure under CI=true.
    static func path(_ name: String) throws -> String {
        let path = Repository.path("models/downloaded/dlib/" + name)
        guard FileManager.default.fileExists(atPath: path) else {
            let message = "\(path) is missing: run `bash scripts/fetch-models.sh` (scripts/test.sh does)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(message) }
            throw XCTSkip(message)
        }
        return path
    }
}

final class DlibFileTests: XCTestCase {
    func testCompactIntegersAndRealsDecodeAsDlibWritesThem() throws {
        // 1 → 01 01; −300 → 82 2c 01; 0.5 = 1·2^−1 → mantissa 01 01, exponent 81 01; "ab" → 01 02 'a' 'b'.
        var r = DlibReader(bytes: [0x01, 0x01, 0x82, 0x2C, 0x01, 0x01, 0x01, 0x81, 0x01, 0x01, 0x02, 0x61, 0x62,
                                   0x31], path: "mem", format: "a test stream")
        XCTAssertEqual(try r.int("one"), 1)
        XCTAssertEqual(try r.int("minus 300"), -300)
        XCTAssertEqual(try r.real("a half"), 0.5)
        XCTAssertEqual(try r.string("ab"), "ab")
        XCTAssertEqual(try r.bool("true"), true)
        XCTAssertThrowsError(try r.int("past the end"))
    }

    func testTheMMODDetectorFileReadsAsItsNetwork() throws {
        let net = try DlibNetworkFile(path: try DlibModels.path("mmod_human_face_detector.dat"), format: "a dlib network")
        // net_type of dlib's dnn_mmod_face_detection_ex: 3 × (con5d, bn, relu), 3 × (con5, bn, relu), con 9×9.
        let block = ["con", "affine", "relu"]
        XCTAssertEqual(net.layers.map(\.kind), ["input"] + Array(repeating: block, count: 6).flatMap { $0 } + ["con"])
        guard case let .mmod(options) = net.loss else { return XCTFail("expected loss_mmod") }
        XCTAssertEqual(options.windows.map(\.width), [80])
        XCTAssertEqual(options.windows.map(\.height), [80])
        guard case let .input(input) = net.layers[0] else { return XCTFail("expected the input first") }
        XCTAssertEqual(input.kind, "input_rgb_image_pyramid")
        XCTAssertEqual(input.mean.red, 122.782, accuracy: 1e-3)
        guard case let .convolution(weights, shape, bias, stride, padding) = net.layers[1] else { return XCTFail() }
        XCTAssertEqual(shape, [16, 3, 5, 5])
        XCTAssertEqual(weights.count, 16 * 3 * 25)
        XCTAssertEqual(bias?.count, 16)
        XCTAssertEqual([stride.y, stride.x, padding.y, padding.x], [2, 2, 0, 0])
    }

    func testTruncatedAndAlteredNetworkFilesAreClearErrors() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try DlibModels.path("mmod_human_face_detector.dat"))))
        let folder = try scratchFolder(self)
        let cut = folder + "/cut.dat", altered = folder + "/altered.dat", extra = folder + "/extra.dat"
        try Data(bytes[0..<bytes.count / 2]).write(to: URL(fileURLWithPath: cut))
        var changed = bytes
        changed[4...13] = ArraySlice(Array("loss_xxxx_".utf8))
        try Data(changed).write(to: URL(fileURLWithPath: altered))
        try Data(bytes + [1, 1]).write(to: URL(fileURLWithPath: extra))
        assertBadFile(try DlibNetworkFile(path: cut, format: "a dlib network"), path: cut, mentions: ["truncated"])
        assertBadFile(try DlibNetworkFile(path: altered, format: "a dlib network"), path: altered,
                      mentions: ["loss_xxxx_", "expected loss_mmod_"])
        assertBadFile(try DlibNetworkFile(path: extra, format: "a dlib network"), path: extra, mentions: ["2 bytes follow"])
    }

    func testTheResNetDescriptorFileReadsAsItsNetwork() throws {
        let net = try DlibNetworkFile(path: try DlibModels.path("dlib_face_recognition_resnet_model_v1.dat"),
                                      format: "a dlib network")
        let kinds = net.layers.map(\.kind)
        XCTAssertEqual(kinds.filter { $0 == "con" }.count, 29)
        XCTAssertEqual(kinds.filter { $0 == "add_prev" }.count, 14)
        XCTAssertEqual(Array(kinds.prefix(5)), ["input", "con", "affine", "relu", "max_pool"])
        XCTAssertEqual(Array(kinds.suffix(2)), ["avg_pool", "fc"])
        guard case let .fullyConnected(weights, inputs, outputs, bias) = net.layers.last! else { return XCTFail() }
        XCTAssertEqual([inputs, outputs, weights.count], [256, 128, 256 * 128])
        XCTAssertNil(bias)
        guard case let .input(input) = net.layers[0] else { return XCTFail("expected the input first") }
        XCTAssertEqual([input.rows, input.cols], [150, 150])
    }
}
