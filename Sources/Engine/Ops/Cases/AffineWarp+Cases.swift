// Parity and gradient cases of the affine warp: rotation with scale, a map reaching outside
// the image (zero padding), a shrinking crop, a singular map; batch > 1 with one matrix each.
// Matrices are generic so no sample sits on an integer coordinate (a kink of bilinear
// interpolation) within a finite-difference step: gradients are checked for image and theta.

extension AffineWarp {
    static var cases: [OpCase] {
        func warp(_ label: String, image: Shape, theta: [Float], output: (Int, Int)) -> OpCase {
            OpCase("affine_warp", "\(label) x\(image.shapeText) → \(output.0)×\(output.1)",
                   [.float(image), .fixed([image[0], 2, 3], theta, differentiable: true)]) { g, x in
                try g.affineWarp(x[0], theta: x[1], height: output.0, width: output.1)
            }
        }
        return [
            warp("rotate+scale, shear+shift", image: [2, 3, 6, 7],
                 theta: [0.7518, -0.2736, 1.3137, 0.2736, 0.7518, 0.4179, 1.1037, 0.2113, -1.4771, -0.0932, 0.9148, 2.2219], output: (5, 8)),
            warp("shrink 2.5×", image: [1, 2, 12, 11], theta: [2.4871, 0.3113, 0.2179, -0.1932, 2.3817, 0.5261], output: (4, 5)),
            warp("singular", image: [1, 1, 5, 5], theta: [1, 2, 0.5, 0.5, 1, 1.2], output: (3, 4)),
        ]
    }

    /// Benchmark shape: a face crop, 512² photo to 224², forward and backward.
    static var benchmarkCases: [OpCase] {
        let image: Shape = [1, 3, 512, 512], theta: [Float] = [1.9, -0.35, 40, 0.35, 1.9, 25]
        let warp = AffineWarp(height: 224, width: 224)
        return [
            OpCase("affine_warp", "fwd x\(image.shapeText) → 224×224", [.float(image), .fixed([1, 2, 3], theta)]) { g, x in
                try g.apply(warp, x[0], x[1])
            },
            OpCase("affine_warp", "bwd x\(image.shapeText) → 224×224", [.float([1, 3, 224, 224]), .fixed([1, 2, 3], theta)]) { g, x in
                try g.apply(AffineWarpImageGrad(warp: warp, imageShape: image), x[0], x[1])
            },
        ]
    }
}
