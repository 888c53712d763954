// Live progress of a fit for a progress bar: the stage loop reports every iteration to the
// observer bound with `FitProgress.observing` (none by default; while one is bound the loop leaves
// its per-record progress lines to it).
import Foundation

/// Where a stage is: iterations done out of its total, its last recorded losses (names in the
/// stage's order, the minimised total first), whether they were recorded at this iteration, its
/// elapsed time.
public struct FitProgressEvent: Sendable {
    public let stage: String
    public let iteration: Int
    public let total: Int
    public let lossNames: [String]
    public let losses: [String: Float]
    public let recorded: Bool
    public let seconds: Double
}

public enum FitProgress {
    public typealias Observer = @Sendable (FitProgressEvent) -> Void

    /// Runs `body` with `observer` getting every stage loop's progress (the previous one restored after).
    public static func observing<T>(_ observer: Observer?, _ body: () throws -> T) rethrows -> T {
        let previous = lock.withLock { () -> Observer? in
            defer { current = observer }
            return current
        }
        defer { lock.withLock { current = previous } }
        return try body()
    }

    /// The observer bound now, if any.
    static var observer: Observer? { lock.withLock { current } }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: Observer?

    static func report(
        stage: String, iteration: Int, of total: Int, names: [String], last: LossRecord?, since start: Date
    ) {
        guard let observer else { return }
        observer(
            FitProgressEvent(
                stage: stage, iteration: iteration, total: total, lossNames: names,
                losses: last?.losses ?? [:], recorded: last?.iteration == iteration - 1,
                seconds: Date().timeIntervalSince(start)))
    }
}
