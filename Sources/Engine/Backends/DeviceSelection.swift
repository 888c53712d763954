// `--device auto|cpu|opencl|opencl:N` and GANFIT_DEVICE: which backend a command runs on.
import Foundation

public enum DeviceChoice: Equatable, CustomStringConvertible {
    /// The first OpenCL GPU, else the CPU backend (PoCL only when asked for).
    case auto
    case cpu
    /// The first OpenCL device of any type.
    case opencl
    /// OpenCL device N, numbered across platforms as `ganfit-gpu devices` lists them.
    case openclIndex(Int)

    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "auto": self = .auto
        case "cpu": self = .cpu
        case "opencl": self = .opencl
        default:
            let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "opencl", let n = Int(parts[1]), n >= 0 else {
                throw EngineError.unknownDevice(requested: text, available: DeviceChoice.availableNames())
            }
            self = .openclIndex(n)
        }
    }

    /// The flag when given, else GANFIT_DEVICE, else auto.
    public static func resolve(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> DeviceChoice {
        if let flag { return try DeviceChoice(parsing: flag) }
        if let env = environment["GANFIT_DEVICE"], !env.isEmpty { return try DeviceChoice(parsing: env) }
        return .auto
    }

    public var description: String {
        switch self {
        case .auto: return "auto"
        case .cpu: return "cpu"
        case .opencl: return "opencl"
        case .openclIndex(let n): return "opencl:\(n)"
        }
    }

    /// The backend this choice names, from the given device list.
    public func makeBackend(devices: [OpenCLDeviceInfo] = OpenCLDiscovery.devices(),
                            guardElements: Int = 0) throws -> any Backend {
        switch self {
        case .cpu:
            return CPUBackend.shared
        case .auto:
            guard let gpu = devices.first(where: \.isGPU) else { return CPUBackend.shared }
            return try OpenCLBackend(device: gpu, guardElements: guardElements)
        case .opencl:
            guard let first = devices.first else {
                throw EngineError.noOpenCLDevice(
                    "no OpenCL device found; install an ICD (Debian: pocl-opencl-icd for the CPU, or the GPU vendor's driver)")
            }
            return try OpenCLBackend(device: first, guardElements: guardElements)
        case .openclIndex(let n):
            guard n < devices.count else {
                throw EngineError.unknownDevice(requested: description, available: Self.names(devices))
            }
            return try OpenCLBackend(device: devices[n], guardElements: guardElements)
        }
    }

    static func names(_ devices: [OpenCLDeviceInfo]) -> [String] {
        ["cpu (CPU reference backend)"] + devices.map { "opencl:\($0.index) \($0.name) [\($0.platformName)]" }
    }

    static func availableNames() -> [String] { names(OpenCLDiscovery.devices()) }
}
