import Foundation
import XCTest

// Values placed in another's buffer on OpenCL (Regions.swift): a concatenation's operands written
// in place and contiguous slices as views run no kernel, give the reference evaluator's values
// forward and backward, and leave every guard intact; what cannot be placed still copies.
@testable import Engine

final class RegionTests: XCTestCase {
    /// relu(concat(conv(x, w1), conv(x, w2))) along the channels, with `channels` outputs per conv,
    /// a loss and its gradients to both weights (concatenation's backward is one slice per operand).
    private func branches(_ channels: (Int, Int), size: Int = 4)
        -> (graph: Graph, output: Value, loss: Value, grads: [Value], feeds: [String: HostTensor]) {
        let g = Graph()
        let x = g.input("x", [1, 3, size, size])
        let w1 = g.parameter("w1", [channels.0, 3, 3, 3]), w2 = g.parameter("w2", [channels.1, 3, 1, 1])
        let (wide, narrow) = (try! g.conv2d(x, w1, Window(padding: (1, 1, 1, 1))), try! g.conv2d(x, w2))
        let joined = try! g.concat([wide, narrow], axis: 1)
        let output = try! g.relu(joined)
        let loss = try! g.sum(try! g.square(output))
        let grads = try! g.gradients(of: loss, wrt: [w1, w2])
        var feeds: [String: HostTensor] = [:]
        for (name, shape) in [("x", x.shape), ("w1", w1.shape), ("w2", w2.shape)] {
            let values = (0..<shape.elementCount).map { Float(sin(Double($0 * 7 + name.count))) }
            feeds[name] = HostTensor(shape, values)
        }
        return (g, output, loss, grads, feeds)
    }

    /// Runs `program` once: the launches it made (every guard checked).
    private func run(_ program: Program, _ feeds: [String: HostTensor],
                     on device: OpenCLBackend) throws -> Int {
        for (name, value) in feeds { try program.set(name, value) }
        let before = Counters.shared.snapshot
        try program.run()
        try device.synchronize()
        for tensor in program.deviceTensors {
            XCTAssertTrue(try device.sentinelIntact(tensor), "a guard was overwritten")
        }
        return Counters.shared.snapshot.since(before).launches
    }

    private func ranNothing(_ program: Program) -> [String] {
        program.plan.regions.runsNothing.sorted().map { id in
            guard case .op(let op) = program.fused.nodes[id].kind else { return "leaf" }
            return op.name
        }
    }

    func testConcatenationOperandsAreWrittenInPlaceAndItsGradientSlicesAreViews() throws {
        let device = try TestDevice.openCL()
        let alignment = try XCTUnwrap(device.regionAlignment)
        // The second operand starts after the first's channels of 4×4 (64 bytes each): aligned.
        let built = branches((max(1, alignment / 64), 3))
        let outputs = [built.output, built.loss] + built.grads
        let program = try Program(graph: built.graph, outputs: outputs, device: device)
        let placed = ranNothing(program)
        XCTAssertEqual(placed.filter { $0.hasPrefix("concat") }.count, 1, "\(placed)")
        XCTAssertEqual(placed.filter { $0.hasPrefix("slice") }.count, 2, "\(placed)")
        let launches = try run(program, built.feeds, on: device)
        let expected = try built.graph.evaluate(outputs, feeds: built.feeds)
        for (value, want) in zip(outputs, expected) {
            assertClose(try program.read(value).values, want.values, atol: 1e-4, rtol: 1e-4)
        }
        // The same graph with the copies (a program built as before): four launches more.
        let copying = try Program(graph: built.graph, outputs: outputs, device: device, placesRegions: false)
        XCTAssertTrue(ranNothing(copying).isEmpty)
        XCTAssertEqual(try run(copying, built.feeds, on: device), launches + 4)
    }

    func testMisalignedOperandsAndSlicesAcrossRowsAreCopied() throws {
        let device = try TestDevice.openCL()
        // One channel of 1×1 before the second operand: 4 bytes, below any device's alignment.
        let misaligned = branches((1, 2), size: 1)
        let outputs = [misaligned.output] + misaligned.grads
        let program = try Program(graph: misaligned.graph, outputs: outputs, device: device)
        // The first operand (offset 0) is in place and the concatenation copies the second; of the
        // gradient's slices, the one at offset 0 is a view.
        XCTAssertEqual(Array(program.plan.regions.copiedOperands.values), [[1]])
        XCTAssertEqual(ranNothing(program), [Slice(starts: [0, 0, 0, 0], ends: [1, 1, 1, 1]).name])
        let launches = try run(program, misaligned.feeds, on: device)
        let expected = try misaligned.graph.evaluate(outputs, feeds: misaligned.feeds)
        for (value, want) in zip(outputs, expected) {
            assertClose(try program.read(value).values, want.values, atol: 1e-4, rtol: 1e-4)
        }
        let copying = try Program(
            graph: misaligned.graph, outputs: outputs, device: device, placesRegions: false)
        XCTAssertEqual(try run(copying, misaligned.feeds, on: device), launches + 2)
        // Columns of a matrix are not one run of it; rows are, but a program's output is never a view.
        let g = Graph()
        let m = g.input("m", [32, 128]), n = g.input("n", [64, 64])
        let columns = try g.slice(m, axis: 1, 0..<64), rows = try g.slice(n, axis: 0, 32..<64)
        let sum = try g.add(try g.relu(rows), columns)
        let both = try Program(graph: g, outputs: [sum, rows], device: device)
        XCTAssertTrue(ranNothing(both).isEmpty, "\(ranNothing(both))")
        let reshaped = try Program(graph: g, outputs: [sum, try g.reshape(rows, [64, 32])], device: device)
        XCTAssertTrue(ranNothing(reshaped).isEmpty, "an output's reshape: \(ranNothing(reshaped))")
        let viewed = try Program(graph: g, outputs: [sum], device: device)
        XCTAssertEqual(ranNothing(viewed), [Slice(starts: [32, 0], ends: [64, 64]).name])
        let feeds = ["m": HostTensor([32, 128], (0..<4096).map { Float($0 % 97) - 40 }),
                     "n": HostTensor([64, 64], (0..<4096).map { Float($0 % 89) - 40 })]
        _ = try run(viewed, feeds, on: device)
        XCTAssertEqual(try viewed.read(sum).values, try g.evaluate([sum], feeds: feeds)[0].values)
    }

    /// concat(2a, 3b) of two inputs of 256 (1 KB apart: aligned on any device).
    private func scaledParts() throws
        -> (g: Graph, a: Value, b: Value, twice: Value, thrice: Value, shared: Value) {
        let g = Graph()
        let a = g.input("a", [256]), b = g.input("b", [256])
        let twice = try g.scale(a, 2), thrice = try g.scale(b, 3)
        return (g, a, b, twice, thrice, try g.concat([twice, thrice], axis: 0))
    }

    func testAnOperandReadElsewhereIsReadInPlaceAndOneInTwoConcatenationsIsPlacedOnce() throws {
        let device = try TestDevice.openCL()
        let (g, a, _, twice, thrice, shared) = try scaledParts()
        let alsoRead = try g.add(try g.exp(twice), a)  // read after the concatenation, from its buffer
        let again = try g.concat([thrice, twice], axis: 0)
        let outputs = [try g.add(shared, again), alsoRead]
        let program = try Program(graph: g, outputs: outputs, device: device)
        XCTAssertEqual(ranNothing(program), ["concat(0)"], "the second concatenation copies")
        let feeds = ["a": HostTensor([256], (0..<256).map { Float($0) / 64 }),
                     "b": HostTensor([256], (0..<256).map { Float(255 - $0) / 32 })]
        _ = try run(program, feeds, on: device)
        for (value, want) in zip(outputs, try g.evaluate(outputs, feeds: feeds)) {
            assertClose(try program.read(value).values, want.values)
        }
    }

    func testAnOutputOrALeafOperandKeepsTheCopyAndTheCPUReferenceHasNoViews() throws {
        let device = try TestDevice.openCL()
        let (g, a, b, _, thrice, shared) = try scaledParts()
        XCTAssertTrue(ranNothing(try Program(graph: g, outputs: [shared, thrice], device: device)).isEmpty)
        let leaves = try g.concat([a, b], axis: 0)
        XCTAssertTrue(ranNothing(try Program(graph: g, outputs: [leaves], device: device)).isEmpty)
        XCTAssertEqual(ranNothing(try Program(graph: g, outputs: [shared], device: device)), ["concat(0)"])
        XCTAssertTrue(ranNothing(try Program(graph: g, outputs: [shared], device: CPUBackend.shared)).isEmpty)
    }
}
