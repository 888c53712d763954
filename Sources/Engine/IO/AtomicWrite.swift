// Writing a file whole through a temporary file and a rename, so a failed write never leaves a
// half-written file at the destination.
import Foundation

public enum AtomicWrite {
    /// Writes `data` to `path`: to a temporary file in the same folder first, then renamed over.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw EngineError.badFile(path: path, problem: "is a folder; give a file name to write to")
        }
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw EngineError.badFile(path: path, problem: "cannot write: the folder \(folder) does not exist; create it first")
        }
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw failure(path, "cannot create a temporary file in \(folder)") }
        // The errno of the first step that fails: write, fsync, close or rename.
        var failure: Int32?
        let written = data.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        if !written { failure = errno }
        if failure == nil && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == nil { failure = errno }
        if failure == nil && rename(temporary, path) != 0 { failure = errno }
        if let failure {
            let reason = String(cString: strerror(failure))
            unlink(temporary)
            throw EngineError.badFile(path: path, problem: "cannot write: \(reason); nothing was written there")
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(text: String, to path: String) throws { try write(Data(text.utf8), to: path) }

    private static func failure(_ path: String, _ what: String) -> EngineError {
        EngineError.badFile(path: path, problem: "\(what): \(String(cString: strerror(errno)))")
    }
}
