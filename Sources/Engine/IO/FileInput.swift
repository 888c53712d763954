// Reading files whole or memory-mapped, with errors that name the file: missing, a folder,
// unreadable, or empty.
import Foundation

public enum FileInput {
    /// The size of the regular file at `path`, or badFile saying why it cannot be read as `what`.
    static func regularFileSize(_ path: String, what: String) throws -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            throw EngineError.badFile(path: path, problem: "cannot open \(what): \(reason); check the path")
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw EngineError.badFile(path: path, problem: "is a folder, expected \(what); name a file inside it")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw EngineError.badFile(path: path, problem: "is not a regular file, expected \(what)")
        }
        guard status.st_size > 0 else {
            throw EngineError.badFile(path: path, problem: "is empty (0 bytes), expected \(what)")
        }
        return Int(status.st_size)
    }

    /// The whole file's bytes.
    public static func read(_ path: String, what: String) throws -> Data {
        _ = try regularFileSize(path, what: what)
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw EngineError.badFile(path: path, problem: "cannot read \(what): \(error.localizedDescription)")
        }
    }

    /// Up to the first `count` bytes of the file (for recognising its format).
    public static func head(_ path: String, count: Int, what: String) throws -> Data {
        _ = try regularFileSize(path, what: what)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw EngineError.badFile(path: path, problem: "cannot open \(what): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        return handle.readData(ofLength: count)
    }

    /// The whole file as UTF-8 text.
    public static func text(_ path: String, what: String) throws -> String {
        let data = try read(path, what: what)
        guard let text = String(data: data, encoding: .utf8) else {
            throw EngineError.badFile(path: path, problem: "is not UTF-8 text, expected \(what)")
        }
        return text
    }
}

/// A file mapped read-only into memory (mmap), unmapped when released.
public final class MappedFile {
    public let path: String
    /// The file's bytes, valid while this object lives.
    public let bytes: UnsafeRawBufferPointer

    public init(_ path: String, what: String) throws {
        let size = try FileInput.regularFileSize(path, what: what)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw EngineError.badFile(path: path, problem: "cannot open \(what): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw EngineError.badFile(path: path, problem: "cannot map \(what) into memory: \(String(cString: strerror(errno)))")
        }
        self.path = path
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
