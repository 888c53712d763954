// `ganfit-gpu devices`: every backend and OpenCL device, with what matters for choosing one.
import ArgumentParser
import Engine
import Foundation

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the CPU backend and every OpenCL device.")

    @OptionGroup var options: DeviceOptions

    func run() throws {
        try runReportingErrors {
            let devices = OpenCLDiscovery.devices()
            let cpu = DevicePeak.hostCPU()
            print("cpu        CPU reference backend: \(ProcessInfo.processInfo.activeProcessorCount) cores, OpenBLAS GEMM")
            print("           peak \(cpu)")
            if devices.isEmpty {
                print("(no OpenCL device: install an ICD such as pocl-opencl-icd, or the GPU vendor's driver)")
            }
            for d in devices {
                let kind = d.isGPU ? "GPU" : d.isCPU ? "CPU" : "accelerator"
                print("opencl:\(d.index)   \(d.name) [\(kind), \(d.platformName)]")
                print("           \(d.computeUnits) compute units @ \(d.maxClockMHz) MHz, "
                      + "\(d.globalMemoryBytes >> 20) MiB global, \(d.localMemoryBytes >> 10) KiB local, "
                      + "max work-group \(d.maxWorkGroupSize)")
                let fp64 = d.hasFP64 ? "yes" : "no"
                print("           \(d.openCLCVersion), driver \(d.driverVersion), fp64 \(fp64), "
                      + "sub-buffers at \(d.baseAddressAlignment)-byte offsets"
                      + (d.isPoCL ? " (correctness backend here: not chosen by auto)" : ""))
                print("           peak \(DevicePeak.of(d))")
            }
            let choice = try options.choice()
            let backend = try choice.makeBackend(devices: devices)
            print("selected (\(choice)): \(backend.name)")
        }
    }
}
