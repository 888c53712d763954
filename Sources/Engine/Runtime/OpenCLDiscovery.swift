// Finding OpenCL platforms and devices, numbered across all platforms in listing order.
import CLBridge
import Foundation

/// What matters about one OpenCL device, as `ganfit-gpu devices` shows it.
public struct OpenCLDeviceInfo: @unchecked Sendable {
    public let index: Int
    public let platformName: String
    public let name: String
    public let vendor: String
    public let isGPU: Bool
    public let isCPU: Bool
    public let computeUnits: Int
    /// CL_DEVICE_MAX_CLOCK_FREQUENCY in MHz (the device's reported maximum clock).
    public let maxClockMHz: Int
    public let globalMemoryBytes: UInt64
    public let localMemoryBytes: UInt64
    public let maxWorkGroupSize: Int
    public let openCLCVersion: String
    public let driverVersion: String
    public let hasFP64: Bool
    /// CL_DEVICE_MEM_BASE_ADDR_ALIGN in bytes: where a sub-buffer may start (`CLRuntime.makeRegion`).
    public let baseAddressAlignment: Int
    let platformID: cl_platform_id
    let deviceID: cl_device_id

    /// Whether this is PoCL (the CPU implementation used here as a correctness backend).
    public var isPoCL: Bool { platformName.localizedCaseInsensitiveContains("portable computing") }
}

public enum OpenCLDiscovery {
    /// Every OpenCL device of every platform; an empty list when the loader finds no platform.
    public static func devices() -> [OpenCLDeviceInfo] {
        var count: cl_uint = 0
        guard clGetPlatformIDs(0, nil, &count) == CL_SUCCESS, count > 0 else { return [] }
        var platforms = [cl_platform_id?](repeating: nil, count: Int(count))
        guard clGetPlatformIDs(count, &platforms, nil) == CL_SUCCESS else { return [] }
        var result: [OpenCLDeviceInfo] = []
        for case let platform? in platforms {
            let platformName = platformString(platform, cl_platform_info(CL_PLATFORM_NAME))
            var n: cl_uint = 0
            guard clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &n) == CL_SUCCESS,
                  n > 0 else { continue }
            var ids = [cl_device_id?](repeating: nil, count: Int(n))
            guard clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), n, &ids, nil) == CL_SUCCESS
            else { continue }
            for case let id? in ids {
                result.append(describe(id, platform: platform, platformName: platformName, index: result.count))
            }
        }
        return result
    }

    static func describe(_ id: cl_device_id, platform: cl_platform_id, platformName: String,
                         index: Int) -> OpenCLDeviceInfo {
        let type: cl_device_type = deviceScalar(id, CL_DEVICE_TYPE, 0)
        let extensions = deviceString(id, CL_DEVICE_EXTENSIONS)
        let doubleConfig: cl_device_fp_config = deviceScalar(id, CL_DEVICE_DOUBLE_FP_CONFIG, 0)
        return OpenCLDeviceInfo(
            index: index, platformName: platformName,
            name: deviceString(id, CL_DEVICE_NAME).trimmingCharacters(in: .whitespaces),
            vendor: deviceString(id, CL_DEVICE_VENDOR),
            isGPU: type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0,
            isCPU: type & cl_device_type(CL_DEVICE_TYPE_CPU) != 0,
            computeUnits: Int(deviceScalar(id, CL_DEVICE_MAX_COMPUTE_UNITS, cl_uint(0))),
            maxClockMHz: Int(deviceScalar(id, CL_DEVICE_MAX_CLOCK_FREQUENCY, cl_uint(0))),
            globalMemoryBytes: deviceScalar(id, CL_DEVICE_GLOBAL_MEM_SIZE, cl_ulong(0)),
            localMemoryBytes: deviceScalar(id, CL_DEVICE_LOCAL_MEM_SIZE, cl_ulong(0)),
            maxWorkGroupSize: Int(deviceScalar(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, Int(0))),
            openCLCVersion: deviceString(id, CL_DEVICE_OPENCL_C_VERSION),
            driverVersion: deviceString(id, CL_DRIVER_VERSION),
            hasFP64: doubleConfig != 0 || extensions.contains("cl_khr_fp64"),
            baseAddressAlignment: Int(deviceScalar(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, cl_uint(0))) / 8,
            platformID: platform, deviceID: id)
    }

    static func deviceString(_ id: cl_device_id, _ param: Int32) -> String {
        var size = 0
        guard clGetDeviceInfo(id, cl_device_info(param), 0, nil, &size) == CL_SUCCESS, size > 0 else { return "" }
        var bytes = [CChar](repeating: 0, count: size)
        guard clGetDeviceInfo(id, cl_device_info(param), size, &bytes, nil) == CL_SUCCESS else { return "" }
        return String(cString: bytes)
    }

    static func deviceScalar<T>(_ id: cl_device_id, _ param: Int32, _ fallback: T) -> T {
        var value = fallback
        let status = withUnsafeMutableBytes(of: &value) {
            clGetDeviceInfo(id, cl_device_info(param), $0.count, $0.baseAddress, nil)
        }
        return status == CL_SUCCESS ? value : fallback
    }

    static func platformString(_ id: cl_platform_id, _ param: cl_platform_info) -> String {
        var size = 0
        guard clGetPlatformInfo(id, param, 0, nil, &size) == CL_SUCCESS, size > 0 else { return "" }
        var bytes = [CChar](repeating: 0, count: size)
        guard clGetPlatformInfo(id, param, size, &bytes, nil) == CL_SUCCESS else { return "" }
        return String(cString: bytes)
    }
}
