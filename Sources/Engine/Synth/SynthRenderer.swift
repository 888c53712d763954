// One compiled render for every synthetic face of a run: the model's vertices from the face's
// coefficients plus its displacement, its camera, the albedo texture, spherical-harmonics light,
// the background crop; drawn at `supersampling`× the size with a Blinn-Phong highlight added
// (from a second pass that renders the camera-space normals) and area-averaged down (antialiasing
// and a highlight the fit does not model).

final class SynthRenderer {
    let width: Int, height: Int, supersampling: Int
    private let program: Program
    private let image: Value, screen: Value, vertices: Value, normals: Value

    init(_ face: FitModel, width: Int, height: Int, textureSize: Int, supersampling: Int, device: any Backend)
        throws
    {
        (self.width, self.height, self.supersampling) = (width, height, supersampling)
        let g = Graph()
        let model = face.model
        vertices = try g.add(
            model.vertices(
                g, shapeCoefficients: g.input("shape", [model.shapeComponentCount]),
                expressionCoefficients: g.input("expression", [model.expressionCount])),
            g.input("displacement", [model.vertexCount, 3]))
        let (w, h) = (width * supersampling, height * supersampling)
        let (rotation, translation, focal) = (
            g.input("rotation", [3]), g.input("translation", [3]), g.input("focal", [1])
        )
        let render = try g.renderMesh(
            face.mesh, vertices: vertices, rotation: rotation, translation: translation, focal: focal,
            albedo: .texture(g.input("texture", [textureSize, textureSize, 3])),
            shading: .sphericalHarmonics(g.input("light", [9, 3])),
            background: g.input("background", [h, w, 3]), width: w, height: h)
        // The camera-space vertex normals as colours under unit ambient light: per-pixel normals.
        let welded = try RenderMesh(g, triangles: face.mesh.triangles, vertexCount: model.vertexCount)
        let cameraNormals = try g.cameraNormals(vertices, rotation: rotation, welded)
        normals = try g.renderMesh(
            face.mesh, vertices: vertices, rotation: rotation, translation: translation, focal: focal,
            albedo: .vertexColours(cameraNormals),
            lights: SceneLights(ambient: g.constant(HostTensor([3], [1, 1, 1])), directional: []),
            background: g.constant(HostTensor([3], [0, 0, 0])), width: w, height: h
        ).image
        (image, screen) = (render.image, render.screen)
        program = try Program(graph: g, outputs: [image, screen, vertices, normals], device: device)
    }

    /// The face (its `displacement` [V, 3] added) over `background` [H·s, W·s, 3], with its
    /// specular highlight: the image [H, W, 3] in [0, 1], the vertices' continuous pixel positions
    /// [V] at [H, W], and the vertices [V, 3] in model units.
    func render(_ face: SynthFace, displacement: HostTensor, texture: HostTensor, background: HostTensor)
        throws
        -> (image: HostTensor, screen: [SIMD2<Float>], vertices: HostTensor)
    {
        let s = Float(supersampling)
        for (name, value) in [
            ("shape", HostTensor([face.shape.count], face.shape)),
            ("expression", HostTensor([face.expression.count], face.expression)),
            ("displacement", displacement),
            ("rotation", HostTensor([3], face.rotation)), ("translation", HostTensor([3], face.translation)),
            ("focal", HostTensor([1], [face.focal * s])),
            ("light", HostTensor([9, 3], face.sphericalHarmonics.flatMap { $0 })),
            ("texture", texture), ("background", background),
        ] {
            try program.set(name, value)
        }
        try program.run()
        var big = try program.read(image).values
        face.capture.addSpecular(
            to: &big, normals: try program.read(normals).values, width: width * supersampling,
            height: height * supersampling, focal: face.focal * s, direction: face.lightDirection,
            colour: face.lightColour)
        let xy = try program.read(screen).values
        let screen = (0..<xy.count / 3).map { SIMD2(xy[3 * $0], xy[3 * $0 + 1]) / s }
        return (HostTensor([height, width, 3], downsample(big)), screen, try program.read(vertices))
    }

    /// The mean of each s×s block of an [H·s, W·s, 3] image, clamped to [0, 1].
    private func downsample(_ big: [Float]) -> [Float] {
        let s = supersampling
        let row = width * s * 3
        return (0..<height * width * 3).map { k in
            let (i, j, c) = (k / (width * 3), k / 3 % width, k % 3)
            var total: Float = 0
            for di in 0..<s { for dj in 0..<s { total += big[(i * s + di) * row + (j * s + dj) * 3 + c] } }
            return Swift.min(1, Swift.max(0, total / Float(s * s)))
        }
    }
}
