import Foundation
import CSHA256
import XCTest

// The batch pieces in process: list parsing and output names, shards, SHA-256, the batch loop's
// skipping, failures and partial folders (with a stand-in fit), the shard summaries' merge, and a
// stage loop that diverges.
@testable import Engine

final class BatchTests: XCTestCase {
    func testListLinesGetUniqueReadableNames() {
        let entries = BatchList.parse(
            "# photos\na/img.jpg\n\n  b/img.jpg  \n/data/x y.png c/img.jpg\n", folder: "/lists")
        XCTAssertEqual(entries.map(\.index), [0, 1, 2])
        XCTAssertEqual(entries.map(\.lineNumber), [2, 4, 5])
        XCTAssertEqual(entries[0].photos, ["/lists/a/img.jpg"])
        XCTAssertEqual(entries[2].photos, ["/data/x", "/lists/y.png", "/lists/c/img.jpg"])
        XCTAssertTrue(entries[0].name.hasPrefix("a_img-"), entries[0].name)
        XCTAssertTrue(entries[1].name.hasPrefix("b_img-"), entries[1].name)
        XCTAssertNotEqual(entries[0].name.suffix(8), entries[1].name.suffix(8))
        XCTAssertTrue(entries[2].name.hasPrefix("data_x-"), entries[2].name)
        let odd = BatchList.folderName(["/lists/../.hidden/ü ber.png"], listFolder: "/lists")
        XCTAssertFalse(odd.hasPrefix("."), odd)
        XCTAssertTrue(
            odd.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }, odd)
    }

    func testShardsCoverTheListExactlyOnce() throws {
        let entries = BatchList.parse((0..<23).map { "p\($0).png" }.joined(separator: "\n"), folder: "/x")
        for count in 1...6 {
            let shards = try (0..<count).map { try BatchShard(index: $0, count: count) }
            let taken = shards.flatMap { shard in entries.filter(shard.contains).map(\.index) }
            XCTAssertEqual(taken.sorted(), Array(0..<23), "\(count) shards")
        }
        XCTAssertEqual(try BatchShard(parsing: "2/5"), try BatchShard(index: 2, count: 5))
        for bad in ["5/5", "-1/3", "1", "a/b", "0/0"] {
            XCTAssertThrowsError(try BatchShard(parsing: bad), bad)
        }
    }

    func testSHA256MatchesTheStandardVectors() {
        XCTAssertEqual(
            SHA256.hex(Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var pieces = SHA256()  // a million 'a' in uneven pieces
        var left = 1_000_000
        var n = 1
        while left > 0 {
            let take = min(left, n * 37 % 1000 + 1)
            pieces.update([UInt8](repeating: 0x61, count: take))
            left -= take
            n += 1
        }
        XCTAssertEqual(pieces.hexDigest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The SHA extensions' rounds (used where the CPU has them; the vectors above then test them)
    /// against the portable ones on random blocks, one call and block by block.
    func testSHA256RoundsAgreeOnBothPaths() throws {
        try XCTSkipUnless(sha256_uses_extensions() == 1, "this CPU has no SHA extensions: one path only")
        var random = SynthRandom(seed: 5)
        let data = (0..<64 * 300).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let start: [UInt32] = [1, 2, 3, 4, 5, 6, 7, 0xffff_ffff]
        var (portable, extensions, stepwise) = (start, start, start)
        sha256_blocks_portable(&portable, data, 300)
        sha256_blocks(&extensions, data, 300)
        data.withUnsafeBufferPointer { bytes in
            for block in 0..<300 { sha256_blocks(&stepwise, bytes.baseAddress! + 64 * block, 1) }
        }
        XCTAssertEqual(extensions, portable)
        XCTAssertEqual(stepwise, portable)
    }

    /// A stand-in fit writes a report; one photo throws; a stale partial folder (a killed run)
    /// is replaced; a second run fits nothing again; --retry-failed retries the failure only.
    func testBatchRunSkipsDoneLinesAndRecordsFailures() throws {
        let folder = try scratchFolder(self)
        let out = folder + "/out"
        let entries = BatchList.parse("a/img.png\nbad.png\nb/img.png\n", folder: folder)
        try FileManager.default.createDirectory(
            atPath: out + "/" + BatchRun.partialName(entries[2]) + "/junk",
            withIntermediateDirectories: true)
        var fitted: [Int] = []
        func fit(_ entry: BatchEntry, _ into: String) throws {
            fitted.append(entry.index)
            XCTAssertTrue(into.hasSuffix("/.partial-" + entry.name))
            XCTAssertFalse(
                FileManager.default.fileExists(atPath: into + "/junk"), "a stale partial folder is emptied")
            if entry.photos[0].hasSuffix("bad.png") {
                throw EngineError.badFile(path: entry.photos[0], problem: "is corrupt")
            }
            try AtomicWrite.write(
                text: """
                    {"status": "fitted", "total_seconds": 1.5, "stages": [{"name": "joint", "losses": [
                    {"iteration": 0, "losses": {"total": 2}}, {"iteration": 9, "losses": {"total": 0.5}}]}]}
                    """, to: into + "/report.json")
        }
        let shard = try BatchShard(index: 0, count: 1)
        let summary = try BatchRun(list: "list.txt", entries: entries, shard: shard, folder: out).run(fit) {
            _ in
        }
        XCTAssertEqual(fitted, [0, 1, 2])
        XCTAssertEqual(summary.records.map(\.status), [.fitted, .failed, .fitted])
        XCTAssertEqual(summary.records[0].losses["joint"]?["total"], 0.5)
        XCTAssertTrue(summary.records[1].error?.contains("is corrupt") ?? false)
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertEqual(names, [entries[0].name, entries[2].name, "batch.0-of-1.json"].sorted())

        fitted = []
        _ = try BatchRun(list: "list.txt", entries: entries, shard: shard, folder: out).run(fit) { _ in }
        XCTAssertEqual(fitted, [], "done and failed lines are skipped")
        _ = try BatchRun(list: "list.txt", entries: entries, shard: shard, folder: out, retryFailed: true)
            .run(fit) { _ in }
        XCTAssertEqual(fitted, [1])

        // A folder renamed but not yet in the summary (killed in between) is recorded from its report.
        try FileManager.default.removeItem(atPath: out + "/batch.0-of-1.json")
        let rebuilt = try BatchRun(list: "list.txt", entries: entries, shard: shard, folder: out).run(fit) {
            _ in
        }
        XCTAssertEqual(rebuilt.records.filter { $0.status == .fitted }.map(\.index), [0, 2])
        let merged = try BatchSummary.merged(folder: out)
        XCTAssertEqual(merged.counts["fitted"], 2)
        XCTAssertTrue(BatchSummary.table(merged.records).contains("2 fitted, 0 diverged, 1 failed"))
    }

    /// loss = sqrt(x) from x = 1 with Adam steps of 0.3 goes below zero at the fifth step: the loop
    /// stops there and puts back x of the fourth (its last finite loss).
    func testADivergingStageKeepsItsLastFiniteParameters() throws {
        let g = Graph()
        let x = g.parameter("x", [1])
        let loss = try g.sqrt(g.sum(x))
        let gradient = try g.gradients(of: loss, wrt: [x])[0]
        let program = try Program(graph: g, outputs: [loss, gradient], device: CPUBackend.shared)
        try program.set("x", HostTensor([1], [1]))
        let loop = try StageLoop(
            name: "test", program: program, losses: [("total", loss)],
            groups: [ParameterGroup(parameters: [x], gradients: [gradient], rate: 0.3)])
        let report = try loop.run(iterations: 100, logInterval: 1) { _ in }
        let divergence = try XCTUnwrap(report.divergence)
        XCTAssertEqual(divergence.stage, "test")
        XCTAssertEqual(divergence.loss, "total")
        XCTAssertTrue(divergence.value.isNaN)
        XCTAssertEqual(divergence.keptIteration, divergence.iteration - 1)
        let kept = try XCTUnwrap(program.tensor(x)).toHost().values[0]
        XCTAssertGreaterThan(kept, 0)
        XCTAssertLessThan(kept, 0.3)
        XCTAssertEqual(report.losses.last?.iteration, divergence.keptIteration)
        XCTAssertTrue(report.losses.last?.losses["total"]?.isFinite ?? false)
    }
}
