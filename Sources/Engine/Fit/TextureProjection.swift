// The first texture of stage 2: the photo projected onto the model's UV map at the stage-1 pose.
// Each texel samples the photo where its surface point projects (the projected positions
// interpolated over the UV-space rasterization), faded to the mean skin colour where the surface
// turns away from the camera or is hidden behind another part of the face (a depth test against
// the camera's depth image); on the device. The texture models start from it.

/// The photo on the UV map, with how much of it each texel saw.
struct ProjectedPhoto {
    /// [T, T, 3]: skin + weight·(photo − skin) on the UV layout, skin outside it.
    let texture: HostTensor
    /// [T, T, 1] in [0, 1]: how squarely and unoccluded the camera saw each texel (0 outside the layout).
    let weight: HostTensor
    /// [3] the weighted mean colour of the seen texels.
    let skin: HostTensor

    /// [T·T·3] the photo's own colour at each texel (undoing the fade: skin + (texture − skin)/weight),
    /// the skin colour where the camera did not see it.
    var photoColours: [Float] {
        let skin = skin.values
        return texture.values.indices.map { k in
            let w = weight.values[k / 3]
            return w > 0 ? skin[k % 3] + (texture.values[k] - skin[k % 3]) / w : skin[k % 3]
        }
    }
}

extension ProjectedPhoto {
    /// Several photos of one face on one UV map: each texel's colour is the photos' colours averaged
    /// with their weights, its weight the largest of theirs, the skin colour their weighted mean.
    static func merged(_ photos: [ProjectedPhoto]) -> ProjectedPhoto {
        guard photos.count > 1 else { return photos[0] }
        let weights = photos.map(\.weight.values)
        let colours = photos.map(\.photoColours)
        let totals = weights[0].indices.map { i in weights.map { $0[i] }.reduce(0, +) }
        let skinWeights = weights.map { $0.reduce(0, +) }
        let skinTotal = Swift.max(skinWeights.reduce(0, +), 1e-6)
        let skin = (0..<3).map { c in
            zip(photos, skinWeights).map { $0.skin.values[c] * $1 }.reduce(0, +) / skinTotal
        }
        let weight = weights[0].indices.map { i in weights.map { $0[i] }.max()! }
        let texture = photos[0].texture.values.indices.map { k -> Float in
            let i = k / 3
            let c = k % 3
            guard totals[i] > 0 else { return skin[c] }
            let colour = zip(weights, colours).map { $0[i] * $1[k] }.reduce(0, +) / totals[i]
            return skin[c] + weight[i] * (colour - skin[c])
        }
        return ProjectedPhoto(
            texture: HostTensor(photos[0].texture.shape, texture),
            weight: HostTensor(photos[0].weight.shape, weight),
            skin: HostTensor([3], skin))
    }
}

enum TextureProjection {
    /// Depth (model units: mm) behind the nearest surface at which a texel counts as hidden.
    static let occlusionTolerance: Float = 20

    /// The UV map [T, T, 3] of `photo` [S, S, 3] seen through `parameters` (geometry and camera).
    static func texture(
        _ face: FitModel, parameters: FaceParameters, photo: HostTensor, size t: Int,
        settings: FitSettings, device: any Backend
    ) throws -> HostTensor {
        try project(face, parameters: parameters, photo: photo, size: t, settings: settings, device: device)
            .texture
    }

    /// The UV map of `photo` [S, S, 3] seen through `parameters`, its weights and skin colour.
    static func project(
        _ face: FitModel, parameters: FaceParameters, photo: HostTensor, size t: Int,
        settings: FitSettings, device: any Backend
    ) throws -> ProjectedPhoto {
        let g = Graph()
        let mesh = face.mesh
        let s = photo.shape[0]
        let geometry = try FaceGraph(g, face: face, settings: settings)
        let welded = try RenderMesh(g, triangles: mesh.triangles, vertexCount: mesh.positions.count)
        let screen = try geometry.first.screen(g, size: s)
        let uv = try Self.photoUV(g, screen: screen, size: s)
        let depth = try g.slice(screen, axis: 1, 2..<3)
        let depthImage = try Self.depthImage(g, screen: screen, welded, size: s)
        let normals = try g.cameraNormals(geometry.first.vertices, rotation: geometry.first.rotation, welded)
        let facing = try Self.facing(g, normals)
        let raster = try g.rasterizeUVLayout(mesh, welded, size: t)
        // Per texel: where its point lands in the photo, how squarely it faces the camera, its depth.
        let texel = try g.interpolate(g.cornerGather(g.concat([uv, facing, depth], axis: 1), welded), raster)
        let photoUV = try g.slice(texel, axis: 2, 0..<2)
        let colours = try g.sampleTexture(g.input("photo", photo.shape), uv: photoUV)
        let visible = try Self.visibility(
            g, depth: g.slice(texel, axis: 2, 3..<4), nearest: g.sampleTexture(depthImage, uv: photoUV),
            tolerance: Self.occlusionTolerance)
        let weight = try g.mul(g.slice(texel, axis: 2, 2..<3), visible)
        let skin = try g.div(g.sum(g.mul(colours, weight), axes: [0, 1]), g.sum(weight))
        let texture = try g.composite(g.add(skin, g.mul(weight, g.sub(colours, skin))), over: skin, raster)
        let program = try Program(graph: g, outputs: [texture, weight, skin], device: device)
        for (name, value) in parameters.geometryFeeds() { try program.set(name, value) }
        try program.set("photo", photo)
        try program.run()
        return ProjectedPhoto(
            texture: try program.read(texture), weight: try program.read(weight), skin: try program.read(skin)
        )
    }

    /// [V, 2] where `screen`'s vertices [V, 3] (crop pixels and depth) land on a `size`² image, as the
    /// UVs that sample it.
    static func photoUV(_ g: Graph, screen: Value, size s: Int) throws -> Value {
        try g.scale(g.slice(screen, axis: 1, 0..<2), 1 / Float(s))
    }

    /// The depth [S, S, 1] of the nearest surface at each pixel of a `size`² image of `screen` [V, 3]
    /// (0 where there is none).
    static func depthImage(_ g: Graph, screen: Value, _ welded: RenderMesh, size s: Int) throws -> Value {
        try g.interpolate(g.slice(screen, axis: 1, 2..<3), g.rasterize(screen, welded, width: s, height: s))
    }

    /// How squarely the camera sees each of camera-frame unit `normals` [V, 3]: 1 facing it (n_z ≥ 0.35),
    /// fading to 0 at n_z = 0.1; [V, 1].
    static func facing(_ g: Graph, _ normals: Value) throws -> Value {
        try g.clamp(g.scale(g.slice(normals, axis: 1, 2..<3), 1 / 0.25, plus: -0.1 / 0.25), 0, 1)
    }

    /// 1 where a point at `depth` is the `nearest` surface at its pixel, fading to 0 where that surface
    /// lies `tolerance` (mm) or more in front of it.
    static func visibility(_ g: Graph, depth: Value, nearest: Value, tolerance: Float) throws -> Value {
        try g.clamp(g.scale(g.sub(depth, nearest), -1 / tolerance, plus: 1), 0, 1)
    }
}
