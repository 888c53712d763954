// The folder where ganfit-gpu keeps what it can compute again (compiled OpenCL programs, model
// files' SHA-256s): GANFIT_CACHE_DIR, else $XDG_CACHE_HOME/ganfit-gpu, else ~/.cache/ganfit-gpu;
// a temporary folder when none of these is writable.
import Foundation

public enum CacheFolder {
    /// The first of the candidates that exists or can be made, and is writable; nil when none is.
    public static var url: URL? {
        let env = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let dir = env["GANFIT_CACHE_DIR"], !dir.isEmpty { candidates.append(dir) }
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { candidates.append(xdg + "/ganfit-gpu") }
        if let home = env["HOME"], !home.isEmpty { candidates.append(home + "/.cache/ganfit-gpu") }
        candidates.append(NSTemporaryDirectory() + "ganfit-gpu-cache-\(getuid())")
        for path in candidates {
            let url = URL(fileURLWithPath: path, isDirectory: true)
            try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            if FileManager.default.isWritableFile(atPath: url.path) { return url }
        }
        return nil
    }
}
