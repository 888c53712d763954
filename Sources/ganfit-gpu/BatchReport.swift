// `ganfit-gpu batch-report OUTDIR`: every shard's batch.I-of-N.json in OUTDIR merged into one table
// (or JSON): per line its status, time, final losses or error; and the counts.
import ArgumentParser
import Engine
import Foundation

struct BatchReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch-report",
        abstract: "Merge the shards' summaries of a `fit --batch` output folder into one table or JSON.")

    @Argument(help: "The output folder of `fit --batch`.")
    var folder: String

    @Flag(help: "Print the merged records as JSON instead of a table.")
    var json = false

    func run() throws {
        try runReportingErrors {
            let merged = try BatchSummary.merged(folder: folder)
            if json {
                print(String(decoding: try BatchSummary.encoder.encode(merged), as: UTF8.self))
                return
            }
            print(BatchSummary.table(merged.records))
        }
    }
}
