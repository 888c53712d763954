// The ganfit-gpu command line: devices, self-test, benchmarks, file info, embeddings, rendering and fitting.
import ArgumentParser
import Engine
import Foundation

@main
struct GanfitGPU: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ganfit-gpu",
        abstract: "GANFIT 3D face fitting on any OpenCL device, with a CPU reference backend.",
        discussion: """
            Devices: --device auto|cpu|opencl|opencl:N on every command, or GANFIT_DEVICE (the flag wins).
            auto = the first OpenCL GPU, else the CPU backend. Numbers N are those `devices` lists.
            Environment: GANFIT_CACHE_DIR (compiled kernels), GANFIT_KERNEL_DIR (edited .cl files),
            GANFIT_CPU_THREADS (worker threads of the CPU backend).
            """,
        subcommands: [Devices.self, SelfTestCommand.self, Bench.self, Info.self, Embed.self, Landmarks.self, Render.self,
                      Synth.self, Fit.self, BatchReport.self, Evaluate.self, Texture.self, Quantize.self])
}

/// The --device option every command takes.
struct DeviceOptions: ParsableArguments {
    @Option(name: .long, help: "auto, cpu, opencl or opencl:N (default: GANFIT_DEVICE, else auto).")
    var device: String?

    func choice() throws -> DeviceChoice { try DeviceChoice.resolve(flag: device) }
}

/// Writes the landmarker's warning for a weak detection of `face` to stderr (shown with --quiet too).
func warnIfWeak(_ landmarker: FaceLandmarker, _ face: LandmarkedFace, source: String) {
    if let warning = landmarker.weakWarning(face, source: source) {
        FileHandle.standardError.write(Data((warning + "\n").utf8))
    }
}

/// Prints an engine error plainly and exits non-zero (no stack trace for bad input).
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as EngineError {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(2)
    } catch let error as CLError {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(3)
    }
}
