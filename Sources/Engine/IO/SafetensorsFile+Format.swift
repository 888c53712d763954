// safetensors files that say what they hold: a metadata `format` checked on opening, and errors
// that name the file and what it should have been (the texture models' files).

extension SafetensorsFile {
    /// Opens `path` and checks that its metadata's `format` is `format`; `expected` describes the
    /// file for errors ("a linear texture model: …").
    convenience init(_ path: String, format: String, expected: String) throws {
        try self.init(path)
        guard metadata["format"] == format else {
            throw problem(
                "its metadata has format '\(metadata["format"] ?? "none")', not '\(format)'",
                expected: expected)
        }
    }

    /// An error naming the file, `text` and what the file should have been.
    func problem(_ text: String, expected: String) -> EngineError {
        .badFile(path: path, problem: text + " (expected \(expected))")
    }
}
