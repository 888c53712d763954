// The identity network's terms run by their own program and linearised in the joint graph: right
// after a run their value and gradient are the in-graph terms' (CPU and OpenCL), and in between the
// value follows the first-order prediction from that run.
import XCTest

@testable import Engine

final class NetworkTermTests: XCTestCase {
    private let side = 12
    private var settings: FitSettings {
        var settings = FitSettings()
        (settings.identityWeight, settings.contentWeight) = (0.7, 0.4)
        return settings
    }

    /// The photo's embedding and feature maps: the stand-in network on a fixed image.
    private func photo() throws -> (embedding: HostTensor, features: [HostTensor]) {
        let image = HostTensor([side, side, 3], sawtoothValues(side * side * 3, 1).map { 0.5 + 0.4 * $0 })
        return try IdentityTerm.embed(image, network: StandInIdentity(), device: CPUBackend.shared)
    }

    /// A render that depends on its parameter nonlinearly: r = p ⊙ p.
    private func render(_ g: Graph) throws -> (parameter: Value, render: Value) {
        let p = g.parameter("p", [side, side, 3])
        return (p, try g.mul(p, p))
    }

    private func start(_ shift: Float = 0) -> HostTensor {
        HostTensor([side, side, 3], sawtoothValues(side * side * 3, 5).map { 0.6 + 0.3 * $0 + shift })
    }

    /// The terms in the graph itself: 0.7 · identity + 0.4 · content, and the gradient to p.
    private func inGraph(at p: HostTensor) throws -> (objective: Float, gradient: [Float]) {
        let g = Graph()
        let (parameter, render) = try render(g)
        let photo = try photo()
        let outputs = try IdentityTerm.outputs(g, network: StandInIdentity(), image: render)
        let identity = try IdentityTerm.loss(
            g, embedding: outputs.embedding, reference: g.constant(photo.embedding))
        let content = try IdentityTerm.contentLoss(
            g, features: outputs.features, references: photo.features.map(g.constant))
        let objective = try g.add(g.scale(identity, 0.7), g.scale(content, 0.4))
        let gradient = try g.gradients(of: objective, wrt: [parameter])[0]
        let program = try Program(graph: g, outputs: [objective, gradient], device: CPUBackend.shared)
        try program.set("p", p)
        try program.run()
        return (try program.read(objective).values[0], try program.read(gradient).values)
    }

    /// The terms on the render r = p ⊙ p of a new joint graph, and their objective's gradient to p.
    private func joint(interval: Int) throws
        -> (g: Graph, parameter: Value, render: Value, term: NetworkTerm, gradient: Value)
    {
        var settings = settings
        settings.identityInterval = interval
        let g = Graph()
        let (parameter, render) = try render(g)
        let term = try NetworkTerm(
            joint: g, render: render, view: 0, network: StandInIdentity(), photo: try photo(),
            settings: settings)
        return (g, parameter, render, term, try g.gradients(of: term.objective, wrt: [parameter])[0])
    }

    private func checkLinearisation(device: any Backend) throws {
        let (g, parameter, render, term, gradient) = try joint(interval: 2)
        let rendering = try Program(graph: g, outputs: [render], device: device)
        let network = try XCTUnwrap(try term.program(reading: rendering, device: device))
        let joint = try Program(
            graph: g, outputs: [term.objective, gradient, render], device: device,
            bound: try term.jointBindings(network) + rendering.leafTensors.filter { $0.leaf == parameter })
        func refresh() throws {
            try rendering.run()
            try network.run()
        }
        try joint.set("p", start())
        try refresh()
        try joint.run()
        let reference = try inGraph(at: start())
        let objective = try joint.read(term.objective).values[0]
        XCTAssertEqual(objective, reference.objective, accuracy: 1e-5 * abs(reference.objective))
        let linearised = try joint.read(gradient).values
        let scale = reference.gradient.map(abs).max()!
        XCTAssertGreaterThan(scale, 1e-4, "the terms have a gradient to compare")
        for (a, b) in zip(linearised, reference.gradient) { XCTAssertEqual(a, b, accuracy: 1e-4 * scale) }

        // Moved without a run of the terms: the first-order prediction from the last run.
        let renderBefore = try joint.read(render).values
        try joint.set("p", start(0.05))
        try joint.run()
        let renderAfter = try joint.read(render).values
        let imageGradient = linearised.indices.map { linearised[$0] / (2 * start().values[$0]) }  // d/dr
        let predicted = objective
            + zip(imageGradient, zip(renderAfter, renderBefore)).map { $0 * ($1.0 - $1.1) }.reduce(0, +)
        XCTAssertEqual(try joint.read(term.objective).values[0], predicted, accuracy: 1e-4 * abs(objective))
        XCTAssertNotEqual(
            try joint.read(term.objective).values[0], try inGraph(at: start(0.05)).objective,
            "the prediction is not the terms at the new render")
        // Run again there: exact again.
        try refresh()
        try joint.run()
        let moved = try inGraph(at: start(0.05))
        XCTAssertEqual(
            try joint.read(term.objective).values[0], moved.objective, accuracy: 1e-5 * abs(moved.objective))
    }

    /// At interval 1 the terms are part of the joint graph: no program of their own.
    func testAtIntervalOneTheTermsAreInTheJointGraph() throws {
        let (g, _, _, term, gradient) = try joint(interval: 1)
        let program = try Program(graph: g, outputs: [term.objective, gradient], device: CPUBackend.shared)
        XCTAssertNil(try term.program(reading: program, device: CPUBackend.shared))
        try program.set("p", start())
        try program.run()
        let reference = try inGraph(at: start())
        XCTAssertEqual(try program.read(term.objective).values[0], reference.objective, accuracy: 1e-6)
        XCTAssertEqual(try program.read(gradient).values, reference.gradient)
    }

    func testTheLinearisedTermsAreExactWhereTheyRanOnTheCPU() throws {
        try checkLinearisation(device: CPUBackend.shared)
    }

    func testTheLinearisedTermsAreExactWhereTheyRanOnOpenCL() throws {
        try checkLinearisation(device: try TestDevice.openCL())
    }
}
