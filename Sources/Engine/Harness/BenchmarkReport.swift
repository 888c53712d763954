// The benchmark table (or JSON) over a set of cases on one backend.
import Foundation

public enum BenchmarkReport {
    /// Runs perf mode on every case and prints a table (or JSON); returns the results. With
    /// `kernels` > 0, each case's line is followed by its `kernels` costliest kernels (OpenCL) or
    /// ops (CPU).
    @discardableResult
    public static func run(
        _ cases: [OpCase], on backend: any Backend, json: Bool,
        minimumSeconds: Double = 0.2, kernels: Int = 0
    ) throws -> [PerfResult] {
        let peak = (backend as? OpenCLBackend).map { DevicePeak.of($0.runtime.info) } ?? DevicePeak.hostCPU()
        if !json {
            print("device: \(backend.name)")
            print("peak:   \(peak)")
            print(
                "timing: \(backend is OpenCLBackend ? "OpenCL event profiling, kernel time" : "wall clock"), median after 2 warm-up runs"
            )
            print(
                pad("case", 46) + pad("ms", 10, right: true) + pad("GFLOP/s", 10, right: true)
                    + pad("GB/s", 9, right: true) + pad("% peak", 8, right: true)
                    + pad("launches", 9, right: true))
        }
        var results: [PerfResult] = []
        for opCase in cases {
            let r = try PerfRun.run(opCase, on: backend, peak: peak, minimumSeconds: minimumSeconds)
            results.append(r)
            if !json {
                print(
                    pad(r.name, 46) + pad(String(format: "%.3f", r.medianMilliseconds), 10, right: true)
                        + pad(String(format: "%.1f", r.gflops), 10, right: true)
                        + pad(String(format: "%.1f", r.gbPerSecond), 9, right: true)
                        + pad(String(format: "%.1f", r.peakRatio * 100), 8, right: true)
                        + pad("\(r.launches)", 9, right: true))
                if kernels > 0 { try printKernels(opCase, on: backend, top: kernels) }
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
        return results
    }

    /// The case's costliest kernels by global size (or ops by output shape): ms, share, launches.
    private static func printKernels(_ opCase: OpCase, on backend: any Backend, top: Int) throws {
        profileLines(try PerfRun.kernelTimes(opCase, on: backend), top: top).forEach { print($0) }
    }

    /// The first `top` of `times` (largest first, as `Backend.costliestProfiled` gives them), one line
    /// each: ms, share of the whole, launches; the rest summed in a last line.
    public static func profileLines(_ times: [(kernel: String, time: KernelTime)], top: Int) -> [String] {
        let total = Double(times.reduce(0) { $0 + $1.time.nanoseconds })
        func line(_ name: String, _ nanoseconds: UInt64, launches: String) -> String {
            let ns = Double(nanoseconds)
            return "    " + pad(name, 62) + pad(String(format: "%.3f ms", ns / 1e6), 11, right: true)
                + pad(String(format: "%.1f%%", total > 0 ? 100 * ns / total : 0), 7, right: true)
                + (launches.isEmpty ? "" : pad(launches, 7, right: true))
        }
        var lines = times.prefix(top).map { line($0.kernel, $0.time.nanoseconds, launches: "×\($0.time.launches)") }
        if times.count > top {
            let rest = times.dropFirst(top).reduce(0) { $0 + $1.time.nanoseconds }
            lines.append(line("… \(times.count - top) more kernel shapes", rest, launches: ""))
        }
        return lines
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let n = text.count
        if n >= width { return right ? " " + text : String(text.prefix(width - 1)) + " " }
        let space = String(repeating: " ", count: width - n)
        return right ? space + text : text + space
    }
}
