// The first texture of stage 2: the photo projected onto the model's UV map at the stage-1 pose.
// Each texel samples the photo where its surface point projects (the projected positions
// interpolated over the UV-space rasterization), faded to the mean skin colour where the surface
// turns away from the camera; on the device.

enum TextureProjection {
    /// The UV map [T, T, 3] of `photo` [S, S, 3] seen through `parameters` (geometry and camera).
    static func texture(_ face: FitModel, parameters: FaceParameters, photo: HostTensor, size t: Int,
                        settings: FitSettings, device: any Backend) throws -> HostTensor {
        let g = Graph(), mesh = face.mesh, s = photo.shape[0]
        let geometry = try FaceGraph(g, face: face, settings: settings)
        let welded = try RenderMesh(g, triangles: mesh.triangles, vertexCount: mesh.positions.count)
        let uv = try g.scale(g.slice(geometry.screen(g, size: s), axis: 1, 0..<2), 1 / Float(s))
        let normals = try g.matmul(g.vertexNormals(geometry.vertices, welded), g.rotationMatrix(axisAngle: geometry.rotation), transB: true)
        // Weight 1 facing the camera (n_z ≥ 0.5), fading to 0 at n_z = 0.2.
        let facing = try g.clamp(g.scale(g.slice(normals, axis: 1, 2..<3), 1 / 0.3, plus: -0.2 / 0.3), 0, 1)
        let corners = mesh.textureTriangles.flatMap { [$0.x, $0.y, $0.z] }.flatMap { k -> [Float] in
            let c = mesh.textureCoordinates[Int(k)]
            return [c.x * Float(t), c.y * Float(t), 1]
        }
        let raster = try g.rasterize(g.constant(HostTensor([corners.count / 3, 3], corners)), welded.unwelded(g), width: t, height: t)
        // Per texel: where its point lands in the photo, and how squarely it faces the camera.
        let texel = try g.interpolate(g.cornerGather(g.concat([uv, facing], axis: 1), welded), raster)
        let colours = try g.sampleTexture(g.input("photo", photo.shape), uv: g.slice(texel, axis: 2, 0..<2))
        let weight = try g.slice(texel, axis: 2, 2..<3)
        let skin = try g.div(g.sum(g.mul(colours, weight), axes: [0, 1]), g.sum(weight))
        let texture = try g.composite(g.add(skin, g.mul(weight, g.sub(colours, skin))), over: skin, raster)
        let program = try Program(graph: g, outputs: [texture], device: device)
        for (name, value) in parameters.geometryFeeds { try program.set(name, value) }
        try program.set("photo", photo)
        try program.run()
        return try program.read(texture)
    }
}
