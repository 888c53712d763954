// `ganfit-gpu selftest`: parity and gradient checks of every op on the chosen device.
import ArgumentParser
import Engine

struct SelfTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check every OpenCL kernel against the CPU reference and every backward against finite differences.")

    @OptionGroup var options: DeviceOptions

    @Option(help: "test (OpenCL vs CPU), grad (vs finite differences) or all.")
    var mode: String = "all"

    @Option(name: .customLong("filter"), help: "Run only cases whose name contains this (repeatable).")
    var filters: [String] = []

    func run() throws {
        try runReportingErrors {
            guard let mode = SelfTest.Mode(rawValue: mode) else {
                throw EngineError.invalidValue("--mode must be test, grad or all, not '\(mode)'")
            }
            let choice = try DeviceChoice.resolve(flag: options.device ?? (mode == .grad ? "cpu" : "opencl"))
            let backend = try choice.makeBackend(guardElements: 64)
            let device = backend as? OpenCLBackend
            if device == nil && mode != .grad {
                print("note: \(backend.name) is not an OpenCL device, so only grad mode runs")
            }
            let cases = OpCases.matching(filters)
            guard !cases.isEmpty else { throw EngineError.invalidValue("no case matches \(filters)") }
            let result = SelfTest.run(cases, mode: mode, device: device)
            if result.failed > 0 { throw ExitCode(1) }
        }
    }
}
