// The model files' SHA-256s in report.json's provenance, remembered in the cache folder: a record is
// used while the file is unchanged, and a changed file or a broken record is hashed again.
@testable import Engine
import Foundation
import XCTest

final class ModelFileHashesTests: XCTestCase {
    static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  // FIPS 180-2, "abc"

    func testARecordIsUsedUntilTheFileChanges() throws {
        let folder = try scratchFolder(self)
        let cache = URL(fileURLWithPath: folder + "/cache", isDirectory: true)
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let model = folder + "/model.bin"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: model))

        let first = try ModelFileHashes(folder: cache).file("facenet", model)
        XCTAssertEqual(first.sha256, Self.abc)
        XCTAssertEqual(first.role, "facenet")
        let records = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        XCTAssertEqual(records.count, 1)
        let record = cache.appendingPathComponent(records[0])
        XCTAssertEqual(try String(contentsOf: record, encoding: .utf8), Self.abc)

        // Another process (a new instance) reads the record instead of hashing: a record changed by
        // hand shows through.
        let planted = String(repeating: "0", count: 64)
        try planted.write(to: record, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ModelFileHashes(folder: cache).file("facenet", model).sha256, planted)

        // A broken record is hashed again and mended.
        try "not a digest".write(to: record, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ModelFileHashes(folder: cache).file("facenet", model).sha256, Self.abc)
        XCTAssertEqual(try String(contentsOf: record, encoding: .utf8), Self.abc)

        // A changed file is another record.
        try planted.write(to: record, atomically: true, encoding: .utf8)
        try Data("abcd".utf8).write(to: URL(fileURLWithPath: model))
        XCTAssertEqual(
            try ModelFileHashes(folder: cache).file("facenet", model).sha256,
            SHA256.hex(Array("abcd".utf8)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.path).count, 2)
    }

    func testWithoutACacheFolderFilesAreHashedAndAMissingFileIsAnError() throws {
        let folder = try scratchFolder(self)
        let model = folder + "/model.bin"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: model))
        XCTAssertEqual(try ModelFileHashes(folder: nil).file("facenet", model).sha256, Self.abc)
        let readOnly = URL(fileURLWithPath: "/proc", isDirectory: true)  // records cannot be written there
        XCTAssertEqual(try ModelFileHashes(folder: readOnly).file("facenet", model).sha256, Self.abc)
        XCTAssertThrowsError(try ModelFileHashes(folder: nil).file("facenet", folder + "/missing.bin"))
    }
}
