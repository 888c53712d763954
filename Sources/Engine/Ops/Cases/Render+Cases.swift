// Parity and gradient cases of the renderer: camera, mesh connectivity, rasterization,
// interpolation. Screen geometry is fixed and checked to keep every edge at least 3e-3 px away
// from every pixel centre, so finite differences never change which triangle covers a pixel.

enum RenderCases {
    static var cases: [OpCase] { camera + mesh + raster + texture + shading + antialias }

    /// A 12×10 scene: a front triangle, a larger clockwise (back-facing) one behind it, one
    /// crossing the near plane, one off screen and a degenerate one (the last three culled).
    static let scene: [Float] = ([
        [1.3, 1.2, 2.0, 10.7, 2.1, 2.5, 4.2, 8.6, 3.0],
        [6.1, 0.4, 4.0, 2.7, 9.4, 6.0, 11.6, 7.3, 5.0],
        [3.1, 3.2, -1.0, 8.2, 3.1, 2.0, 5.3, 7.4, 2.0],
        [20.0, 20.0, 1.0, 30.0, 20.0, 1.0, 25.0, 30.0, 1.0],
        [1.0, 1.0, 1.0, 2.0, 2.0, 1.0, 3.0, 3.0, 1.0],
    ] as [[Float]]).flatMap { $0 }
    static let sceneTriangles: [SIMD3<Int32>] = (0..<Int32(5)).map { f -> SIMD3<Int32> in SIMD3(3 * f, 3 * f + 1, 3 * f + 2) }
    /// A triangle far larger than the screen, behind the scene.
    static let huge: [Float] = [-1000.3, -1000.2, 8, 1000.1, -900.4, 8, 0.3, 1000.2, 8]
    /// Four triangles sharing a centre vertex and their edges.
    static let fan: [Float] = [1.2, 1.3, 2.0, 10.6, 1.7, 2.2, 10.9, 8.8, 2.6, 1.6, 8.4, 2.4, 6.3, 5.2, 2.1]
    static let fanTriangles: [SIMD3<Int32>] = [SIMD3(0, 1, 4), SIMD3(1, 2, 4), SIMD3(2, 3, 4), SIMD3(3, 0, 4)]

    static var camera: [OpCase] {
        [
            OpCase("camera", "rodrigues θ≈1", [.float([3])]) { g, x in try g.rotationMatrix(axisAngle: x[0]) },
            OpCase("camera", "rodrigues θ<0.1 (series)", [.float([3], -0.05...0.05)]) { g, x in
                try g.rotationMatrix(axisAngle: x[0])
            },
            OpCase("camera", "project [7,3] 64x48", [.float([7, 3]), .float([3], -0.5...0.5), .float([3], -5.5...(-4.5)),
                                                      .float([1], 80...120)]) { g, x in
                try g.project(x[0], rotation: x[1], translation: x[2], focal: x[3], width: 64, height: 48)
            },
            OpCase("camera", "project [7,3] principal point", [.float([7, 3]), .float([3], -0.5...0.5), .float([3], -5.5...(-4.5)),
                                                               .float([1], 80...120), .float([2], -40...90)]) { g, x in
                try g.project(x[0], rotation: x[1], translation: x[2], focal: x[3], width: 64, height: 48, principalPoint: x[4])
            },
        ]
    }

    static var mesh: [OpCase] {
        let octahedron: [Float] = [1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, -1.0]
        let faces: [SIMD3<Int32>] = [SIMD3(0, 2, 4), SIMD3(2, 1, 4), SIMD3(1, 3, 4), SIMD3(3, 0, 4),
                                     SIMD3(2, 0, 5), SIMD3(1, 2, 5), SIMD3(3, 1, 5), SIMD3(0, 3, 5)]
        return [
            OpCase("mesh", "corner_sum octahedron [24,2]", [.float([24, 2])]) { g, x in
                try g.cornerSum(x[0], RenderMesh(g, triangles: faces, vertexCount: 6))
            },
            OpCase("mesh", "corner_gather octahedron [6,2]", [.float([6, 2])]) { g, x in
                try g.cornerGather(x[0], RenderMesh(g, triangles: faces, vertexCount: 6))
            },
            OpCase("mesh", "triangle normals [12,3]", [.float([12, 3])]) { g, x in
                try g.apply(TriangleNormals(), x[0])
            },
            OpCase("mesh", "vertex normals perturbed octahedron", [.float([6, 3], -0.2...0.2)]) { g, x in
                let vertices = try g.add(g.constant(HostTensor([6, 3], octahedron)), x[0])
                return try g.vertexNormals(vertices, RenderMesh(g, triangles: faces, vertexCount: 6))
            },
        ]
    }

    static var raster: [OpCase] {
        func barycentrics(_ label: String, _ screen: [Float], _ triangles: [SIMD3<Int32>]) -> OpCase {
            OpCase("raster", "barycentrics \(label) 12x10", [.fixed([screen.count / 3, 3], screen, differentiable: true)]) { g, x in
                let mesh = try RenderMesh(g, triangles: triangles, vertexCount: screen.count / 3)
                return try g.rasterize(x[0], mesh, width: 12, height: 10).barycentrics
            }
        }
        func interpolate(_ label: String, _ screen: [Float], _ triangles: [SIMD3<Int32>], channels: Int) -> OpCase {
            let v = screen.count / 3
            return OpCase("interpolate", "\(label) [\(v),\(channels)] 12x10",
                          [.float([v, channels]), .fixed([v, 3], screen, differentiable: true)]) { g, x in
                let mesh = try RenderMesh(g, triangles: triangles, vertexCount: v)
                return try g.interpolate(x[0], g.rasterize(x[1], mesh, width: 12, height: 10))
            }
        }
        let hugeTriangles = sceneTriangles + [SIMD3(15, 16, 17)]
        return [
            barycentrics("scene", scene, sceneTriangles),
            barycentrics("scene + huge", scene + huge, hugeTriangles),
            barycentrics("fan", fan, fanTriangles),
            interpolate("fan", fan, fanTriangles, channels: 3),
            interpolate("scene + huge", scene + huge, hugeTriangles, channels: 2),
        ]
    }

    static var texture: [OpCase] {
        [
            OpCase("texture", "clamp [5,7,3] at [4,6,2]", [.float([5, 7, 3]), .float([4, 6, 2], -0.2...1.2)]) { g, x in
                try g.sampleTexture(x[0], uv: x[1], wrap: .clamp)
            },
            OpCase("texture", "wrap [6,4,2] at [9,2]", [.float([6, 4, 2]), .float([9, 2], -1.5...2.5)]) { g, x in
                try g.sampleTexture(x[0], uv: x[1], wrap: .wrap)
            },
            OpCase("texture", "per-vertex colours [8,8,3] at [10,2]", [.float([8, 8, 3], 0...1), .float([10, 2], 0...1)]) { g, x in
                try g.sampleTexture(x[0], uv: x[1])
            },
        ]
    }

    static var shading: [OpCase] {
        [
            OpCase("shade", "lambert two lights [4,5,3]", [.float([4, 5, 3], 0...1), .float([4, 5, 3]), .float([3], 0...0.5),
                                                            .float([3], 0...1), .float([3]), .float([3], 0...1), .float([3])]) { g, x in
                try g.lambert(albedo: x[0], normals: x[1], ambient: x[2],
                              lights: [DirectionalLight(colour: x[3], direction: x[4]), DirectionalLight(colour: x[5], direction: x[6])])
            },
            OpCase("shade", "sh basis [7,3]", [.float([7, 3])]) { g, x in
                try g.apply(SphericalHarmonicsBasis(), x[0])
            },
            OpCase("shade", "spherical harmonics [3,4,3]", [.float([3, 4, 3], 0...1), .float([3, 4, 3]), .float([9, 3])]) { g, x in
                try g.sphericalHarmonics(albedo: x[0], normals: x[1], coefficients: x[2])
            },
            // Coverage has no gradient w.r.t. the vertices without antialiasing: the screen is fixed.
            OpCase("shade", "composite fan over background [12,10]", [.float([10, 12, 3]), .float([10, 12, 3]),
                                                                       .fixed([5, 3], fan)]) { g, x in
                let raster = try g.rasterize(x[2], RenderMesh(g, triangles: fanTriangles, vertexCount: 5), width: 12, height: 10)
                return try g.composite(x[0], over: x[1], raster)
            },
        ]
    }

    static var antialias: [OpCase] {
        func antialias(_ label: String, _ screen: [Float], _ triangles: [SIMD3<Int32>]) -> OpCase {
            let v = screen.count / 3
            return OpCase("antialias", "\(label) [10,12,3]", [.float([10, 12, 3]), .fixed([v, 3], screen, differentiable: true)]) { g, x in
                let raster = try g.rasterize(x[1], RenderMesh(g, triangles: triangles, vertexCount: v), width: 12, height: 10)
                return try g.antialias(x[0], raster, screen: x[1])
            }
        }
        // Without the degenerate triangle: moving one of its vertices makes it a sliver that
        // appears on screen, a change of coverage finite differences cannot measure.
        return [
            antialias("scene", Array(scene.prefix(36)), Array(sceneTriangles.prefix(4))),
            antialias("fan", fan, fanTriangles),
        ]
    }

    /// The issue's benchmark: the whole textured render (project, normals, rasterize, interpolate,
    /// texture 512², Lambert with two lights, composite, antialias), forward alone and forward
    /// with the backward to vertices and texture, for the Surrey face (when models/sfm is in the
    /// working directory) and a 100,352-triangle sphere, at 224² and 512²; and, to compare with
    /// peers, visibility alone (project, bounds, rasterize, barycentrics) and texture sampling.
    static var benchmark: [OpCase] {
        var meshes: [(String, Mesh)] = [("sphere 100k", Mesh.uvSphere(rings: 224, segments: 224))]
        if let model = try? EosModelFile.read("models/sfm/sfm_shape_3448.bin"),
           let face = try? Mesh(model: model, vertices: HostTensor([model.vertexCount, 3], model.meanVertices.flatMap { [$0.x, $0.y, $0.z] })) {
            meshes.insert(("surrey 6736", face), at: 0)
        }
        let renders = meshes.flatMap { label, mesh in
            [224, 512].flatMap { size in
                [false, true].map { backward in renderCase(label, mesh, size: size, backward: backward) }
                    + [visibilityCase(label, mesh, size: size)]
            }
        }
        let sampling = [false, true].map { backward in
            OpCase("render", "texture \(backward ? "fwd+bwd" : "fwd") 512²×3 at 224² points",
                   [.float([512, 512, 3], 0...1), .float([224, 224, 2], 0...1)]) { g, x in
                let sample = try g.sampleTexture(x[0], uv: x[1])
                guard backward else { return sample }
                let grads = try g.gradients(of: g.sum(sample), wrt: [x[0], x[1]])
                return try g.add(g.sum(grads[0]), g.sum(grads[1]))
            }
        }
        return renders + sampling
    }

    private static func visibilityCase(_ label: String, _ mesh: Mesh, size: Int) -> OpCase {
        let camera = (try? MeshRenderGraph.feeds(mesh: mesh, texture: nil, settings: RenderSettings(width: size, height: size))) ?? [:]
        let v = mesh.positions.count
        return OpCase("render", "visibility \(label) \(size)²", [.fixed([v, 3], camera["vertices"]?.values ?? [])]) { g, x in
            let screen = try g.project(x[0], rotation: g.constant(camera["rotation"]!), translation: g.constant(camera["translation"]!),
                                       focal: g.constant(camera["focal"]!), width: size, height: size)
            return try g.rasterize(screen, RenderMesh(g, triangles: mesh.triangles, vertexCount: v), width: size, height: size).barycentrics
        }
    }

    private static func renderCase(_ label: String, _ mesh: Mesh, size: Int, backward: Bool) -> OpCase {
        let settings = RenderSettings(width: size, height: size)
        let v = mesh.positions.count
        let camera = (try? MeshRenderGraph.feeds(mesh: mesh, texture: nil, settings: settings)) ?? [:]
        return OpCase("render", "\(backward ? "fwd+bwd" : "fwd") \(label) \(size)²",
                      [.fixed([v, 3], camera["vertices"]?.values ?? []), .float([512, 512, 3], 0...1)]) { g, x in
            let image = try g.renderMesh(mesh, vertices: x[0], rotation: g.constant(camera["rotation"]!),
                                         translation: g.constant(camera["translation"]!), focal: g.constant(camera["focal"]!),
                                         texture: x[1], settings: settings)
            guard backward else { return image }
            let grads = try g.gradients(of: g.mean(image), wrt: [x[0], x[1]])
            return try g.add(g.sum(grads[0]), g.sum(grads[1]))
        }
    }
}
