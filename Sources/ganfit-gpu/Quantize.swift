// `ganfit-gpu quantize`: FaceNet's graph with its weights as int8 (per-channel scales), ~4× smaller,
// for machines that take little data (a GPU machine here takes 64 MiB of files with the bundle).
import ArgumentParser
import Engine

struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write FaceNet's graph with int8 weights (one scale per output channel): 90 MB → 23 MB.",
        discussion: """
            Every float32 constant of rank ≥ 2 (convolution kernels, the final matrix) is stored as int8 \
            with one float32 scale per output channel; biases stay float32. Any command that takes the \
            FaceNet graph (--model, fit's --facenet) reads the result as it reads the original. Its \
            embeddings stay within cosine 0.999 of the original's (README, Identity network).
            """)

    @Option(help: "The FaceNet graph_final.pb (default: the documented search order).")
    var model: String?

    @Option(name: .shortAndLong, help: "The file to write (written atomically).")
    var output: String

    func run() throws {
        try runReportingErrors {
            let source = try FaceNet.locate(explicit: model)
            let summary = try GraphDefInt8.write(source, to: output)
            _ = try FaceNet(path: output)  // the result must load as FaceNet
            let mb = { (bytes: Int) in String(format: "%.1f MB", Double(bytes) / 1e6) }
            print(
                "quantize: \(output): \(summary.quantized) weight tensors (\(summary.quantizedElements) values) as int8, "
                    + "\(mb(summary.bytesBefore)) → \(mb(summary.bytesAfter)); largest rounding error "
                    + String(format: "%.2f%%", 100 * Double(summary.largestRelativeError))
                    + " of its channel's largest weight")
        }
    }
}
