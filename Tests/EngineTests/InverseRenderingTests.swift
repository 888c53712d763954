// End to end: the pose, light and texture of a textured ellipsoid recovered by gradient descent through
// the whole renderer (projection, rasterization, interpolation, texture, shading, antialiasing).
@testable import Engine
import Foundation
import XCTest

final class InverseRenderingTests: XCTestCase {
    func testAdamRecoversPoseLightAndTextureOfAnEllipsoid() throws {
        let size = 48
        let sphere = Mesh.uvSphere(rings: 10, segments: 20)
        let v = sphere.positions.count
        let g = Graph()
        let rotation = g.parameter("rotation", [3]), translation = g.parameter("translation", [3])
        let ambient = g.parameter("ambient", [3]), colour = g.parameter("colour", [3]), direction = g.parameter("direction", [3])
        let texture = g.parameter("texture", [8, 16, 3]), target = g.input("target", [size, size, 3])
        let mesh = try RenderMesh(g, triangles: sphere.triangles, vertexCount: v)
        let vertices = g.constant(HostTensor([v, 3], sphere.positions.flatMap { [$0.x, 0.8 * $0.y, 0.6 * $0.z] }))
        let screen = try g.project(vertices, rotation: rotation, translation: translation, focal: g.constant(HostTensor([1], [60])),
                                   width: size, height: size)
        let raster = try g.rasterize(screen, mesh, width: size, height: size)
        let normals = try g.matmul(g.vertexNormals(vertices, mesh), g.rotationMatrix(axisAngle: rotation), transB: true)
        let uv = g.constant(HostTensor([v, 2], sphere.textureCoordinates.flatMap { [$0.x, $0.y] }))
        let albedo = try g.sampleTexture(texture, uv: g.interpolate(uv, raster), wrap: .wrap)
        let shaded = try g.lambert(albedo: albedo, normals: g.interpolate(normals, raster), ambient: ambient,
                                   lights: [DirectionalLight(colour: colour, direction: direction)])
        let background = try g.broadcast(g.scalar(0.1), to: [size, size, 3])
        let image = try g.antialias(g.composite(shaded, over: background, raster), raster, screen: screen)
        let loss = try g.mean(g.square(g.sub(image, target)))
        let parameters = [rotation, translation, ambient, colour, direction, texture]
        let grads = try g.gradients(of: loss, wrt: parameters)
        let program = try Program(graph: g, outputs: [image, loss] + grads, device: CPUBackend.shared)

        let truth: [String: [Float]] = ["rotation": [0.3, -0.4, 0.1], "translation": [0.1, -0.05, -4],
                                        "ambient": [0.3, 0.3, 0.3], "colour": [0.7, 0.65, 0.6], "direction": [0.3, 0.5, 1]]
        let start: [String: [Float]] = ["rotation": [0.45, -0.2, 0], "translation": [0.3, 0.1, -4.4],
                                        "ambient": [0.2, 0.2, 0.2], "colour": [0.5, 0.5, 0.5], "direction": [-0.2, 0.2, 1]]
        let texels = (0..<8 * 16 * 3).map { k -> Float in
            let (i, j, c) = (k / 48, k / 3 % 16, k % 3)
            return 0.5 + 0.35 * Foundation.sin(2 * .pi * Float(j) / 16 * Float(c + 1) + 0.8 * Float(i) * Float(c))
        }
        try program.set("texture", HostTensor([8, 16, 3], texels))
        try program.set("target", HostTensor.zeros([size, size, 3]))
        for (name, value) in truth { try program.set(name, HostTensor([3], value)) }
        try program.run()
        try program.set("target", try program.read(image))

        // Stage 1: pose and light from a perturbed start, the texture known.
        for (name, value) in start { try program.set(name, HostTensor([3], value)) }
        let poseAndLight = try Adam(program: program, parameters: Array(parameters.dropLast()), gradients: Array(grads.dropLast()),
                                    learningRate: 0.03)
        let firstLoss = try fit(program, loss, poseAndLight, steps: 150, decayAt: 100)
        let poseLoss = try program.read(loss).values[0]
        for (p, name, bound) in [(rotation, "rotation", Float(0.02)), (translation, "translation", 0.03)] {
            let error = zip(try program.tensor(p)!.toHost().values, truth[name]!).map { Swift.abs($0 - $1) }.max()!
            XCTAssertLessThan(error, bound, "\(name) error")
        }
        XCTAssertLessThan(poseLoss, 2e-5, "image MSE after fitting pose and light")
        XCTAssertLessThan(poseLoss, 1e-2 * firstLoss)

        // Stage 2: the texture from a start with a ±0.15 pattern added, pose and light as fitted.
        try program.set("texture", HostTensor([8, 16, 3], texels.enumerated().map { $0.element + 0.15 * Foundation.sin(Float($0.offset) * 1.7) }))
        try program.run()
        let seen = try program.read(grads.last!).values.map { $0 != 0 }
        func textureError() throws -> Float {
            let values = try program.tensor(texture)!.toHost().values
            return zip(zip(values, texels), seen).filter(\.1).map { Swift.abs($0.0.0 - $0.0.1) }.reduce(0, +)
                / Float(seen.filter { $0 }.count)
        }
        let startError = try textureError()
        let textureFit = try Adam(program: program, parameters: [texture], gradients: [grads.last!], learningRate: 0.02)
        let textureStartLoss = try fit(program, loss, textureFit, steps: 60, decayAt: 40)
        let finalLoss = try program.read(loss).values[0], finalError = try textureError()
        print("inverse rendering: pose and light, loss \(firstLoss) → \(poseLoss); texture, loss \(textureStartLoss) → \(finalLoss), "
              + "mean error of the \(seen.filter { $0 }.count) seen texel values \(startError) → \(finalError)")
        XCTAssertLessThan(finalLoss, 2e-5, "image MSE after fitting the texture")
        XCTAssertLessThan(finalError, 0.5 * startError, "texture error on the texels the image sees")
    }

    /// Runs `steps` Adam steps (the learning rate divided by 5 from `decayAt`); returns the first loss
    /// and leaves the program evaluated at the final parameters.
    private func fit(_ program: Program, _ loss: Value, _ adam: Adam, steps: Int, decayAt: Int) throws -> Float {
        var first: Float = 0
        for step in 0..<steps {
            if step == decayAt { adam.learningRate /= 5 }
            try program.run()
            if step == 0 { first = try program.read(loss).values[0] }
            try adam.update()
        }
        try program.run()
        return first
    }
}
