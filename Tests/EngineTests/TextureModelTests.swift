import Foundation
import XCTest

// The texture models: the symmetry map and the UV layout's mirror, the symmetry prior keeping a
// symmetric target symmetric and completing a half-masked one, the fill of unseen texels.
@testable import Engine

final class TextureModelTests: XCTestCase {
    private static let face = Result { try FitModel(folder: Repository.path("models/sfm")) }

    func testSymmetryMapIsAnInvolutionAndMirrorsTheUVLayout() throws {
        let face = try Self.face.get()
        let map = try XCTUnwrap(face.symmetry)
        let uv = face.mesh.textureCoordinates
        XCTAssertEqual(map.counterpart.count, face.mesh.positions.count)
        XCTAssertTrue(
            map.counterpart.indices.allSatisfy { map.counterpart[map.counterpart[$0]] == $0 }, "an involution"
        )
        let worst = uv.indices.map { i -> Float in
            let d = uv[map.counterpart[i]] - SIMD2(1 - uv[i].x, uv[i].y)
            return (d * d).sum().squareRoot()
        }.max()!
        XCTAssertLessThan(
            worst, 1e-5, "the Surrey UV layout is mirror-symmetric: vertex i's mirror sits at (1 − u, v)")
    }

    func testTexelMirrorIsTheFlipAndMapsBackToItself() throws {
        let face = try Self.face.get()
        let t = 64
        let symmetry = try UVSymmetry(
            mesh: face.mesh, symmetry: XCTUnwrap(face.symmetry), size: t, device: CPUBackend.shared)
        XCTAssertEqual(symmetry.unpairedTriangles, 0)
        let mirror = symmetry.mirror.values
        let covered = symmetry.coverage.values
        XCTAssertGreaterThan(covered.reduce(0, +), Float(t * t) / 3, "the layout covers much of the map")
        // Mirror of the mirror: the map sampled at each texel's mirror point, where all its taps are covered.
        let twice = try TextureSample().reference([symmetry.mirror, symmetry.mirror])[0].values
        var flipError: Float = 0
        var backError: Float = 0
        var probed = 0
        for i in 0..<t * t where covered[i] > 0 {
            let centre = SIMD2((Float(i % t) + 0.5) / Float(t), (Float(i / t) + 0.5) / Float(t))
            let m = SIMD2(mirror[2 * i], mirror[2 * i + 1])
            flipError = max(flipError, abs(m.x - (1 - centre.x)) + abs(m.y - centre.y))
            let (x, y) = (
                Int((m.x * Float(t) - 0.5).rounded(.down)), Int((m.y * Float(t) - 0.5).rounded(.down))
            )
            let taps = [(y, x), (y, x + 1), (y + 1, x), (y + 1, x + 1)]
            guard
                taps.allSatisfy({
                    (0..<t).contains($0.0) && (0..<t).contains($0.1) && covered[$0.0 * t + $0.1] > 0
                })
            else { continue }
            backError = max(backError, abs(twice[2 * i] - centre.x) + abs(twice[2 * i + 1] - centre.y))
            probed += 1
        }
        print(
            "texel mirror at \(t)²: worst |mirror − (1 − u, v)| \(flipError), "
                + "worst |mirror∘mirror − id| \(backError) over \(probed) texels (UV units)")
        XCTAssertLessThan(flipError, 1e-4)
        XCTAssertLessThan(backError, 1e-4)
        XCTAssertGreaterThan(probed, t * t / 4)
    }

    func testSymmetryPriorKeepsASymmetricTargetSymmetric() throws {
        let fit = try fitFreeTexture(visible: { _ in true }, symmetry: 10)
        print(
            "symmetric target, all visible: mean |T − target| \(fit.error(fit.covered)), "
                + "symmetry \(fit.symmetry)")
        XCTAssertLessThan(fit.error(fit.covered), 0.02)
        XCTAssertLessThan(fit.symmetry, 1e-4)
    }

    func testSymmetryPriorCompletesAHalfMaskedTarget() throws {
        let left: (SIMD2<Float>) -> Bool = { $0.x < 0.5 }
        // The hidden half, away from the midline (its texels' mirrors are all seen).
        let hidden: (SIMD2<Float>) -> Bool = { $0.x > 0.55 }
        let fit = try fitFreeTexture(visible: left, symmetry: 10)
        let without = try fitFreeTexture(visible: left, symmetry: 0)
        print(
            "half-masked target: hidden half mean |T − mirror of the seen half| \(fit.error(hidden)) "
                + "with the symmetry prior, \(without.error(hidden)) without; seen half \(fit.error(left))")
        XCTAssertLessThan(fit.error(left), 0.02)
        XCTAssertLessThan(fit.error(hidden), 0.03)
        XCTAssertLessThan(
            fit.mirrorError(hidden), 0.03, "the hidden half is the mirror of the fitted seen half")
        XCTAssertGreaterThan(
            without.error(hidden), 3 * fit.error(hidden), "without the prior the hidden half stays grey")
    }

    func testPullPushFillsEveryTexelFromTheSeenOnes() {
        let (h, w) = (16, 16)
        // Seen: a red patch top-left and a blue one bottom-right; the rest unseen.
        var colours = [Float](repeating: 0, count: h * w * 3)
        var weight = [Float](repeating: 0, count: h * w)
        for y in 0..<h {
            for x in 0..<w where (x < 4 && y < 4) || (x > 11 && y > 11) {
                weight[y * w + x] = 1
                colours[3 * (y * w + x) + (x < 4 ? 0 : 2)] = 1
            }
        }
        let filled = TextureFill.pullPush(
            HostTensor([h, w, 3], colours), weight: HostTensor([h, w, 1], weight),
            fallback: [0.5, 0.5, 0.5]
        ).values
        func rgb(_ x: Int, _ y: Int) -> [Float] { Array(filled[3 * (y * w + x)..<3 * (y * w + x) + 3]) }
        XCTAssertEqual(rgb(1, 1), [1, 0, 0], "seen texels keep their colour")
        XCTAssertEqual(rgb(14, 14), [0, 0, 1])
        XCTAssertTrue(filled.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        XCTAssertGreaterThan(
            rgb(5, 5)[0], 0.5, "an unseen texel near the red patch is mostly red: \(rgb(5, 5))")
        XCTAssertGreaterThan(rgb(10, 10)[2], 0.5, "and near the blue one mostly blue: \(rgb(10, 10))")
        XCTAssertEqual(rgb(2, 13)[1], 0, accuracy: 1e-6, "no flat grey anywhere: only red and blue mix")
    }

    /// A free texture at 32² from flat grey, fitted (200 Adam steps on the CPU) to a left–right
    /// symmetric target through a data term over the covered texels where `visible` (of the texel's
    /// UV centre) holds, with the symmetry prior at weight `symmetry`.
    private func fitFreeTexture(visible: @escaping (SIMD2<Float>) -> Bool, symmetry weight: Float) throws
        -> FreeFit
    {
        let face = try Self.face.get()
        let t = 32
        let symmetry = try UVSymmetry(
            mesh: face.mesh, symmetry: XCTUnwrap(face.symmetry), size: t, device: CPUBackend.shared)
        var settings = FitSettings()
        (settings.freeTextureCoarsest, settings.textureSymmetry, settings.textureRate) = (4, weight, 0.04)
        settings.freeTextureSmoothness = 1
        let centres = (0..<t * t).map {
            SIMD2((Float($0 % t) + 0.5) / Float(t), (Float($0 / t) + 0.5) / Float(t))
        }
        let target = centres.flatMap { c -> [Float] in
            let a = abs(c.x - 0.5)
            return [0.5 + 0.3 * Foundation.cos(9 * a) * c.y, 0.3 + 0.4 * a, 0.6 - 0.3 * c.y * c.y]
        }
        let mask = centres.indices.map {
            symmetry.coverage.values[$0] > 0 && visible(centres[$0]) ? Float(1) : 0
        }
        let model = try FreeTexture(
            initial: HostTensor([t, t, 3], [Float](repeating: 0.5, count: t * t * 3)),
            symmetry: symmetry, settings: settings)
        let g = Graph()
        let built = try model.build(g)
        let difference = try g.sub(built.texture, g.constant(HostTensor([t, t, 3], target)))
        let data = try g.scale(
            g.sum(g.mul(g.constant(HostTensor([t, t, 1], mask)), g.square(difference))),
            1 / (3 * mask.reduce(0, +)))
        let total = try built.priors.reduce(data) { try g.add($0, g.scale($1.loss, $1.weight)) }
        let gradients = try g.gradients(of: total, wrt: built.parameters)
        let program = try Program(
            graph: g, outputs: [total, built.texture] + built.priors.map(\.loss) + gradients,
            device: CPUBackend.shared)
        for (name, value) in model.leaves { try program.set(name, value) }
        let loop = try StageLoop(
            name: "texture", program: program, losses: [("total", total)],
            groups: built.parameterGroups(gradients))
        _ = try loop.run(iterations: 200, logInterval: 100) { _ in }
        let texture = try program.read(built.texture)
        let mirrored = try TextureSample().reference([texture, symmetry.mirror])[0].values
        return FreeFit(
            texture: texture.values, mirrored: mirrored, target: target, centres: centres,
            coverage: symmetry.coverage.values,
            symmetry: try program.read(built.priors.first { $0.name == "symmetry" }!.loss).values[0])
    }
}

/// A fitted free texture and what it is measured against.
private struct FreeFit {
    let texture, mirrored, target: [Float]
    let centres: [SIMD2<Float>]
    let coverage: [Float]
    /// The symmetry prior's value at the end.
    let symmetry: Float

    let covered: (SIMD2<Float>) -> Bool = { _ in true }

    /// Mean |T − target| per channel over the covered texels where `region` holds (the target is
    /// symmetric, so this is also the distance to the mirror of the target's other half).
    func error(_ region: (SIMD2<Float>) -> Bool) -> Float {
        let texels = centres.indices.filter { coverage[$0] > 0 && region(centres[$0]) }
        let sum = texels.map { i in (0..<3).map { abs(texture[3 * i + $0] - target[3 * i + $0]) }.reduce(0, +)
        }.reduce(0, +)
        return sum / Float(3 * Swift.max(texels.count, 1))
    }

    /// Mean |T(uv) − T(mirror(uv))| per channel over the covered texels where `region` holds.
    func mirrorError(_ region: (SIMD2<Float>) -> Bool) -> Float {
        let texels = centres.indices.filter { coverage[$0] > 0 && region(centres[$0]) }
        let sum = texels.map { i in
            (0..<3).map { abs(texture[3 * i + $0] - mirrored[3 * i + $0]) }.reduce(0, +)
        }.reduce(0, +)
        return sum / Float(3 * Swift.max(texels.count, 1))
    }
}
