// Device choice, typed OpenCL errors, build failures with logs, the program binary cache.
@testable import Engine
import Foundation
import XCTest

final class RuntimeTests: XCTestCase {
    func testDeviceChoiceParsingAndPrecedence() throws {
        XCTAssertEqual(try DeviceChoice(parsing: "opencl:3"), .openclIndex(3))
        XCTAssertEqual(try DeviceChoice(parsing: "CPU"), .cpu)
        XCTAssertEqual(try DeviceChoice.resolve(flag: nil, environment: ["GANFIT_DEVICE": "opencl"]), .opencl)
        XCTAssertEqual(try DeviceChoice.resolve(flag: "cpu", environment: ["GANFIT_DEVICE": "opencl"]), .cpu)
        XCTAssertEqual(try DeviceChoice.resolve(flag: nil, environment: [:]), .auto)
        XCTAssertThrowsError(try DeviceChoice(parsing: "gpu")) { error in
            XCTAssertTrue("\(error)".contains("unknown device 'gpu'") && "\(error)".contains("cpu (CPU reference backend)"))
        }
    }

    func testAMissingDeviceIndexListsWhatExists() {
        XCTAssertThrowsError(try DeviceChoice.openclIndex(99).makeBackend()) { error in
            XCTAssertTrue("\(error)".contains("opencl:99") && "\(error)".contains("Available"), "\(error)")
        }
        XCTAssertThrowsError(try DeviceChoice.opencl.makeBackend(devices: [])) { error in
            XCTAssertTrue("\(error)".contains("no OpenCL device"), "\(error)")
        }
        XCTAssertTrue(try DeviceChoice.auto.makeBackend(devices: []) === CPUBackend.shared)
    }

    func testCLErrorNamesTheCodeAndTheCall() {
        let error = CLError(code: -5, call: "clEnqueueNDRangeKernel(x)")
        XCTAssertEqual(error.name, "CL_OUT_OF_RESOURCES")
        XCTAssertTrue(error.description.contains("clEnqueueNDRangeKernel(x)") && error.description.contains("-5"))
        XCTAssertTrue(CLError(code: -1001, call: "clGetPlatformIDs").description.contains("no OpenCL platform"))
    }

    func testAKernelThatFailsToBuildCarriesItsLog() throws {
        let device = try TestDevice.openCL()
        XCTAssertThrowsError(try device.runtime.kernel("fill", files: ["elementwise.cl"], prelude: "this is not OpenCL C;\n")) { error in
            guard let clError = error as? CLError else { return XCTFail("not a CLError: \(error)") }
            XCTAssertEqual(clError.name, "CL_BUILD_PROGRAM_FAILURE")
            XCTAssertFalse(clError.buildLog?.isEmpty ?? true)
            XCTAssertTrue(clError.call.contains("elementwise.cl"))
        }
        XCTAssertThrowsError(try device.runtime.kernel("fill", files: ["missing.cl"])) { error in
            XCTAssertTrue("\(error)".contains("missing.cl"))
        }
    }

    func testCompiledProgramsAreCachedOnDiskKeyedBySource() throws {
        let info = try TestDevice.openCL().runtime.info
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ganfit-cache-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        setenv("GANFIT_CACHE_DIR", folder.path, 1)
        defer { unsetenv("GANFIT_CACHE_DIR") }
        XCTAssertEqual(CacheFolder.url?.standardizedFileURL.path, folder.standardizedFileURL.path)
        let runtime = try CLRuntime(device: info)
        _ = try runtime.kernel("adam_step", files: ["optimizer.cl"])
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".clbin") }
        XCTAssertEqual(files.count, 1)
        // A fresh runtime loads the binary; another prelude is another key.
        _ = try CLRuntime(device: info).kernel("adam_step", files: ["optimizer.cl"])
        _ = try CLRuntime(device: info).kernel("adam_step", files: ["optimizer.cl"], prelude: "// edited\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".clbin") }.count, 2)
        XCTAssertNotEqual(ProgramCache.hashHex(["a", "b"]), ProgramCache.hashHex(["a", "c"]))
    }
}
