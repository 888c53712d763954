// The FP32 peak a device could reach: FLOP per cycle per compute unit (by architecture) ×
// compute units × clock. Benchmarks report their throughput as a ratio to it.
import Foundation

public struct DevicePeak: CustomStringConvertible {
    public let flopsPerCyclePerUnit: Double
    public let units: Int
    public let clockGHz: Double
    /// Which clock this is ("cpuinfo_max_freq", "CL_DEVICE_MAX_CLOCK_FREQUENCY", …).
    public let clockSource: String
    public let architecture: String

    public var gflops: Double { flopsPerCyclePerUnit * Double(units) * clockGHz }

    public var description: String {
        String(format: "%@: %.0f FLOP/cycle/unit × %d units × %.2f GHz (%@) = %.0f GFLOP/s FP32",
               architecture, flopsPerCyclePerUnit, units, clockGHz, clockSource, gflops)
    }

    /// The peak of the CPU this process runs on, over all its cores. The clock is GANFIT_CPU_GHZ
    /// when set (a VM's /proc/cpuinfo shows the nominal clock, not the boost clock it runs at),
    /// else cpufreq's maximum, else /proc/cpuinfo's current "cpu MHz".
    public static func hostCPU() -> DevicePeak {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = Set(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?
            .split(separator: " ").map(String.init) ?? [])
        let (perCycle, arch): (Double, String) =
            flags.contains("avx512f") ? (64, "x86-64 AVX-512 (2×16-lane FMA)")
            : flags.contains("avx2") && flags.contains("fma") ? (32, "x86-64 AVX2+FMA (2×8-lane FMA)")
            : flags.contains("asimd") ? (16, "ARM NEON (4×4-lane FMA)") : (8, "x86-64 SSE")
        var clock = 0.0, source = "cpuinfo_max_freq"
        if let ghz = ProcessInfo.processInfo.environment["GANFIT_CPU_GHZ"].flatMap(Double.init), ghz > 0 {
            clock = ghz
            source = "GANFIT_CPU_GHZ"
        } else if let text = try? String(contentsOfFile: "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", encoding: .utf8),
           let khz = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            clock = khz / 1e6
        } else if let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("cpu MHz") }),
                  let mhz = Double(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) {
            clock = mhz / 1000
            source = "/proc/cpuinfo cpu MHz, current"
        }
        return DevicePeak(flopsPerCyclePerUnit: perCycle, units: ProcessInfo.processInfo.activeProcessorCount,
                          clockGHz: clock, clockSource: source, architecture: arch)
    }

    /// The peak of an OpenCL device, from its name, compute units and reported clock.
    public static func of(_ device: OpenCLDeviceInfo) -> DevicePeak {
        if device.isCPU {
            let host = hostCPU()
            return DevicePeak(flopsPerCyclePerUnit: host.flopsPerCyclePerUnit, units: device.computeUnits,
                              clockGHz: Double(device.maxClockMHz) / 1000, clockSource: "CL_DEVICE_MAX_CLOCK_FREQUENCY",
                              architecture: host.architecture)
        }
        let name = device.name.uppercased(), vendor = device.vendor.uppercased()
        let (perCycle, arch): (Double, String)
        if vendor.contains("NVIDIA") {
            // FP32 lanes per SM ×2 (FMA): 64 on Volta, Turing and A100; 128 on GA10x, Ada, Hopper.
            let narrow = ["V100", "TITAN V", "T4", "RTX 20", "A100", "A30", "QUADRO RTX"].contains { name.contains($0) }
            (perCycle, arch) = narrow ? (128, "NVIDIA SM (64 FP32 lanes)") : (256, "NVIDIA SM (128 FP32 lanes)")
        } else if vendor.contains("AMD") || vendor.contains("ADVANCED MICRO") {
            (perCycle, arch) = (128, "AMD CU (64 lanes)")
        } else if vendor.contains("INTEL") {
            (perCycle, arch) = (16, "Intel EU (8 lanes)")
        } else {
            (perCycle, arch) = (2, "unknown (1 lane assumed)")
        }
        return DevicePeak(flopsPerCyclePerUnit: perCycle, units: device.computeUnits,
                          clockGHz: Double(device.maxClockMHz) / 1000, clockSource: "CL_DEVICE_MAX_CLOCK_FREQUENCY",
                          architecture: arch)
    }
}
