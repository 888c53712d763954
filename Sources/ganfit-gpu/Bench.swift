// `ganfit-gpu bench`: the op benchmark (perf mode) on the chosen device, as a table or JSON.
import ArgumentParser
import Engine

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the op cases: median ms, GFLOP/s, GB/s and the ratio to the device's FP32 peak.")

    @OptionGroup var options: DeviceOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "Also time the small parity cases, not only the benchmark-sized ones.")
    var all = false

    @Option(name: .customLong("filter"), help: "Run only cases whose name contains this (repeatable).")
    var filters: [String] = []

    @Option(help: "Minimum timed seconds per case.")
    var seconds: Double = 0.2

    @Option(help: "List each case's N costliest kernels (OpenCL: by kernel and global size) or ops (CPU: by op and output shape).")
    var kernels = 0

    @Option(help: "Also time the 3×3 conv shapes at this batch (the GPU comparison with cuDNN uses 16).")
    var batch = 1

    @Flag(help: "Also time FaceNet on one 160×160 image, forward and forward+backward (needs the model: scripts/fetch-models.sh).")
    var facenet = false

    @Option(help: "The FaceNet graph_final.pb for --facenet.")
    var model: String?

    @Flag(help: "Also time the progressive generator at 256² and 512² (the paper's widths), forward and forward+backward.")
    var generator = false

    func run() throws {
        try runReportingErrors {
            guard (1...256).contains(batch) else { throw EngineError.invalidValue("--batch takes 1 to 256, not \(batch)") }
            let backend = try options.choice().makeBackend()
            let network = facenet ? try FaceNet(path: try FaceNet.locate(explicit: model)).benchmarkCases : []
            let generators = generator ? ProgressiveGeneratorConfig.benchmarkCases : []
            let cases = OpCases.matching(
                filters, in: OpCases.benchmark(convBatch: batch) + (all ? OpCases.all : []) + network + generators)
            guard !cases.isEmpty else { throw EngineError.invalidValue("no case matches \(filters)") }
            try BenchmarkReport.run(cases, on: backend, json: json, minimumSeconds: seconds, kernels: kernels)
        }
    }
}
