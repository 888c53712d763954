// A fit's settings as JSON: every default printed (snake_case keys, as report.json records them),
// and a settings file read over the defaults, so a file need only name what it changes.
import Foundation

extension FitSettings {
    /// The settings as pretty-printed JSON with snake_case keys (unset optionals as null).
    public func json() throws -> Data {
        var object = Self.renamed(try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)), Self.snakeCase)
            as? [String: Any] ?? [:]
        for key in Self.keys where object[key] == nil { object[key] = NSNull() }
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    /// The defaults with the values `data` (a JSON object, from `source`) gives; nested objects
    /// such as `landmark_rates` may give some of their fields. Unknown keys, wrong types and negative
    /// numbers are errors that name the key.
    public static func read(_ data: Data, source: String) throws -> FitSettings {
        func problem(_ text: String) -> EngineError {
            .badFile(path: source, problem: text + "; `ganfit-gpu fit --print-settings` prints every setting and its default")
        }
        guard let given = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw problem("is not a JSON object of settings")
        }
        let defaults = try JSONSerialization.jsonObject(with: FitSettings().json()) as? [String: Any] ?? [:]
        func merge(_ base: [String: Any], _ over: [String: Any], path: String) throws -> [String: Any] {
            var merged = base
            for (key, value) in over {
                guard let old = base[key] else {
                    throw problem("has an unknown setting '\(path)\(key)' (settings: \(base.keys.sorted().joined(separator: ", ")))")
                }
                if let inner = old as? [String: Any] {
                    guard let overInner = value as? [String: Any] else { throw problem("'\(path)\(key)' must be an object") }
                    merged[key] = try merge(inner, overInner, path: path + key + ".")
                } else {
                    if path.isEmpty, Self.integerKeys.contains(key), let number = value as? Double, number != number.rounded() {
                        throw problem("gives '\(key)' the value \(number); it must be a whole number")
                    }
                    if let number = value as? Double, number < 0 {
                        throw problem("gives '\(path)\(key)' the value \(number); no setting is negative (0 turns a stage or a term off)")
                    }
                    if path.isEmpty, Self.countsFromOne(key), let number = value as? Double, number < 1 {
                        throw problem(
                            "gives '\(key)' the value \(number); an interval or a size is at least 1")
                    }
                    merged[key] = value
                }
            }
            return merged
        }
        let merged = Self.renamed(try merge(defaults, given, path: "").filter { !($0.value is NSNull) }, Self.camelCase)
        do {
            return try JSONDecoder().decode(FitSettings.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let error as DecodingError {
            let context: DecodingError.Context?
            switch error {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): context = c
            @unknown default: context = nil
            }
            let key = (context?.codingPath ?? []).map { Self.snakeCase($0.stringValue) }.joined(separator: ".")
            throw problem((key.isEmpty ? "gives a value" : "gives '\(key)' a value") + " of the wrong kind (a number, an "
                          + "integer for counts and sizes, true or false for a switch, a string for names, null for an "
                          + "unset option): "
                          + (context?.debugDescription ?? "\(error)"))
        }
    }

    /// Every setting's key (snake_case), optionals included.
    private static var keys: [String] { Mirror(reflecting: FitSettings()).children.compactMap(\.label).map(snakeCase) }

    /// The keys of the integer settings (counts and sizes).
    private static var integerKeys: Set<String> {
        Set(Mirror(reflecting: FitSettings()).children.filter { $0.value is Int }.compactMap(\.label).map(snakeCase))
    }

    /// Whether integer setting `key` is an interval or a texture's size, which 0 cannot mean.
    private static func countsFromOne(_ key: String) -> Bool {
        integerKeys.contains(key) && (key.hasSuffix("_interval") || key.hasSuffix("_size"))
    }

    /// `object` with the keys of its dictionaries (at any depth) renamed by `rename`.
    private static func renamed(_ object: Any, _ rename: (String) -> String) -> Any {
        guard let dictionary = object as? [String: Any] else { return object }
        return Dictionary(uniqueKeysWithValues: dictionary.map { (rename($0.key), renamed($0.value, rename)) })
    }

    /// landmarkNoise ↔ landmark_noise.
    private static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { out, c in out += c.isUppercase ? "_" + c.lowercased() : String(c) }
    }

    private static func camelCase(_ name: String) -> String {
        let words = name.split(separator: "_")
        return words.prefix(1).joined() + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
