// Perf mode: a case's forward timed on a backend (kernel time from OpenCL event profiling,
// wall time on the CPU backend), warm-up dropped, median reported with GFLOP/s, GB/s and the
// ratio to the device's peak.
import Foundation

public struct PerfResult: Codable {
    public let name: String
    public let device: String
    public let medianMilliseconds: Double
    public let runs: Int
    public let gflops: Double
    public let gbPerSecond: Double
    public let peakRatio: Double
    public let launches: Int
}

public enum PerfRun {
    public static func run(
        _ opCase: OpCase, on backend: any Backend, peak: DevicePeak,
        minimumSeconds: Double = 0.2
    ) throws -> PerfResult {
        let program = try opCase.forwardProgram(on: backend)
        let cost = program.forwardCost
        let runtime = (backend as? OpenCLBackend)?.runtime
        func timeOnce() throws -> Double {
            if let runtime {
                runtime.profiledNanoseconds = 0
                defer { runtime.profiledNanoseconds = nil }
                try program.run()
                return Double(runtime.profiledNanoseconds ?? 0) / 1e9
            }
            let start = DispatchTime.now().uptimeNanoseconds
            try program.run()
            try backend.synchronize()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        for _ in 0..<2 { _ = try timeOnce() }  // warm-up: program build, caches, clocks
        let before = Counters.shared.snapshot
        var times: [Double] = []
        var total = 0.0
        while (total < minimumSeconds || times.count < 5) && times.count < 200 {
            let t = try timeOnce()
            times.append(t)
            total += t
        }
        let launches = Counters.shared.snapshot.since(before).launches / times.count
        let median = times.sorted()[times.count / 2]
        let gflops = median > 0 ? cost.flops / median / 1e9 : 0
        return PerfResult(
            name: opCase.name, device: backend.name, medianMilliseconds: median * 1e3, runs: times.count,
            gflops: gflops, gbPerSecond: median > 0 ? cost.bytes / median / 1e9 : 0,
            peakRatio: peak.gflops > 0 ? gflops / peak.gflops : 0, launches: launches)
    }
}

extension PerfRun {
    /// One run of the case's forward after two warm-ups, its time by the backend's profile
    /// (`Backend.profiledTimes`: OpenCL kernels, CPU ops), largest first.
    public static func kernelTimes(_ opCase: OpCase, on backend: any Backend) throws -> [(
        kernel: String, time: KernelTime
    )] {
        let program = try opCase.forwardProgram(on: backend)
        for _ in 0..<2 { try program.run() }
        try backend.synchronize()
        backend.profiledTimes = [:]
        defer { backend.profiledTimes = nil }
        try program.run()
        return backend.costliestProfiled
    }
}
