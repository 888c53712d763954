// Grad mode: the CPU reference's analytic backward against central finite differences, in
// Double, for L = Σ dy·output with respect to each differentiable input.

public enum GradientCheck {
    /// Elements probed per input (all of them when the input is smaller).
    public static let probesPerInput = 24

    public static func run(_ opCase: OpCase) -> CaseResult {
        guard opCase.checksGradient else { return CaseResult(name: opCase.name, passed: true, details: ["no gradient"]) }
        do {
            let built = try opCase.makeGraph(withGradients: true)
            let feeds = opCase.feeds(outputShape: built.output.shape).mapValues { $0.converted(to: Double.self) }
            let analytic = try built.graph.evaluate(built.grads, feeds: feeds)
            let seed = feeds["dy"]!.values
            func loss(_ feeds: [String: RefTensor<Double>]) throws -> Double {
                let y = try built.graph.evaluate([built.output], feeds: feeds)[0].values
                return zip(y, seed).map(*).reduce(0, +)
            }
            var details: [String] = []
            var passed = true
            let differentiable = opCase.inputs.indices.filter { opCase.inputs[$0].differentiable }
            for (gradient, k) in zip(analytic, differentiable) {
                let name = "x\(k)"
                let x = feeds[name]!
                let stride = Swift.max(1, x.values.count / probesPerInput)
                var numeric: [Double] = [], exact: [Double] = []
                for i in Swift.stride(from: 0, to: x.values.count, by: stride) {
                    let h = 1e-6 * Swift.max(1, Swift.abs(x.values[i]))
                    var plus = feeds, minus = feeds
                    plus[name]!.values[i] += h
                    minus[name]!.values[i] -= h
                    numeric.append((try loss(plus) - loss(minus)) / (2 * h))
                    exact.append(gradient.values[i])
                }
                let comparison = Comparison.compare(exact, numeric, tolerance: Tolerance(absolute: 1e-6, relative: 1e-5,
                                                                                         normalizedMSE: 1e-9),
                                                    label: "d/d\(name) (\(exact.count) probes)")
                passed = passed && comparison.passed
                details.append(comparison.detail)
            }
            return CaseResult(name: opCase.name, passed: passed, details: details)
        } catch {
            return CaseResult(name: opCase.name, passed: false, details: ["error: \(error)"])
        }
    }
}
