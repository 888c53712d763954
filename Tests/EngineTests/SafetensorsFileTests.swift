// safetensors: round trips of F32/I32 with metadata, the other float dtypes, and headers that
// lie about sizes, offsets or types.
@testable import Engine
import Foundation
import XCTest

/// A safetensors file from a raw header text and data bytes.
private func safetensors(header: String, data: [UInt8]) -> Data {
    var out = ByteWriter()
    out.append(UInt64(header.utf8.count))
    out.append(text: header)
    out.data.append(contentsOf: data)
    return out.data
}

final class SafetensorsFileTests: XCTestCase {
    func testRoundTripWithMetadata() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/params.safetensors"
        let weights = HostTensor([2, 3], [1, -2.5, 3e-8, .pi, 0, -0])
        let index = HostTensor([4], indices: [0, -1, 7, Int32.max])
        let scalar = HostTensor([], [42])
        try SafetensorsFile.write([("w \"quoted\"", weights), ("index", index), ("s", scalar), ("empty", HostTensor([0, 5], []))],
                                  metadata: ["format": "pt", "fit": "stage 1\n"], to: path)
        let file = try SafetensorsFile(path)
        XCTAssertEqual(file.entries.map(\.name), ["w \"quoted\"", "index", "s", "empty"])
        XCTAssertEqual(file.entries.map(\.dtype), ["F32", "I32", "F32", "F32"])
        XCTAssertEqual(file.metadata, ["format": "pt", "fit": "stage 1\n"])
        XCTAssertEqual(try file.tensor("w \"quoted\""), weights)
        XCTAssertEqual(try file.tensor("index"), index)
        XCTAssertEqual(try file.tensor("s"), scalar)
        XCTAssertEqual(try file.tensor("empty").shape, [0, 5])
        let headerLength = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertEqual(headerLength % 8, 0, "data starts 8-byte aligned")
        assertBadFile(try file.tensor("nope"), path: path, mentions: ["no tensor 'nope'", "index"])
    }

    func testOtherDtypesConvert() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/mixed.safetensors"
        var data = ByteWriter()
        data.append(UInt16(0x3C00)); data.append(UInt16(0xC000))   // F16 1, -2
        data.append(UInt16(0x3FC0))                                  // BF16 1.5
        data.append([Double(0.25)])                                  // F64
        data.append(Int64(-3))                                       // I64
        data.append(UInt8(7))                                        // U8
        let header = #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]},"#
            + #""d":{"dtype":"F64","shape":[1],"data_offsets":[6,14]},"l":{"dtype":"I64","shape":[1],"data_offsets":[14,22]},"#
            + #""u":{"dtype":"U8","shape":[1],"data_offsets":[22,23]}}"#
        try safetensors(header: header, data: [UInt8](data.data)).write(to: URL(fileURLWithPath: path))
        let file = try SafetensorsFile(path)
        XCTAssertEqual(try file.tensor("h").values, [1, -2])
        XCTAssertEqual(try file.tensor("b").values, [1.5])
        XCTAssertEqual(try file.tensor("d").values, [0.25])
        XCTAssertEqual(try file.tensor("l").indices, [-3])
        assertBadFile(try file.tensor("u"), path: path, mentions: ["U8", "readable dtypes"])
    }

    func testBrokenHeadersGiveClearErrors() throws {
        let folder = try scratchFolder(self)
        let path = folder + "/bad.safetensors"
        let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        for (file, words) in [
            (safetensors(header: good, data: [UInt8](repeating: 0, count: 4)), ["outside the 4 data bytes"]),
            (safetensors(header: good, data: [UInt8](repeating: 0, count: 12)), ["cover 8 data bytes", "has 12"]),
            (safetensors(header: good, data: []).prefix(30), ["header length", "truncated"]),
            (Data([1, 2, 3]), ["too short"]),
            (safetensors(header: "[1, 2]", data: []), ["not a JSON object"]),
            (safetensors(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)),
             ["12 bytes", "span 8"]),
            (safetensors(header: #"{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)),
             ["unknown dtype 'Q4'"]),
            (safetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                         data: [UInt8](repeating: 0, count: 8)), ["overlap or a hole"]),
            (safetensors(header: #"{"a":{"dtype":"F32","shape":[2]}}"#, data: []), ["lacks dtype, shape or data_offsets"]),
        ] {
            try file.write(to: URL(fileURLWithPath: path))
            assertBadFile(try SafetensorsFile(path), path: path, mentions: words)
        }
        assertBadFile(try SafetensorsFile(folder), path: folder, mentions: ["is a folder"])
        assertBadFile(try SafetensorsFile.write([("a", HostTensor([1], [0])), ("a", HostTensor([1], [1]))], to: path),
                      path: path, mentions: ["distinct"])
    }
}
