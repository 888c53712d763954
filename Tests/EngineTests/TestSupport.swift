// Shared by the tests: the OpenCL device to check against (PoCL in CI), comparison assertions (values;
// a program against the reference evaluator) that point failures at the caller, and the ops a program runs.
@testable import Engine
import Foundation
import XCTest

enum TestDevice {
    /// The first OpenCL device with sentinel guards, or a skip; under CI=true a missing device
    /// is a failure, not a skip.
    static func openCL(file: StaticString = #filePath, line: UInt = #line) throws -> OpenCLBackend {
        if let backend = shared { return backend }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail("CI=true but no OpenCL device was found: install pocl-opencl-icd (scripts/setup.sh)", file: file, line: line)
        }
        throw XCTSkip("no OpenCL device (install pocl-opencl-icd to run the parity tests)")
    }

    private static let shared: OpenCLBackend? = {
        guard let info = OpenCLDiscovery.devices().first else { return nil }
        return try? OpenCLBackend(device: info, guardElements: 64)
    }()
}

func assertClose(_ actual: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 1e-4,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "element count", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() where Swift.abs(a - e) > atol + rtol * Swift.abs(e) {
        XCTFail("element \(i): \(a) vs expected \(e)", file: file, line: line)
        return
    }
}

/// `count` values in [-0.45, 0.55), a sawtooth that `seed` shifts: test inputs without a generator.
func sawtoothValues(_ count: Int, _ seed: Int) -> [Float] {
    (0..<count).map { Float(($0 * 7 + seed * 13) % 23) / 23 - 0.45 }
}

/// Runs `program` on `feeds` and checks each of `outputs` against the reference evaluator's values
/// in Double, to 1e-5 of its largest magnitude.
func assertEqualsReference(
    _ program: Program, _ g: Graph, _ outputs: [Value], _ feeds: [String: HostTensor], _ label: String,
    file: StaticString = #filePath, line: UInt = #line
) throws {
    let expected = try g.evaluate(outputs, feeds: feeds.mapValues { $0.converted(to: Double.self) })
    for (name, value) in feeds { try program.set(name, value) }
    try program.run()
    for (value, reference) in zip(outputs, expected) {
        let got = try program.read(value).values, scale = reference.values.map(Swift.abs).max()!
        let difference = zip(got, reference.values).map { Swift.abs(Double($0) - $1) }.max()!
        XCTAssertLessThanOrEqual(difference / scale, 1e-5, "\(label): \(value)", file: file, line: line)
    }
}

extension Program {
    /// The names of the ops the program runs, in order (after merging and fusion).
    var ranOps: [String] {
        schedule.steps.compactMap { step in
            guard case .run(let node, _) = step, case .op(let op) = fused.nodes[node].kind else { return nil }
            return op.name
        }
    }
}
