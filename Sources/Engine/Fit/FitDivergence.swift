// How a fit ended: fitted, diverged (a NaN or infinite loss stopped it; the parameters of its last
// finite check were kept and written) or failed (no outputs; batch summaries only); and where it diverged.
import Foundation

public enum FitStatus: String, Codable, Sendable {
    case fitted, diverged, failed
}

/// Where a stage's losses stopped being finite, and the iteration whose parameters were kept.
public struct FitDivergence: Codable, Equatable, Sendable {
    public let stage: String
    public let iteration: Int
    /// The first loss (in the stage's order) that was not finite, and its value.
    public let loss: String
    public let value: Float
    /// The last iteration whose losses were all finite (its parameters are the ones kept); nil when
    /// the stage's first iteration already diverged (its starting parameters are kept).
    public let keptIteration: Int?

    public var message: String {
        "the \(stage) stage's \(loss) loss is \(value) at iteration \(iteration); the fit diverged and "
            + "stopped, "
            + (keptIteration.map { "keeping the parameters of iteration \($0), the last with finite losses" }
                ?? "keeping the stage's starting parameters")
            + " (try smaller learning rates or fewer iterations, or check the landmarks)"
    }
}

extension FaceFitResult {
    /// The first stage's divergence, if any stage diverged.
    public var divergence: FitDivergence? { stages.lazy.compactMap(\.divergence).first }
    public var status: FitStatus { divergence == nil ? .fitted : .diverged }
}
