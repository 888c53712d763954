// The loop of `fit --batch`: a shard's lines in order, each fitted into OUTDIR/.partial-NAME and
// renamed to OUTDIR/NAME when whole, lines already finished skipped, failures recorded, the
// shard's summary rewritten after every line: a run killed at any moment and started again
// repeats at most the line that was in progress.
import Foundation

public struct BatchRun {
    public let list: String
    public let entries: [BatchEntry]
    public let shard: BatchShard
    /// The batch's output folder.
    public let folder: String
    /// Fit again the lines the summary records as failed (by default they are skipped).
    public var retryFailed = false

    public init(
        list: String, entries: [BatchEntry], shard: BatchShard, folder: String, retryFailed: Bool = false
    ) {
        (self.list, self.entries, self.shard, self.folder, self.retryFailed) = (
            list, entries, shard, folder, retryFailed
        )
    }

    /// The folder a line is fitted into before it is complete.
    public static func partialName(_ entry: BatchEntry) -> String { ".partial-" + entry.name }

    /// Runs `fit(entry, folder)` (which writes the line's outputs, report.json included, into
    /// `folder`, or throws) for each of the shard's lines not yet done; returns the summary.
    public func run(_ fit: (BatchEntry, String) throws -> Void, log: (String) -> Void) throws -> BatchSummary
    {
        try FitOutputs.prepare(folder)
        var summary = try BatchSummary.read(folder: folder, shard: shard, list: list)
        let mine = entries.filter(shard.contains)
        var skipped = 0
        for (n, entry) in mine.enumerated() {
            let done = folder + "/" + entry.name
            let partial = folder + "/" + Self.partialName(entry)
            // (a record of another photo at this index: the list was edited since, the record is stale)
            let previous = summary.records.first { $0.index == entry.index && $0.photos == entry.photos }
            if FileManager.default.fileExists(atPath: done) {
                if previous == nil {  // finished by a run killed before it wrote the summary
                    do {
                        summary.set(try BatchRecord.finished(entry, folder: done, seconds: nil))
                    } catch {  // a finished folder whose report was removed or edited since: kept, but said
                        summary.set(
                            BatchRecord(
                                line: entry.lineNumber, index: entry.index, photos: entry.photos,
                                output: entry.name, status: .fitted, error: "\(error)", seconds: 0,
                                losses: [:]))
                    }
                }
                skipped += 1
                continue
            }
            if previous?.status == .failed && !retryFailed {
                skipped += 1
                continue
            }
            log("[\(n + 1)/\(mine.count)] line \(entry.lineNumber): \(entry.photos.joined(separator: " "))")
            let started = Date()
            try? FileManager.default.removeItem(atPath: partial)
            do {
                try FitOutputs.prepare(partial)
                try fit(entry, partial)
                let record = try BatchRecord.finished(
                    entry, folder: partial, seconds: Date().timeIntervalSince(started))
                try rename(partial, done)
                summary.set(record)
                log(
                    "  → \(entry.name) (\(record.status.rawValue), "
                        + String(format: "%.1f s)", record.seconds))
            } catch {
                try? FileManager.default.removeItem(atPath: partial)
                summary.set(
                    BatchRecord(
                        line: entry.lineNumber, index: entry.index, photos: entry.photos, output: nil,
                        status: .failed, error: "\(error)", seconds: Date().timeIntervalSince(started),
                        losses: [:]))
                log("  failed: \(error)")
            }
            try summary.write(folder: folder, shard: shard)
        }
        try summary.write(folder: folder, shard: shard)
        log(
            "shard \(shard.index)/\(shard.count): \(mine.count) lines, \(skipped) already done (skipped), "
                + "\(summary.records.filter { $0.status == .failed }.count) failed")
        return summary
    }

    private func rename(_ from: String, _ to: String) throws {
        guard Foundation.rename(from, to) == 0 else {
            throw EngineError.badFile(
                path: to, problem: "cannot rename \(from) to it: \(String(cString: strerror(errno)))")
        }
    }
}
