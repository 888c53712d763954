// A shard's summary, batch.I-of-N.json in the output folder: per line its status, error, time and
// final losses, rewritten atomically after each line; and the reading of a finished folder's report.
import Foundation

/// What became of one line of the list.
public struct BatchRecord: Codable, Equatable, Sendable {
    /// 1-based line number in the list and 0-based index among its photo lines.
    public var line: Int
    public var index: Int
    public var photos: [String]
    /// The line's output folder, relative to the batch's output folder (absent when it failed).
    public var output: String?
    public var status: FitStatus
    /// Why it failed or diverged.
    public var error: String?
    public var seconds: Double
    /// Each stage's last recorded losses, by stage name.
    public var losses: [String: [String: Float]]

    /// The record of `entry` whose outputs are in `folder` (from its report.json).
    static func finished(_ entry: BatchEntry, folder: String, seconds: Double?) throws -> BatchRecord {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = BatchSummary.decoder.nonConformingFloatDecodingStrategy
        let report = try BatchSummary.decode(
            ReportDigest.self, path: folder + "/report.json", what: "a fit's report.json",
            decoder: decoder)
        return BatchRecord(
            line: entry.lineNumber, index: entry.index, photos: entry.photos, output: entry.name,
            status: report.status, error: report.divergence?.message, seconds: seconds ?? report.totalSeconds,
            losses: Dictionary(
                report.stages.compactMap { s in s.losses.last.map { (s.name, $0.losses) } },
                uniquingKeysWith: { $1 }))
    }

    /// The part of report.json a summary needs.
    private struct ReportDigest: Decodable {
        struct Stage: Decodable {
            let name: String
            let losses: [LossRecord]
        }
        let status: FitStatus
        let divergence: FitDivergence?
        let totalSeconds: Double
        let stages: [Stage]
    }
}

/// Every line one shard has done so far.
public struct BatchSummary: Codable, Sendable {
    /// The list file and the shard, "I/N".
    public var list: String
    public var shard: String
    /// By index in the list.
    public var records: [BatchRecord]

    /// batch.I-of-N.json.
    public static func fileName(_ shard: BatchShard) -> String { "batch.\(shard.label).json" }

    /// The summary in `folder` for `shard`, or an empty one when there is none yet.
    public static func read(folder: String, shard: BatchShard, list: String) throws -> BatchSummary {
        let path = folder + "/" + fileName(shard)
        guard FileManager.default.fileExists(atPath: path) else {
            return BatchSummary(list: list, shard: "\(shard.index)/\(shard.count)", records: [])
        }
        return try decode(
            BatchSummary.self, path: path, what: "a batch summary", decoder: decoder,
            remedy: "; move it away to start the summary afresh (finished output folders are found again)")
    }

    /// The JSON file at `path` decoded; an error naming the file, `what` it should be and the `remedy`.
    static func decode<T: Decodable>(
        _ type: T.Type, path: String, what: String, decoder: JSONDecoder,
        remedy: String = ""
    ) throws -> T {
        do {
            return try decoder.decode(type, from: FileInput.read(path, what: what))
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError.badFile(path: path, problem: "is not \(what) (\(error))" + remedy)
        }
    }

    /// Replaces or adds `record` (by index) and keeps the records in list order.
    public mutating func set(_ record: BatchRecord) {
        records.removeAll { $0.index == record.index }
        records.append(record)
        records.sort { $0.index < $1.index }
    }

    /// Writes the summary atomically into `folder`.
    public func write(folder: String, shard: BatchShard) throws {
        try AtomicWrite.write(try Self.encoder.encode(self), to: folder + "/" + Self.fileName(shard))
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf",
            nan: "nan")
        return decoder
    }()

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf",
            nan: "nan")
        return encoder
    }()
}
