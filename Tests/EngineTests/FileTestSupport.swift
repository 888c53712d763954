// Shared by the file-format tests: the repository's bundled files, a scratch folder per test,
// cereal strings for small broken archives, and an assertion for badFile errors.
@testable import Engine
import Foundation
import XCTest

enum Repository {
    /// The package root, found from this file's path (Tests/EngineTests/…).
    static let root = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func path(_ relative: String) -> String { root + "/" + relative }

    static let model = path("models/sfm/sfm_shape_3448.bin")
    static let blendshapes = path("models/sfm/expression_blendshapes_3448.bin")

    /// The Surrey model and the mesh of its mean shape (with UVs).
    static func meanMesh() throws -> (model: MorphableModel, mesh: Mesh) {
        let model = try EosModelFile.read(Repository.model)
        return (model, try Mesh(model: model, vertices: HostTensor([model.vertexCount, 3], model.shape.mean)))
    }
}

/// A new empty folder under the temporary directory, removed when the test ends.
func scratchFolder(_ test: XCTestCase) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ganfit-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url.path
}

extension ByteWriter {
    /// A cereal std::string: uint64 length, then the bytes.
    mutating func append(cereal text: String) {
        append(UInt64(text.utf8.count))
        append(text: text)
    }
}

/// Asserts that `body` throws EngineError.badFile for `path` whose problem mentions every one of `words`.
func assertBadFile<T>(_ body: @autoclosure () throws -> T, path: String, mentions words: [String],
                      file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        guard case let .badFile(errorPath, problem)? = error as? EngineError else {
            return XCTFail("expected badFile, got \(error)", file: file, line: line)
        }
        XCTAssertEqual(errorPath, path, file: file, line: line)
        for word in words where !problem.contains(word) {
            XCTFail("'\(problem)' does not mention '\(word)'", file: file, line: line)
        }
    }
}
