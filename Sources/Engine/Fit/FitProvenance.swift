// Where a fit's results came from: the project's version and commit, and the SHA-256 of every
// model file the fit read (report.json's `provenance`).
import Foundation

public struct FitProvenance: Codable, Sendable {
    /// The project's version (see `version`) and the commit the executable was built from (see `commit()`).
    public let version: String
    public let commit: String
    /// Each model file: what it is, its path, its SHA-256.
    public var models: [ModelFile]

    public struct ModelFile: Codable, Equatable, Sendable {
        public let role: String
        public let path: String
        public let sha256: String
    }

    /// The project's version, changed by hand at each release.
    public static let version = "0.4.0"

    public init(models: [ModelFile], commit: String = FitProvenance.commit()) {
        (self.version, self.commit, self.models) = (Self.version, commit, models)
    }

    /// The commit the executable was built from: the file EXECUTABLE.commit beside it (written by
    /// scripts/install.sh), else the commit of the git repository holding it (its folder or up to four
    /// above), read with `git describe --always --dirty --abbrev=40` ("-dirty": uncommitted changes);
    /// "unknown" when neither is there or git is not installed.
    public static func commit() -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        if let text = try? String(contentsOfFile: executable.path + ".commit", encoding: .utf8) {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path) {
                return git(["-C", folder.path, "describe", "--always", "--dirty", "--abbrev=40"]) ?? "unknown"
            }
            folder = folder.deletingLastPathComponent()
        }
        return "unknown"
    }

    private static func git(_ arguments: [String]) -> String? {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !text.isEmpty ? text : nil
    }
}

/// The SHA-256s of model files, each file hashed once per process (a batch hashes its models once)
/// and remembered across processes in the cache folder (`CacheFolder`), by the file's path, size,
/// modification time and inode: hashing FaceNet's and dlib's 220 MB took about 0.3 s of every fit.
public final class ModelFileHashes {
    private var known: [String: String] = [:]
    /// Where the hashes are remembered; nil: nowhere.
    private let folder: URL?

    public init(folder: URL? = CacheFolder.url) { self.folder = folder }

    /// `path`'s entry for the provenance, as `role` ("facenet", "sfm/sfm_shape_3448.bin", …).
    public func file(_ role: String, _ path: String) throws -> FitProvenance.ModelFile {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if known[absolute] == nil { known[absolute] = try remembered(absolute) }
        return FitProvenance.ModelFile(role: role, path: absolute, sha256: known[absolute]!)
    }

    /// The file's SHA-256 from its record in `folder` when one is there for the file as it is now,
    /// else hashed (and recorded, atomically; a folder that cannot be written is no error).
    private func remembered(_ path: String) throws -> String {
        var status = stat()
        guard let folder, stat(path, &status) == 0 else { return try SHA256.hex(file: path) }
        let identity = [
            path, "\(status.st_size)", "\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)", "\(status.st_ino)",
        ]
        let record = folder.appendingPathComponent(
            "sha256-" + SHA256.hex(Array(identity.joined(separator: "\n").utf8)).prefix(32))
        if let text = try? String(contentsOf: record, encoding: .utf8), text.count == 64,
            text.allSatisfy(\.isHexDigit)
        {
            return text
        }
        let digest = try SHA256.hex(file: path)
        try? digest.write(to: record, atomically: true, encoding: .utf8)
        return digest
    }
}
