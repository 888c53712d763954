// `batch-report`'s merge: every shard summary (batch.I-of-N.json) in a batch's output folder read
// and joined by line, and the joined records as a table.
import Foundation

/// The shards' summaries joined.
public struct BatchMerge: Codable, Sendable {
    /// The summary files read, and how many lines ended each way.
    public let files: [String]
    public let counts: [String: Int]
    /// By index in the list; a line in several summaries (the list re-sharded) keeps its best
    /// record (fitted, then diverged, then failed).
    public let records: [BatchRecord]
}

extension BatchSummary {
    /// The summaries in `folder` joined; an error naming the folder when it has none.
    public static func merged(folder: String) throws -> BatchMerge {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("batch.") && $0.hasSuffix(".json") && $0.contains("-of-") }.sorted()
        guard !names.isEmpty else {
            throw EngineError.badFile(
                path: folder,
                problem: "holds no batch summary (batch.I-of-N.json); give the "
                    + "--output folder of `ganfit-gpu fit --batch`")
        }
        let rank: [FitStatus: Int] = [.fitted: 0, .diverged: 1, .failed: 2]
        var best: [Int: BatchRecord] = [:]
        for name in names {
            let summary = try decode(
                BatchSummary.self, path: folder + "/" + name, what: "a batch summary", decoder: decoder)
            for record in summary.records
            where best[record.index].map({ rank[record.status]! < rank[$0.status]! }) ?? true {
                best[record.index] = record
            }
        }
        let records = best.values.sorted { $0.index < $1.index }
        return BatchMerge(
            files: names, counts: Dictionary(grouping: records, by: \.status.rawValue).mapValues(\.count),
            records: records)
    }

    /// One row per record (line, status, seconds, output folder and last total loss, or the error)
    /// and a line of counts.
    public static func table(_ records: [BatchRecord]) -> String {
        var rows = ["line  status    seconds  output (last total loss) or error"]
        for r in records {
            let total =
                (r.losses["joint"] ?? r.losses["landmarks"])?["total"].map { String(format: " (%.4f)", $0) }
                ?? ""
            let what =
                r.status == .failed
                ? "error: " + (r.error ?? "")
                : (r.output ?? "") + total
                    + (r.error.map { "; " + $0 } ?? "")
            rows.append(
                String(
                    format: "%4d  %@ %8.1f  %@", r.line,
                    r.status.rawValue.padding(
                        toLength: 8, withPad: " ",
                        startingAt: 0), r.seconds, what))
        }
        let count = { (s: FitStatus) in records.filter { $0.status == s }.count }
        rows.append(
            "\(records.count) lines: \(count(.fitted)) fitted, \(count(.diverged)) diverged, "
                + "\(count(.failed)) failed; "
                + String(format: "%.1f s", records.map(\.seconds).reduce(0, +)))
        return rows.joined(separator: "\n")
    }
}
