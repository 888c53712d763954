// `selftest`: the parity (OpenCL vs CPU) and gradient (vs finite differences) modes over the
// op cases, on any machine, no XCTest needed. Prints one line per case and a closing count.

public enum SelfTest {
    public enum Mode: String, CaseIterable, Sendable { case test, grad, all }

    /// Runs the modes on the cases; returns (passed, failed).
    public static func run(_ cases: [OpCase], mode: Mode, device: OpenCLBackend?,
                           log: (String) -> Void = { print($0) }) -> (passed: Int, failed: Int) {
        var passed = 0, failed = 0
        func record(_ result: CaseResult, _ label: String) {
            if result.passed { passed += 1 } else { failed += 1 }
            log("[\(label)] " + result.description)
        }
        if mode != .grad, let device {
            log("test mode: \(device.name) vs the CPU reference")
            for opCase in cases { record(ParityCheck.run(opCase, on: device), "test") }
        }
        if mode != .test {
            log("grad mode: CPU reference backward vs central finite differences, in Double")
            for opCase in cases where opCase.checksGradient { record(GradientCheck.run(opCase), "grad") }
        }
        log("\(passed) passed, \(failed) failed")
        return (passed, failed)
    }
}
