// Parity and gradient cases of the progressive generator: a whole small network (batch 2, three
// levels to 16²), its gradient to the latent and to every weight; and the paper's generator at
// 256² and 512², forward and forward+backward (the latent's gradient, what a fit needs), for benchmarks.

extension ProgressiveGeneratorConfig {
    /// The generator on inputs x0 = latents [N, L], x1… = the stored tensors in `tensorShapes` order.
    func opCase(_ family: String, batch: Int, name: String? = nil) -> OpCase {
        let names = tensorShapes.map(\.name)
        let inputs = [InputSpec.float([batch, latent])] + tensorShapes.map { InputSpec.float($0.shape) }
        // The weights' gradients sum terms of size ~30 through seven layers: Float32 rounding of
        // those sums (about 1e-5 relative to the terms) shows on results near 0, so 5e-4 absolute
        // (NVIDIA's OpenCL on an H200, 2026-12-04: 2.9e-4 at -0.459 among neighbours of -17…-100,
        // NMSE 5e-11, in a different summation order from PoCL's).
        let tolerance = Tolerance(absolute: 5e-4, relative: 1e-4, normalizedMSE: 1e-7)
        return OpCase(
            family, name ?? "latent [\(batch),\(latent)] widths \(widths) → \(resolution)²", inputs,
            tolerance: tolerance
        ) { g, x in
            try g.progressiveGenerator(x[0], config: self) { x[1 + names.firstIndex(of: $0)!] }
        }
    }

    static var cases: [OpCase] {
        [try! ProgressiveGeneratorConfig(latent: 6, widths: [5, 4, 3]).opCase("pgan", batch: 2)]
    }

    /// The paper's widths at 256² and 512² (latent 512), forward and forward+backward to the latent.
    public static var benchmarkCases: [OpCase] {
        [256, 512].flatMap { side -> [OpCase] in
            let config = try! ProgressiveGeneratorConfig.paper(resolution: side)
            let forward = config.opCase("pgan", batch: 1, name: "forward \(side)² (paper widths)")
            let inputs = forward.inputs + [.float([1, 3, side, side], differentiable: false)]
            let backward = OpCase("pgan", "forward+backward \(side)² (latent gradient)", inputs) { g, x in
                let images = try forward.build(g, Array(x.dropLast()))
                return try g.gradients(of: g.sum(g.mul(images, x.last!)), wrt: [x[0]])[0]
            }
            return [forward, backward]
        }
    }
}
