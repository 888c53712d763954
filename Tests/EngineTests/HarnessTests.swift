import Foundation
import Kernels
import XCTest

// The harness itself can fail: wrong values, out-of-bounds writes, wrong kernels and wrong
// gradients are each caught.
@testable import Engine

/// y = 2x, with a deliberately wrong gradient (3·dy) unless `correct`.
private struct Doubling: Op {
    let correct: Bool
    var name: String { "doubling" }
    func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] { [inputs[0]] }
    func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        [RefTensor(inputs[0].shape, inputs[0].values.map { 2 * $0 })]
    }
    func gradients(_ g: Graph, inputs: [Value], output: Value, outputGrad: Value) throws -> [Value?] {
        [try g.scale(outputGrad, correct ? 2 : 3)]
    }
}

/// Fills its output with 1 but launches three work-items too many (an out-of-bounds write).
private struct Overflowing: Op, OpenCLOp {
    var name: String { "overflowing" }
    func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] { [inputs[0]] }
    func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        [RefTensor(inputs[0].shape, inputs[0].values.map { _ in 1 })]
    }
    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let k = try device.kernel("fill", file: "elementwise.cl", prelude: MapFunction.kernelDefines)
        let n = outputs[0].type.count + 3
        try device.runtime.launch(
            k, global: [n], [.buffer(OpenCLBackend.buffer(outputs[0])), .int(Int32(n)), .float(1)])
    }
}

final class HarnessTests: XCTestCase {
    func testComparisonRejectsDifferencesAndNonFiniteValues() {
        XCTAssertTrue(
            Comparison.compare([1, 2, 3] as [Float], [1, 2, 3] as [Float], tolerance: .standard, label: "x")
                .passed)
        let off = Comparison.compare(
            [1, 2, 3.01] as [Float], [1, 2, 3] as [Float], tolerance: .standard, label: "x")
        XCTAssertFalse(off.passed)
        XCTAssertEqual(off.worstIndex, 2)
        XCTAssertFalse(
            Comparison.compare([1, .nan] as [Float], [1, 2] as [Float], tolerance: .standard, label: "x")
                .passed)
    }

    func testGradientCheckCatchesAWrongBackward() {
        let wrong = OpCase("test", "doubling wrong", [.float([5])]) { g, x in
            try g.apply(Doubling(correct: false), x[0])
        }
        let right = OpCase("test", "doubling right", [.float([5])]) { g, x in
            try g.apply(Doubling(correct: true), x[0])
        }
        XCTAssertFalse(GradientCheck.run(wrong).passed)
        XCTAssertTrue(GradientCheck.run(right).passed)
    }

    func testSentinelCatchesAnOutOfBoundsWrite() throws {
        let device = try TestDevice.openCL()
        let opCase = OpCase("test", "overflowing [7]", [.float([7])], checksGradient: false) { g, x in
            try g.apply(Overflowing(), x[0])
        }
        let result = ParityCheck.run(opCase, on: device)
        XCTAssertFalse(result.passed)
        XCTAssertTrue(result.details.contains { $0.contains("sentinel") }, result.description)
    }

    func testParityCatchesAWrongKernel() throws {
        let info = try TestDevice.openCL().runtime.info
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "broken-kernels-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = KernelSource.text("elementwise.cl")!
            .replacingOccurrences(
                of: "case MAP_ADD:           return a + b;", with: "case MAP_ADD:           return a - b;")
        XCTAssertNotEqual(broken, KernelSource.text("elementwise.cl"))
        try broken.write(
            to: folder.appendingPathComponent("elementwise.cl"), atomically: true, encoding: .utf8)
        setenv("GANFIT_KERNEL_DIR", folder.path, 1)
        defer { unsetenv("GANFIT_KERNEL_DIR") }
        let device = try OpenCLBackend(device: info)
        let add = OpCases.all.first { $0.name == "map add [4,5]+[5]" }!
        XCTAssertFalse(ParityCheck.run(add, on: device).passed)
    }

    /// bench --kernels: one run's kernel time by kernel and global size accounts for every launch
    /// the benchmark counts for that case; on the CPU backend, every op of the case once.
    func testKernelTimesAccountForEveryLaunch() throws {
        let device = try TestDevice.openCL()
        let mlp = OpCases.all.first { $0.name == "composite mlp [6,10]→8→3 tanh" }!
        let times = try PerfRun.kernelTimes(mlp, on: device)
        let perf = try PerfRun.run(
            mlp, on: device, peak: DevicePeak.of(device.runtime.info), minimumSeconds: 0)
        XCTAssertEqual(times.reduce(0) { $0 + $1.time.launches }, perf.launches)
        XCTAssertTrue(times.contains { $0.kernel.hasPrefix("matmul") }, "\(times.map(\.kernel))")
        XCTAssertTrue(times.allSatisfy { $0.kernel.hasSuffix("]") && $0.time.launches > 0 })
        XCTAssertEqual(times.map(\.time.nanoseconds), times.map(\.time.nanoseconds).sorted(by: >))
        let ops = try PerfRun.kernelTimes(mlp, on: CPUBackend.shared)
        XCTAssertTrue(ops.contains { $0.kernel.contains("tanh") }, "\(ops.map(\.kernel))")
        XCTAssertTrue(
            ops.allSatisfy { $0.kernel.hasSuffix("]") && $0.time.launches == 1 }, "\(ops.map(\.kernel))")
        let program = try mlp.forwardProgram(on: CPUBackend.shared)
        let runs = program.schedule.steps.filter { if case .run = $0 { true } else { false } }
        XCTAssertEqual(ops.count, runs.count, "one entry per op run")
        // The lines bench --kernels and fit --profile print: the first `top`, then the rest summed.
        let lines = BenchmarkReport.profileLines(ops, top: 2)
        XCTAssertEqual(lines.count, ops.count > 2 ? 3 : ops.count)
        XCTAssertTrue(lines[0].contains(ops[0].kernel) && lines[0].hasSuffix("×1"), lines[0])
        if ops.count > 2 { XCTAssertTrue(lines[2].contains("… \(ops.count - 2) more"), lines[2]) }
    }
}
