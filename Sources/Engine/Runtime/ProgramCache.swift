// Builds OpenCL programs from the embedded sources, with an on-disk binary cache keyed by
// device, driver version, build options and a hash of the full source text.
import CLBridge
import Foundation
import Kernels

final class ProgramCache {
    /// Strict IEEE math: no -cl-fast-relaxed-math, no -cl-mad-enable.
    static let buildOptions = "-cl-std=CL1.2"

    let device: OpenCLDeviceInfo
    private var built: [String: cl_program] = [:]

    init(device: OpenCLDeviceInfo) {
        self.device = device
    }

    func releaseAll() {
        for program in built.values { clReleaseProgram(program) }
        built.removeAll()
    }

    func program(files: [String], prelude: String, context: cl_context) throws -> cl_program {
        var source = prelude
        for file in ["common.cl"] + files {
            guard let text = KernelSource.text(file) else {
                throw EngineError.invalidValue("no kernel source named \(file)")
            }
            source += "\n// ---- \(file)\n" + text
        }
        let options = Self.buildOptions
        let key = Self.hashHex([device.platformName, device.name, device.driverVersion, options, source])
        if let program = built[key] { return program }

        let cacheFile = CacheFolder.url?.appendingPathComponent("\(key).clbin")
        if let cacheFile, let binary = try? Data(contentsOf: cacheFile),
           let program = try? buildFromBinary(binary, context: context, options: options) {
            built[key] = program
            return program
        }
        let program = try buildFromSource(source, context: context, options: options, files: files)
        if let cacheFile, let binary = try? binaryOf(program) {
            try? binary.write(to: cacheFile, options: .atomic)
        }
        built[key] = program
        return program
    }

    private func buildFromSource(_ source: String, context: cl_context, options: String,
                                 files: [String]) throws -> cl_program {
        var status: cl_int = 0
        let program: cl_program? = source.withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            return clCreateProgramWithSource(context, 1, &pointer, nil, &status)
        }
        guard let program else { throw CLError(code: status, call: "clCreateProgramWithSource") }
        var device: cl_device_id? = self.device.deviceID
        let buildStatus = clBuildProgram(program, 1, &device, options, nil, nil)
        if buildStatus != CL_SUCCESS {
            let log = buildLog(program)
            clReleaseProgram(program)
            throw CLError(code: buildStatus, call: "clBuildProgram(\(files.joined(separator: ", ")))", buildLog: log)
        }
        return program
    }

    private func buildFromBinary(_ binary: Data, context: cl_context, options: String) throws -> cl_program {
        var status: cl_int = 0
        var binaryStatus: cl_int = 0
        var device: cl_device_id? = self.device.deviceID
        var length = binary.count
        let program: cl_program? = binary.withUnsafeBytes { raw in
            var pointer: UnsafePointer<UInt8>? = raw.bindMemory(to: UInt8.self).baseAddress
            return clCreateProgramWithBinary(context, 1, &device, &length, &pointer, &binaryStatus, &status)
        }
        guard let program, status == CL_SUCCESS, binaryStatus == CL_SUCCESS else {
            if let program { clReleaseProgram(program) }
            throw CLError(code: status == CL_SUCCESS ? binaryStatus : status, call: "clCreateProgramWithBinary")
        }
        let buildStatus = clBuildProgram(program, 1, &device, options, nil, nil)
        guard buildStatus == CL_SUCCESS else {
            clReleaseProgram(program)
            throw CLError(code: buildStatus, call: "clBuildProgram(binary)")
        }
        return program
    }

    private func binaryOf(_ program: cl_program) throws -> Data {
        var size = 0
        try check(clGetProgramInfo(program, cl_program_info(CL_PROGRAM_BINARY_SIZES), MemoryLayout<Int>.size,
                                   &size, nil), "clGetProgramInfo(BINARY_SIZES)")
        guard size > 0 else { throw CLError(code: -42, call: "clGetProgramInfo(empty binary)") }
        var bytes = [UInt8](repeating: 0, count: size)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            var pointer: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            try check(clGetProgramInfo(program, cl_program_info(CL_PROGRAM_BINARIES),
                                       MemoryLayout<UnsafeMutablePointer<UInt8>>.size, &pointer, nil),
                      "clGetProgramInfo(BINARIES)")
        }
        return Data(bytes)
    }

    private func buildLog(_ program: cl_program) -> String {
        var size = 0
        clGetProgramBuildInfo(program, device.deviceID, cl_program_build_info(CL_PROGRAM_BUILD_LOG), 0, nil, &size)
        guard size > 1 else { return "" }
        var bytes = [CChar](repeating: 0, count: size)
        clGetProgramBuildInfo(program, device.deviceID, cl_program_build_info(CL_PROGRAM_BUILD_LOG), size, &bytes, nil)
        return String(cString: bytes)
    }

    /// FNV-1a 64 over the parts (separated), as 16 hex digits.
    static func hashHex(_ parts: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            hash ^= 0xff
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
