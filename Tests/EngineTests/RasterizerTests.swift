// The rasterizer's ids: what is culled, depth order, tie-breaking, agreement of the two
// backends, and bad input as clear errors.
@testable import Engine
import XCTest

final class RasterizerTests: XCTestCase {
    /// ids [H, W] of `screen` on `backend`.
    private func ids(_ screen: [Float], _ triangles: [SIMD3<Int32>], width: Int = 12, height: Int = 10,
                     on backend: any Backend = CPUBackend.shared) throws -> [Int32] {
        let g = Graph()
        let s = g.input("screen", [screen.count / 3, 3])
        let raster = try g.rasterize(s, RenderMesh(g, triangles: triangles, vertexCount: screen.count / 3),
                                     width: width, height: height)
        let program = try Program(graph: g, outputs: [raster.ids], device: backend)
        try program.set("screen", HostTensor([screen.count / 3, 3], screen))
        try program.run()
        return try program.read(raster.ids).indices
    }

    func testCulledTrianglesNeverShowAndTheNearerTriangleWins() throws {
        let result = try ids(RenderCases.scene, RenderCases.sceneTriangles)
        XCTAssertEqual(Set(result), [-1, 0, 1], "near-plane, off-screen and degenerate triangles are culled")
        XCTAssertEqual(result[5 * 12 + 5], 0, "the front triangle covers the back-facing one behind it")
        XCTAssertEqual(result[6 * 12 + 10], 1, "the back-facing triangle shows where nothing is in front")
        XCTAssertEqual(result[0], -1)
        let withHuge = try ids(RenderCases.scene + RenderCases.huge, RenderCases.sceneTriangles + [SIMD3(15, 16, 17)])
        XCTAssertFalse(withHuge.contains(-1), "the huge triangle covers the whole screen")
        XCTAssertEqual(withHuge[5 * 12 + 5], 0)
    }

    func testOpenCLAgreesWithTheCPUOnIdsAndTiesGoToTheLowerId() throws {
        let device = try TestDevice.openCL()
        let twice = RenderCases.fan + RenderCases.fan
        let triangles = RenderCases.fanTriangles + RenderCases.fanTriangles.map { $0 &+ 5 }
        // 40×30 pixels: several tiles, partial ones at the right and bottom.
        let scaled = twice.enumerated().map { $0.offset % 3 == 2 ? $0.element : $0.element * 3.3 }
        let cpu = try ids(scaled, triangles, width: 40, height: 30)
        XCTAssertEqual(cpu, try ids(scaled, triangles, width: 40, height: 30, on: device))
        XCTAssertFalse(cpu.contains { $0 >= 4 }, "equal depths go to the lower id")
        XCTAssertEqual(Set(cpu), [-1, 0, 1, 2, 3])
        let scene = RenderCases.scene + RenderCases.huge, sceneTriangles = RenderCases.sceneTriangles + [SIMD3(15, 16, 17)]
        XCTAssertEqual(try ids(scene, sceneTriangles), try ids(scene, sceneTriangles, on: device))
    }

    func testBadTopologyAndShapesAreClearErrors() throws {
        let g = Graph()
        XCTAssertThrowsError(try RenderMesh(g, triangles: [SIMD3(0, 1, 3)], vertexCount: 3)) { error in
            XCTAssertTrue("\(error)".contains("RenderMesh") && "\(error)".contains("triangle 0"), "\(error)")
        }
        let mesh = try RenderMesh(g, triangles: [SIMD3(0, 1, 2)], vertexCount: 3)
        XCTAssertThrowsError(try g.rasterize(g.input("s", [4, 3]), mesh, width: 8, height: 8)) { error in
            XCTAssertTrue("\(error)".contains("rasterize") && "\(error)".contains("[3, 3]"), "\(error)")
        }
        XCTAssertThrowsError(try g.interpolate(g.input("a", [4, 2]), g.rasterize(g.input("t", [3, 3]), mesh, width: 8, height: 8))) {
            XCTAssertTrue("\($0)".contains("interpolate"), "\($0)")
        }
        XCTAssertThrowsError(try g.project(g.input("v", [3, 2]), rotation: g.input("r", [3]), translation: g.input("t3", [3]),
                                           focal: g.input("f", [1]), width: 8, height: 8)) {
            XCTAssertTrue("\($0)".contains("project"), "\($0)")
        }
    }
}

final class AntialiasTests: XCTestCase {
    /// The fan's interior edges are shared by triangles facing the same way: only its outline
    /// blends, and the blend gives the vertices a gradient.
    func testOnlySilhouettesBlendAndTheyCarryVertexGradients() throws {
        let g = Graph()
        let screen = g.input("screen", [5, 3]), colour = g.input("colour", [10, 12, 1])
        let raster = try g.rasterize(screen, RenderMesh(g, triangles: RenderCases.fanTriangles, vertexCount: 5), width: 12, height: 10)
        let out = try g.antialias(colour, raster, screen: screen)
        let dScreen = try g.gradients(of: g.sum(out), wrt: [screen])[0]
        let program = try Program(graph: g, outputs: [out, raster.ids, dScreen], device: CPUBackend.shared)
        try program.set("screen", HostTensor([5, 3], RenderCases.fan))
        // Each triangle its own grey, the background black.
        try program.run()
        let ids = try program.read(raster.ids).indices
        try program.set("colour", HostTensor([10, 12, 1], ids.map { $0 < 0 ? 0 : 0.2 * Float($0 + 1) }))
        try program.run()
        let input = ids.map { $0 < 0 ? Float(0) : 0.2 * Float($0 + 1) }, output = try program.read(out).values
        for p in ids.indices where output[p] != input[p] {
            let x = p % 12, y = p / 12
            let neighbours: [(Int, Int)] = [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
            let touchesBackground = neighbours.contains { (nx: Int, ny: Int) -> Bool in
                guard nx >= 0, nx < 12, ny >= 0, ny < 10 else { return false }
                return (ids[p] < 0) != (ids[ny * 12 + nx] < 0)
            }
            XCTAssertTrue(touchesBackground, "pixel (\(x), \(y)) blended across an interior edge")
        }
        XCTAssertTrue(zip(output, input).contains { $0 != $1 }, "no pixel blended")
        XCTAssertGreaterThan(try program.read(dScreen).values.map(Swift.abs).max() ?? 0, 0.1)
    }
}

final class RenderBackwardTests: XCTestCase {
    /// The scatter-type backward passes (texture, interpolation, barycentrics, antialiasing) give
    /// bit-identical results run after run on OpenCL, and agree with the CPU.
    func testScatterBackwardsAreDeterministicOnOpenCL() throws {
        let device = try TestDevice.openCL()
        let g = Graph()
        let screen = g.input("screen", [5, 3]), texture = g.input("texture", [16, 16, 3])
        let mesh = try RenderMesh(g, triangles: RenderCases.fanTriangles, vertexCount: 5)
        let raster = try g.rasterize(screen, mesh, width: 12, height: 10)
        let uv = try g.interpolate(g.constant(HostTensor([5, 2], [0.1, 0.1, 0.9, 0.1, 0.9, 0.9, 0.1, 0.9, 0.5, 0.5])), raster)
        let image = try g.antialias(g.sampleTexture(texture, uv: uv), raster, screen: screen)
        let loss = try g.sum(g.mul(image, g.constant(HostTensor([10, 12, 3], (0..<360).map { Float($0 % 7) / 7 - 0.4 }))))
        let grads = try g.gradients(of: loss, wrt: [screen, texture])
        func run(_ backend: any Backend) throws -> [[Float]] {
            let program = try Program(graph: g, outputs: grads, device: backend)
            try program.set("screen", HostTensor([5, 3], RenderCases.fan))
            try program.set("texture", HostTensor([16, 16, 3], (0..<768).map { Float(($0 * 37) % 101) / 101 }))
            try program.run()
            return try grads.map { try program.read($0).values }
        }
        let first = try run(device), second = try run(device), cpu = try run(CPUBackend.shared)
        XCTAssertEqual(first, second, "OpenCL backward differs between runs")
        for (a, b) in zip(first, cpu) { assertClose(a, b, atol: 1e-4, rtol: 1e-4) }
        XCTAssertGreaterThan(first[0].map(Swift.abs).max()!, 0)
    }

    func testBadTextureAndShadingOperandsAreClearErrors() {
        let g = Graph()
        XCTAssertThrowsError(try g.sampleTexture(g.input("t", [4, 4]), uv: g.input("uv", [3, 2]))) {
            XCTAssertTrue("\($0)".contains("texture") && "\($0)".contains("[Ht, Wt, C]"), "\($0)")
        }
        XCTAssertThrowsError(try g.sampleTexture(g.input("t3", [4, 4, 3]), uv: g.input("uv3", [3, 3]))) {
            XCTAssertTrue("\($0)".contains("uv [..., 2]"), "\($0)")
        }
        XCTAssertThrowsError(try g.lambert(albedo: g.input("a", [2, 2, 3]), normals: g.input("n", [2, 3, 3]),
                                           ambient: g.input("amb", [3]), lights: [])) {
            XCTAssertTrue("\($0)".contains("lambert"), "\($0)")
        }
        XCTAssertThrowsError(try g.sphericalHarmonics(albedo: g.input("a2", [2, 2, 3]), normals: g.input("n2", [2, 2, 3]),
                                                      coefficients: g.input("sh", [4, 3]))) {
            XCTAssertTrue("\($0)".contains("[9, 3]"), "\($0)")
        }
        XCTAssertThrowsError(try g.rotationMatrix(axisAngle: g.input("r", [4]))) { XCTAssertTrue("\($0)".contains("rodrigues"), "\($0)") }
    }
}

final class MeshRenderTests: XCTestCase {
    /// A whole textured render and its backward run on OpenCL with no CPU fallback and agree with the CPU.
    func testTexturedRenderAndBackwardMatchTheCPUOnOpenCL() throws {
        let device = try TestDevice.openCL()
        let sphere = Mesh.uvSphere(rings: 8, segments: 12)
        var settings = RenderSettings(width: 40, height: 32)
        settings.rotation = [0.2, 0.5, 0]
        let render = try MeshRenderGraph(mesh: sphere, textureShape: [6, 10, 3], settings: settings)
        let g = render.graph
        let grads = try g.gradients(of: g.sum(g.square(render.image)), wrt: [render.vertices, render.texture!])
        let texture = HostTensor([6, 10, 3], (0..<180).map { Float(($0 * 29) % 61) / 61 })
        func run(_ backend: any Backend) throws -> (Program, [[Float]]) {
            let program = try Program(graph: g, outputs: [render.image] + grads, device: backend)
            for (name, value) in try MeshRenderGraph.feeds(mesh: sphere, texture: texture, settings: settings) {
                try program.set(name, value)
            }
            try program.run()
            return (program, try ([render.image] + grads).map { try program.read($0).values })
        }
        let (program, onDevice) = try run(device)
        XCTAssertEqual(program.fallbacks, [])
        let onCPU = try run(CPUBackend.shared).1
        XCTAssertGreaterThan(onCPU[0].filter { $0 > 0.05 }.count, 300, "the sphere covers a good part of the image")
        // Vertex and texture gradients sum hundreds of products per element, in another order on
        // each backend (and through 2⁻³² fixed point for the texture on OpenCL): 1e-4 + 1e-3·|ref|.
        for (a, b) in zip(onDevice, onCPU) { assertClose(a, b, atol: 1e-4, rtol: 1e-3) }
    }

    /// Rasterizing the unwelded mesh (for per-corner UVs) keeps the welded edge neighbours: a
    /// constant texture renders exactly as the plain colour does, interior edges unblended.
    func testTexturedRenderOfAConstantTextureEqualsThePlainRender() throws {
        let sphere = Mesh.uvSphere(rings: 8, segments: 12)
        var settings = RenderSettings(width: 40, height: 32)
        settings.rotation = [0.2, 0.5, 0]
        let texture = HostTensor([2, 2, 3], (0..<12).map { settings.colour[$0 % 3] })
        func image(textured: Bool) throws -> [Float] {
            let render = try MeshRenderGraph(mesh: sphere, textureShape: textured ? [2, 2, 3] : nil, settings: settings)
            let program = try Program(graph: render.graph, outputs: [render.image], device: CPUBackend.shared)
            for (name, value) in try MeshRenderGraph.feeds(mesh: sphere, texture: textured ? texture : nil, settings: settings) {
                try program.set(name, value)
            }
            try program.run()
            return try program.read(render.image).values
        }
        assertClose(try image(textured: true), try image(textured: false), atol: 1e-5, rtol: 1e-5)
    }
}
