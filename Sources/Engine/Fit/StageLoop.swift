// The optimisation loop of a stage: Adam groups with their own learning rates, the named
// scalar losses read back every few iterations (the only host transfers), progress lines.
import Foundation

/// Parameters optimised with one learning rate, and their gradients (program outputs).
struct ParameterGroup {
    let parameters: [Value]
    let gradients: [Value]
    let rate: Float
    /// Kept at or above 0 (each step projected).
    var nonNegative = false
}

/// The losses of one iteration, by name.
public struct LossRecord: Codable, Sendable {
    public let iteration: Int
    public let losses: [String: Float]
}

/// What a stage did: its losses every few iterations, wall time and iteration count, and what its
/// loop moved between host and device (OpenCL devices count; the CPU backend moves nothing).
public struct StageReport: Codable, Sendable {
    public let name: String
    public let iterations: Int
    public let seconds: Double
    public let losses: [LossRecord]
    public let bytesToHost: Int
    public let bytesToDevice: Int
    public let kernelLaunches: Int
    /// Bytes the program's ops read and write in one iteration (each op's inputs and outputs once, by
    /// `Op.cost`: a floor on the memory traffic; the Adam updates not included), the periodic terms'
    /// programs counted at their share (one run per interval).
    public var opBytesPerRun: Double? = nil
    /// Set when a loss stopped being finite and the stage stopped there.
    public var divergence: FitDivergence? = nil
    /// Where the loop's time went, seconds by part of the graph (model, renderer, texture, identity
    /// network, each part's backward, losses and priors as "other") and "optimiser" (the Adam
    /// updates); on the CPU backend only (an OpenCL op is only enqueued when it is called).
    public var secondsByPart: [String: Double]? = nil

    /// "identity network backward 45%, identity network 21%, …": the parts' shares of their sum,
    /// largest first; nil without a split.
    public var partsText: String? {
        guard let parts = secondsByPart, case let total = parts.values.reduce(0, +), total > 0 else { return nil }
        return parts.sorted { $0.value > $1.value }
            .map { String(format: "%@ %.0f%%", $0.key, 100 * $0.value / total) }.joined(separator: ", ")
    }

    /// ", N kernel launches and M MB of op traffic per iteration" on an OpenCL device; empty on the
    /// CPU backend.
    public var launchesText: String {
        guard kernelLaunches > 0 && iterations > 0 else { return "" }
        let traffic = opBytesPerRun.map { String(format: " and %.0f MB of op traffic", $0 / 1e6) } ?? ""
        return ", \(kernelLaunches / iterations) kernel launches\(traffic) per iteration"
    }
}

/// Terms that their own programs compute every `interval` iterations, the stage's program holding
/// their linearisation in between (`NetworkTerm`): `refresh` runs the programs in order, at the
/// current parameters.
struct PeriodicTerms {
    let interval: Int
    let programs: [Program]

    func refresh() throws { for program in programs { try program.run() } }
}

struct StageLoop {
    let name: String
    let program: Program
    /// (name, scalar) pairs; the first is the total that is minimised.
    let losses: [(name: String, value: Value)]
    let optimisers: [Adam]
    let periodic: PeriodicTerms?

    init(name: String, program: Program, losses: [(name: String, value: Value)], groups: [ParameterGroup],
         periodic: PeriodicTerms? = nil) throws {
        self.name = name
        self.program = program
        self.losses = losses
        self.periodic = periodic
        optimisers = try groups.map {
            try Adam(program: program, parameters: $0.parameters, gradients: $0.gradients, learningRate: $0.rate,
                     nonNegative: $0.nonNegative)
        }
    }

    /// The current losses (runs the program once, the periodic terms refreshed first).
    func evaluate(iteration: Int) throws -> LossRecord {
        try periodic?.refresh()
        try program.run()
        return try record(iteration)
    }

    /// The losses of the last run.
    private func record(_ iteration: Int) throws -> LossRecord {
        LossRecord(iteration: iteration, losses: Dictionary(uniqueKeysWithValues: try losses.map {
            ($0.name, try program.read($0.value).values[0])
        }))
    }

    /// Runs `iterations` Adam steps (learning rates divided by 5 for the last 30%), recording the
    /// losses every `logInterval` iterations and calling `every.action` every `every.interval`
    /// iterations (before that step), and refreshing the periodic terms every `periodic.interval`
    /// iterations (before that step, the first included); ends evaluated at the final parameters.
    /// A recorded loss that is NaN or infinite stops the stage: the parameters of the last finite
    /// record are put back (kept on the device at each record) and the report says where it diverged.
    func run(iterations: Int, logInterval: Int, every: (interval: Int, action: (Int) throws -> Void)? = nil,
             log: (String) -> Void) throws -> StageReport {
        let start = Date(), counted = Counters.shared.snapshot
        var records: [LossRecord] = [], divergence: FitDivergence?, kept: Int?
        let programs = [program] + (periodic?.programs ?? [])
        for timed in programs { timed.timesParts = program.device is CPUBackend }
        var optimiserNanoseconds: UInt64 = 0
        for step in 0..<iterations {
            if step == iterations - iterations * 3 / 10 { for adam in optimisers { adam.learningRate /= 5 } }
            if let every, step > 0, step % every.interval == 0 { try every.action(step) }
            if let periodic, step % periodic.interval == 0 { try periodic.refresh() }
            try program.run()
            if step % logInterval == 0 {
                let record = try record(step)
                records.append(record)
                if FitProgress.observer == nil { log(line(record, elapsed: Date().timeIntervalSince(start))) }
                if let bad = losses.first(where: { !(record.losses[$0.name] ?? 0).isFinite }) {
                    let restored = try optimisers.map { try $0.restore() }.allSatisfy { $0 }
                    divergence = FitDivergence(stage: name, iteration: step, loss: bad.name,
                                               value: record.losses[bad.name] ?? .nan,
                                               keptIteration: restored ? kept : nil)
                    break
                }
                for adam in optimisers { try adam.keep() }
                kept = step
            }
            FitProgress.report(stage: name, iteration: step + 1, of: iterations, names: losses.map(\.name),
                               last: records.last, since: start)
            let updateStart = DispatchTime.now().uptimeNanoseconds
            for adam in optimisers { try adam.update() }
            optimiserNanoseconds += DispatchTime.now().uptimeNanoseconds - updateStart
        }
        let last = try evaluate(iteration: divergence.map { $0.keptIteration ?? 0 } ?? iterations)
        records.append(last)
        let seconds = Date().timeIntervalSince(start), moved = Counters.shared.snapshot.since(counted)
        log(line(last, elapsed: seconds))
        if let divergence { log("stopped: " + divergence.message) }
        let parts = program.timesParts
            ? programs.reduce(["optimiser": Double(optimiserNanoseconds) / 1e9]) {
                $0.merging($1.partSeconds, uniquingKeysWith: +)
            } : nil
        for timed in programs { timed.timesParts = false }
        // The periodic terms' programs run once per interval.
        let periodicBytes = periodic.map {
            $0.programs.map(\.forwardCost.bytes).reduce(0, +) / Double($0.interval)
        } ?? 0
        return StageReport(name: name, iterations: iterations, seconds: seconds, losses: records, bytesToHost: moved.bytesToHost,
                           bytesToDevice: moved.bytesToDevice, kernelLaunches: moved.launches,
                           opBytesPerRun: program.forwardCost.bytes + periodicBytes, divergence: divergence,
                           secondsByPart: parts)
    }

    private func line(_ record: LossRecord, elapsed: Double) -> String {
        "\(name) \(String(format: "%4d", record.iteration)): "
            + losses.map { String(format: "%@ %.4f", $0.name, record.losses[$0.name] ?? .nan) }.joined(separator: ", ")
            + String(format: "  (%.1f s)", elapsed)
    }
}
