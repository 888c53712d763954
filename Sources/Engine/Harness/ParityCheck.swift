// Test mode: run a case's forward and backward on an OpenCL device and on the CPU reference
// from identical inputs; compare every output and gradient, check sentinels and finiteness.

public struct CaseResult: CustomStringConvertible {
    public let name: String
    public let passed: Bool
    public let details: [String]

    public var description: String {
        "\(passed ? "OK  " : "FAIL") \(name)" + (passed ? "" : "\n      " + details.joined(separator: "\n      "))
    }
}

public enum ParityCheck {
    /// Compares `device` (built with sentinel guards) with the CPU reference on `opCase`.
    public static func run(_ opCase: OpCase, on device: OpenCLBackend) -> CaseResult {
        do {
            let built = try opCase.makeGraph(withGradients: opCase.checksGradient)
            let outputs = [built.output] + built.grads
            let feeds = opCase.feeds(outputShape: opCase.checksGradient ? built.output.shape : nil)
            let onDevice = try Program(graph: built.graph, outputs: outputs, device: device)
            let onCPU = try Program(graph: built.graph, outputs: outputs, device: CPUBackend.shared)
            for (name, value) in feeds {
                try onDevice.set(name, value)
                try onCPU.set(name, value)
            }
            try onDevice.run()
            try onCPU.run()
            var details: [String] = []
            var passed = true
            if !onDevice.fallbacks.isEmpty {
                passed = false
                details.append("ran on the CPU fallback: " + onDevice.fallbacks.joined(separator: ", "))
            }
            for (k, value) in outputs.enumerated() {
                let label = k == 0 ? "output" : "grad x\(k - 1)"
                let reference = try onCPU.read(value)
                guard reference.values.allSatisfy(\.isFinite) else {
                    return CaseResult(name: opCase.name, passed: false,
                                      details: ["\(label): the CPU reference is not finite; fix the case's inputs"])
                }
                let comparison = Comparison.compare(try onDevice.read(value).values, reference.values,
                                                    tolerance: opCase.tolerance, label: label)
                passed = passed && comparison.passed
                details.append(comparison.detail)
            }
            for tensor in onDevice.deviceTensors where try !device.sentinelIntact(tensor) {
                passed = false
                details.append("a kernel wrote past the end of a \(tensor.type) buffer (sentinel overwritten)")
            }
            return CaseResult(name: opCase.name, passed: passed, details: details)
        } catch {
            return CaseResult(name: opCase.name, passed: false, details: ["error: \(error)"])
        }
    }
}
