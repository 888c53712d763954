// GANFIT's second render: each draw turns the head within the yaw setting about its centre, keeps it
// where the photo has it, follows the seed, and its identity loss reaches the shape.
@testable import Engine
import Foundation
import XCTest

final class RandomViewTests: XCTestCase {
    func testRandomViewsTurnTheHeadInFrameAndTheirLossReachesTheShape() throws {
        let face = try FitModel(folder: Repository.path("models/sfm"))
        var settings = FitSettings()
        (settings.size, settings.randomViewYaw) = (64, 30)
        var photo = FaceParameters.initial(face, targets: [], focal: 2.5 * 64, principalPoint: SIMD2(32, 32))
        (photo.rotation, photo.translation) = ([0.05, 0.5, 0], [8, -5, -650])
        let g = Graph()
        let geometry = try FaceGraph(g, face: face, settings: settings)
        let network = StandInIdentity()
        let view = try RandomView(
            g, face: face, shape: geometry.shape, camera: geometry.first,
            texture: g.constant(HostTensor([8, 8, 3], Array(repeating: 0.7, count: 192))), network: network,
            reference: g.input("reference", [1, 16]), size: settings.size)
        let photoScreen = try geometry.first.screen(g, size: settings.size)
        let shapeGradient = try g.gradients(of: view.identity, wrt: [geometry.shape])[0]
        let program = try Program(
            graph: g, outputs: [view.render.coverage, view.identity, photoScreen, shapeGradient],
            device: CPUBackend.shared)
        for (name, value) in photo.geometryFeeds() { try program.set(name, value) }
        try program.set("reference", HostTensor([1, 16], (0..<16).map { $0 == 3 ? 1 : 0 }))

        func draws(_ count: Int) throws -> [(
            rotation: [Float], coverage: HostTensor, identity: Float, gradient: [Float]
        )] {
            var random = SynthRandom(seed: 7, stream: 1)
            return try (0..<count).map { _ in
                try view.draw(program, start: photo, settings: settings, random: &random)
                try program.run()
                return (
                    try program.read(view.rotation).values, try program.read(view.render.coverage),
                    try program.read(view.identity).values[0], try program.read(shapeGradient).values
                )
            }
        }
        let first = try draws(6)
        let screen = try program.read(photoScreen).values
        let vertexCount = screen.count / 3
        let photoCentre = SIMD2(
            (0..<vertexCount).map { screen[3 * $0] }.reduce(0, +) / Float(vertexCount),
            (0..<vertexCount).map { screen[3 * $0 + 1] }.reduce(0, +) / Float(vertexCount))
        for (rotation, coverage, identity, gradient) in first {
            XCTAssertLessThanOrEqual(abs(rotation[1]), 30 * .pi / 180 + 1e-6, "yaw within the setting")
            XCTAssertLessThanOrEqual(abs(rotation[0]), 10 * .pi / 180 + 1e-6, "pitch within a third of it")
            let c = coverage.values
            let side = settings.size
            let covered = c.reduce(0, +)
            XCTAssertGreaterThan(covered, 0.15 * Float(side * side), "the face fills the view")
            let centre = SIMD2(
                (0..<c.count).map { c[$0] * (Float($0 % side) + 0.5) }.reduce(0, +) / covered,
                (0..<c.count).map { c[$0] * (Float($0 / side) + 0.5) }.reduce(0, +) / covered)
            let offset = centre - photoCentre
            XCTAssertLessThan(
                (offset * offset).sum().squareRoot(), 0.1 * Float(side),
                "the turned face stays where the photo's is: \(centre) against \(photoCentre)")
            XCTAssertTrue(identity.isFinite)
            XCTAssertTrue(gradient.allSatisfy(\.isFinite))
            XCTAssertGreaterThan(gradient.map(abs).max()!, 0, "the loss reaches the shape")
        }
        XCTAssertGreaterThan(Set(first.map { $0.rotation[1] }).count, 5, "every draw turns the head anew")
        XCTAssertEqual(try draws(6).map(\.rotation), first.map(\.rotation), "the draws follow the seed")
    }
}
