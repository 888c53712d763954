// `ganfit-gpu render`: a mesh (OBJ with uv plus a texture PNG, or the Surrey model's mean face)
// rendered from camera and light flags to a PNG, written atomically.
import ArgumentParser
import Engine
import Foundation

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a mesh (OBJ + texture PNG, or a morphable model's mean shape) to a PNG.",
        discussion: """
            Camera: looks along −z with y up; --rotation is an axis-angle in radians, --focal in pixels.
            Without --translation the mesh is framed. Lights: --light R,G,B@X,Y,Z (repeatable; the
            direction points from the surface to the light, in camera space). Vectors are comma-separated.
            """)

    @OptionGroup var options: DeviceOptions

    @Option(help: "Output PNG path.")
    var output: String

    @Option(help: "An OBJ mesh (with vt for texturing).")
    var mesh: String?

    @Option(help: "A texture PNG for the OBJ's uv (top row = v 1 in OBJ terms).")
    var texture: String?

    @Option(help: "An eos morphable model whose mean shape is rendered when no --mesh is given.")
    var model: String = "models/sfm/sfm_shape_3448.bin"

    @Option var width: Int = 512
    @Option var height: Int = 512
    @Option(help: "Axis-angle rotation rx,ry,rz in radians.") var rotation: String = "0,0,0"
    @Option(help: "Translation tx,ty,tz (default: frame the mesh).") var translation: String?
    @Option(help: "Focal length in pixels (default: 2·width).") var focal: Float?
    @Option(help: "Ambient light colour r,g,b.") var ambient: String = "0.25,0.25,0.25"
    @Option(name: .customLong("light"), help: "Directional light r,g,b@x,y,z (repeatable; default: two lights).")
    var lights: [String] = []
    @Option(help: "Albedo r,g,b where there is no texture.") var colour: String = "0.8,0.65,0.55"
    @Option(help: "Background r,g,b.") var background: String = "0,0,0"

    func run() throws {
        try runReportingErrors {
            guard (1...8192).contains(width), (1...8192).contains(height) else {
                throw EngineError.invalidValue("--width and --height must be 1 to 8192 pixels, got \(width)×\(height)")
            }
            if let focal, !(focal.isFinite && focal > 0) {
                throw EngineError.invalidValue("--focal must be a positive number of pixels, got \(focal)")
            }
            var settings = RenderSettings(width: width, height: height)
            settings.rotation = try vector(rotation, "--rotation")
            settings.translation = try translation.map { try vector($0, "--translation") }
            settings.focal = focal
            settings.ambient = try vector(ambient, "--ambient")
            settings.colour = try vector(colour, "--colour")
            settings.background = try vector(background, "--background")
            if !lights.isEmpty {
                settings.lights = try lights.map { text in
                    let parts = text.split(separator: "@").map(String.init)
                    guard parts.count == 2 else { throw EngineError.invalidValue("--light must be r,g,b@x,y,z, not '\(text)'") }
                    return (try vector(parts[0], "--light colour"), try vector(parts[1], "--light direction"))
                }
            }
            let surface = try mesh.map(OBJFile.read) ?? meanFace()
            let image = try texture.map { try PNGFile.read($0).pixels }
            let rgb = try image.map { try rgbTexture($0) }
            let render = try MeshRenderGraph(mesh: surface, textureShape: rgb?.shape, settings: settings)
            let program = try Program(graph: render.graph, outputs: [render.image], device: try options.choice().makeBackend())
            for (name, value) in try MeshRenderGraph.feeds(mesh: surface, texture: rgb, settings: settings)
            where render.graph.leaf(named: name) != nil {
                try program.set(name, value)
            }
            try program.run()
            try PNGFile.write(try program.read(render.image), to: output)
            print("wrote \(output): \(width)×\(height), \(surface.positions.count) vertices, \(surface.triangles.count) triangles"
                  + (rgb == nil ? ", plain colour" : ", textured"))
        }
    }

    /// The mean shape of `--model` with its UVs.
    private func meanFace() throws -> Mesh {
        let m = try EosModelFile.read(model)
        return try Mesh(model: m, vertices: HostTensor([m.vertexCount, 3], m.meanVertices.flatMap { [$0.x, $0.y, $0.z] }))
    }

    /// "a,b,c" as three finite numbers.
    private func vector(_ text: String, _ flag: String) throws -> [Float] {
        let values = text.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == 3, values.allSatisfy(\.isFinite) else {
            throw EngineError.invalidValue("\(flag) needs three comma-separated numbers, not '\(text)'")
        }
        return values
    }

    /// The first three channels of an [H, W, C] image (grey repeated).
    private func rgbTexture(_ pixels: HostTensor) throws -> HostTensor {
        let (h, w, c) = (pixels.shape[0], pixels.shape[1], pixels.shape[2])
        let values = (0..<h * w).flatMap { p in (0..<3).map { pixels.values[p * c + Swift.min($0, c - 1)] } }
        return HostTensor([h, w, 3], values)
    }
}
