// The per-vertex error of an evaluation as a heat map on the scan: vertices coloured by error
// (blue 0 → red at the scale's top), rendered frontally by the project's renderer (the face's
// frame from its eyes and mouth), with a colour bar in millimetres beside it.

public enum HeatMap {
    /// The colour of `error` on a 0…`top` scale (blue, cyan, green, yellow, red; clamped).
    public static func colour(_ error: Double, top: Double) -> SIMD3<Float> {
        let stops: [SIMD3<Float>] = [
            SIMD3(0.18, 0.25, 0.75), SIMD3(0.05, 0.65, 0.85), SIMD3(0.35, 0.8, 0.35), SIMD3(0.98, 0.8, 0.15),
            SIMD3(0.85, 0.15, 0.12),
        ]
        let x = Swift.min(1, Swift.max(0, error / top)) * Double(stops.count - 1)
        let i = Swift.min(stops.count - 2, Int(x)), f = Float(x - Double(i))
        return stops[i] * (1 - f) + stops[i + 1] * f
    }

    /// The rotation that turns a face with these 68 iBUG landmarks to look along +z with y up (the
    /// renderer's frontal view): x from the subject's right eye to the left, y from the mouth to the eyes.
    public static func frontalRotation(_ landmarks: [SIMD3<Double>]) -> Matrix3 {
        func centre(_ numbers: ClosedRange<Int>) -> SIMD3<Double> {
            numbers.map { landmarks[$0 - 1] }.reduce(.zero, +) / Double(numbers.count)
        }
        let (right, left, mouth) = (centre(37...42), centre(43...48), centre(49...60))
        let x = (left - right).normalized
        let up = (right + left) / 2 - mouth
        let y = (up - dot(up, x) * x).normalized
        return Matrix3(rows: x, y, cross(x, y))
    }

    /// The image [H, W + legend, 3] of `surface` coloured by `errors` (per vertex) on a 0…`top` mm
    /// scale, turned by `frontal` about `centre`, rendered `size`×`size` on `device`.
    public static func render(
        _ surface: SurfaceMesh, errors: [Double], top: Double, frontal: Matrix3, centre: SIMD3<Double>,
        size: Int = 512, device: any Backend
    ) throws -> HostTensor {
        guard errors.count == surface.positions.count, top > 0 else {
            throw EngineError.invalidValue(
                "a heat map needs one error per vertex and a positive scale, got \(errors.count) errors for "
                    + "\(surface.positions.count) vertices and a scale of \(top)")
        }
        let turned = surface.positions.map { frontal * ($0 - centre) }
        // Triangles wound so that their normals face the camera overall (scans come either way).
        let facing = surface.normals.map { frontal * $0 }.reduce(0) { $0 + $1.z }
        let triangles = facing >= 0 ? surface.triangles : surface.triangles.map { SIMD3($0.x, $0.z, $0.y) }
        let mesh = Mesh(positions: turned.map { SIMD3<Float>($0) }, triangles: triangles)
        var settings = RenderSettings(width: size, height: size)
        settings.background = [0.1, 0.1, 0.1]
        let g = Graph()
        let colours = errors.map { colour($0, top: top) }.flatMap { [$0.x, $0.y, $0.z] }
        let lights = SceneLights(
            ambient: g.constant(HostTensor([3], [0.55, 0.55, 0.55])),
            directional: [
                DirectionalLight(
                    colour: g.constant(HostTensor([3], [0.5, 0.5, 0.5])),
                    direction: g.constant(HostTensor([3], [0.3, 0.4, 1])))
            ])
        let image = try g.renderMesh(
            mesh,
            vertices: g.constant(
                HostTensor([mesh.positions.count, 3], mesh.positions.flatMap { [$0.x, $0.y, $0.z] })),
            rotation: g.constant(HostTensor([3], [0, 0, 0])),
            translation: g.constant(HostTensor([3], try MeshRenderGraph.framingTranslation(mesh, settings))),
            focal: g.constant(HostTensor([1], [settings.focalLength])),
            albedo: .vertexColours(g.constant(HostTensor([errors.count, 3], colours))), lights: lights,
            background: g.constant(HostTensor([3], settings.background)), width: size, height: size
        ).image
        let program = try Program(graph: g, outputs: [image], device: device)
        try program.run()
        return HeatMapLegend.beside(try program.read(image), top: top, background: settings.background)
    }
}
