// The joint stage's mirror term on faces drawn by the renderer: small for a mirror-symmetric albedo
// under the light that lit it, larger under the mirrored light or for an asymmetric albedo; its
// pair weights; its gradient against finite differences.
@testable import Engine
import Foundation
import XCTest

final class MirrorTermTests: XCTestCase {
    private static let size = 96

    /// A UV map [32, 32, 3] with stripes across the face; mirror-symmetric in u unless `asymmetric`
    /// (the Surrey layout mirrors u to 1 − u).
    private static func albedo(asymmetric: Bool) -> HostTensor {
        let t = 32
        var values: [Float] = []
        for y in 0..<t {
            for x in 0..<t {
                let u = (Float(x) + 0.5) / Float(t), v = (Float(y) + 0.5) / Float(t)
                let side = asymmetric ? u - 0.5 : abs(u - 0.5)
                let stripe = 0.15 * Foundation.sin(12 * side) + 0.1 * Foundation.cos(9 * v)
                values += [0.65 + stripe, 0.5 + 0.8 * stripe, 0.4 + 0.5 * stripe]
            }
        }
        return HostTensor([t, t, 3], values)
    }

    /// Light from the camera's left (x < 0) or right.
    private static func light(fromLeft: Bool) -> HostTensor {
        HostTensor([9, 3], SphericalHarmonics.irradiance(
            ambient: [0.5, 0.5, 0.5], colour: [0.6, 0.6, 0.6],
            direction: SIMD3(fromLeft ? -0.7 : 0.7, 0.1, 0.7)
        ).flatMap { $0.map(Float.init) })
    }

    private static func parameters(_ face: FitModel, yaw: Float) -> FaceParameters {
        var p = FaceParameters.initial(
            face, targets: [], focal: 2.5 * Float(size), principalPoint: SIMD2(repeating: Float(size) / 2))
        (p.rotation, p.translation) = ([0.05, yaw, 0], [0, -5, -650])
        p.shape = (0..<face.model.shapeComponentCount).map { 0.5 * Foundation.sin(Float($0) + 1) }
        return p
    }

    /// The face at `parameters` with `albedo` under `light`, over grey.
    private func photo(_ face: FitModel, _ parameters: FaceParameters, albedo: HostTensor, light: HostTensor)
        throws -> HostTensor
    {
        let s = Self.size
        let g = Graph()
        let view = try FaceGraph(g, face: face, settings: FitSettings()).first
        let render = try view.render(
            g, mesh: face.mesh, texture: g.constant(albedo), light: g.constant(light),
            photo: g.constant(HostTensor([s, s, 3], Array(repeating: 0.5, count: s * s * 3))), size: s)
        let program = try Program(graph: g, outputs: [render.image], device: CPUBackend.shared)
        for (name, value) in parameters.geometryFeeds() { try program.set(name, value) }
        try program.run()
        return try program.read(render.image)
    }

    /// The term of `photo` at `parameters` under `light` (its pair weights at `seen`, by default the
    /// same), and its gradients to the light and the shape.
    private func term(
        _ face: FitModel, _ parameters: FaceParameters, photo: HostTensor, light: HostTensor,
        seen: FaceParameters? = nil
    ) throws -> (loss: Float, light: [Float], shape: [Float]) {
        let s = Self.size
        let g = Graph()
        let geometry = try FaceGraph(g, face: face, settings: FitSettings())
        let lightValue = g.parameter("light", [9, 3])
        let view = geometry.first
        let welded = try RenderMesh(g, triangles: face.mesh.triangles, vertexCount: face.mesh.positions.count)
        let mirror = try MirrorTerm(
            g, symmetry: XCTUnwrap(face.symmetry), screen: view.screen(g, size: s),
            normals: g.cameraNormals(view.vertices, rotation: view.rotation, welded), light: lightValue,
            photo: g.input("photo", [s, s, 3]), size: s, weightsName: "weights")
        let gradients = try g.gradients(of: mirror.loss, wrt: [lightValue, geometry.shape])
        let program = try Program(graph: g, outputs: [mirror.loss] + gradients, device: CPUBackend.shared)
        for (name, value) in parameters.geometryFeeds() { try program.set(name, value) }
        try program.set("light", light)
        try program.set("photo", photo)
        try program.set(
            "weights",
            MirrorTerm.pairWeights(
                face, symmetry: XCTUnwrap(face.symmetry), parameters: seen ?? parameters, size: s,
                settings: FitSettings(), device: CPUBackend.shared))
        try program.run()
        return (
            try program.read(mirror.loss).values[0], try program.read(gradients[0]).values,
            try program.read(gradients[1]).values
        )
    }

    func testTheTermSeesAnAsymmetricAlbedoAndTheWrongLight() throws {
        let face = try FitModel(folder: Repository.path("models/sfm"))
        let pose = Self.parameters(face, yaw: 0.35)
        let left = Self.light(fromLeft: true), right = Self.light(fromLeft: false)
        let symmetric = try photo(face, pose, albedo: Self.albedo(asymmetric: false), light: left)
        let asymmetric = try photo(face, pose, albedo: Self.albedo(asymmetric: true), light: left)
        let truth = try term(face, pose, photo: symmetric, light: left).loss
        let mirroredLight = try term(face, pose, photo: symmetric, light: right).loss
        let otherAlbedo = try term(face, pose, photo: asymmetric, light: left).loss
        print("mirror term: symmetric albedo \(truth), under the mirrored light \(mirroredLight), "
              + "asymmetric albedo \(otherAlbedo)")
        XCTAssertLessThan(truth, 0.3 * mirroredLight, "the shading ratio tells the light's side")
        XCTAssertLessThan(truth, 0.3 * otherAlbedo, "colours that differ across the midline")
        // Another pose of the same face: the pairs' colours come from the wrong places.
        var turned = pose
        turned.rotation[1] -= 0.15
        XCTAssertLessThan(truth, try term(face, turned, photo: symmetric, light: left).loss)
    }

    func testPairWeightsAreZeroOnTheMidlineAndFewerWhenTurned() throws {
        let face = try FitModel(folder: Repository.path("models/sfm"))
        let symmetry = try XCTUnwrap(face.symmetry)
        func weights(yaw: Float) throws -> [Float] {
            try MirrorTerm.pairWeights(
                face, symmetry: symmetry, parameters: Self.parameters(face, yaw: yaw), size: Self.size,
                settings: FitSettings(), device: CPUBackend.shared
            ).values
        }
        let frontal = try weights(yaw: 0), turned = try weights(yaw: 0.8)
        for (v, m) in symmetry.counterpart.enumerated() {
            XCTAssert((0...1).contains(frontal[v]), "vertex \(v): \(frontal[v])")
            if m == v { XCTAssertEqual(frontal[v], 0, "vertex \(v) is on the midline") }
            XCTAssertEqual(frontal[v], frontal[m], "a pair's weight is its two vertices' product")
        }
        let (sumFrontal, sumTurned) = (frontal.reduce(0, +), turned.reduce(0, +))
        XCTAssertGreaterThan(sumFrontal, 0.3 * Float(frontal.count), "most pairs are seen from the front")
        XCTAssertLessThan(sumTurned, 0.7 * sumFrontal, "at 46° of yaw the far cheek is hidden or grazing")
    }

    func testGradientsMatchFiniteDifferences() throws {
        let face = try FitModel(folder: Repository.path("models/sfm"))
        let pose = Self.parameters(face, yaw: 0.35)
        let left = Self.light(fromLeft: true)
        let image = try photo(face, pose, albedo: Self.albedo(asymmetric: true), light: left)
        let base = try term(face, pose, photo: image, light: left)
        XCTAssertGreaterThan(base.shape.map(abs).max() ?? 0, 0, "the term reaches the shape")
        let h: Float = 1e-2
        for k in [0, 3, 9, 14] {
            var plus = left.values, minus = left.values
            plus[k] += h
            minus[k] -= h
            let numeric =
                (try term(face, pose, photo: image, light: HostTensor([9, 3], plus)).loss
                    - term(face, pose, photo: image, light: HostTensor([9, 3], minus)).loss) / (2 * h)
            XCTAssertEqual(base.light[k], numeric, accuracy: 0.02 * abs(numeric) + 1e-4, "light \(k)")
        }
        for k in [0, 2] {
            var plus = pose, minus = pose
            plus.shape[k] += h
            minus.shape[k] -= h
            let numeric =
                (try term(face, plus, photo: image, light: left, seen: pose).loss
                    - term(face, minus, photo: image, light: left, seen: pose).loss) / (2 * h)
            XCTAssertEqual(base.shape[k], numeric, accuracy: 0.05 * abs(numeric) + 1e-4, "shape \(k)")
        }
    }
}
