// A batch list (LIST.txt): a line per person, their photos separated by spaces; blank lines and
// # comments skipped; relative paths taken from the list's folder; each line's output folder name.
import Foundation

/// One line of a batch list.
public struct BatchEntry: Equatable, Sendable {
    /// 0-based among the list's photo lines (blank lines and comments not counted): what --shard splits.
    public let index: Int
    /// 1-based line number in the file, for messages.
    public let lineNumber: Int
    /// The photos, absolute paths.
    public let photos: [String]
    /// The output folder's name (see `BatchList.folderName`).
    public let name: String
}

public enum BatchList {
    /// The entries of the list file at `path`; errors name the file.
    public static func read(_ path: String) throws -> [BatchEntry] {
        let data = try FileInput.read(path, what: "a batch list (one photo per line)")
        guard let text = String(data: data, encoding: .utf8) else {
            throw EngineError.badFile(path: path, problem: "is not UTF-8 text; give one photo path per line")
        }
        let folder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        let entries = parse(text, folder: folder)
        guard !entries.isEmpty else {
            throw EngineError.badFile(path: path, problem: "lists no photos; give one photo path per line")
        }
        return entries
    }

    /// The entries of `text`, relative paths resolved from `folder`.
    public static func parse(_ text: String, folder: String) -> [BatchEntry] {
        var entries: [BatchEntry] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let first = words.first, !first.hasPrefix("#") else { continue }
            let photos = words.map {
                URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: folder + "/"))
                    .standardizedFileURL.path
            }
            entries.append(
                BatchEntry(
                    index: entries.count, lineNumber: number + 1, photos: photos,
                    name: folderName(photos, listFolder: folder)))
        }
        return entries
    }

    /// A readable name unique to `photos`: the first photo's path (from `listFolder` when under it),
    /// extension dropped, '/' and anything but letters, digits, '.', '-' and '_' made '_', at most
    /// 60 characters, then '-' and 8 hex digits of the SHA-256 of every absolute path (two img.jpg
    /// in different folders never share a name; the same line twice does).
    public static func folderName(_ photos: [String], listFolder: String) -> String {
        let first = photos[0]
        let prefix = listFolder.hasSuffix("/") ? listFolder : listFolder + "/"
        let relative = first.hasPrefix(prefix) ? String(first.dropFirst(prefix.count)) : first
        let stem = (relative as NSString).deletingPathExtension
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        var readable = String(stem.map { allowed.contains($0) ? $0 : "_" })
        while readable.hasPrefix(".") || readable.hasPrefix("_") { readable.removeFirst() }
        let hash = SHA256.hex(Array(photos.joined(separator: "\n").utf8)).prefix(8)
        return (readable.isEmpty ? "photo" : String(readable.suffix(60))) + "-" + hash
    }
}

/// Which lines one process of a split batch fits: `--shard I/N` takes the lines whose index i has
/// i % N == I, so N processes with I = 0…N−1 cover the list exactly once.
public struct BatchShard: Equatable, Sendable {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, (0..<count).contains(index) else {
            throw EngineError.invalidValue(
                "--shard takes I/N with N ≥ 1 and 0 ≤ I < N, got \(index)/\(count)")
        }
        (self.index, self.count) = (index, count)
    }

    /// Parses "I/N".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let i = parts[0], let n = parts[1] else {
            throw EngineError.invalidValue(
                "--shard takes I/N (this process's number from 0, and how many), got '\(text)'")
        }
        try self.init(index: i, count: n)
    }

    public func contains(_ entry: BatchEntry) -> Bool { entry.index % count == index }

    /// "I-of-N", as in the summary's file name batch.I-of-N.json.
    public var label: String { "\(index)-of-\(count)" }
}
