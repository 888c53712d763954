// Parity and gradient cases of resizing: nearest by square and non-square factors, bilinear
// up and down with align_corners true and false, odd sizes, batch > 1, 1-pixel inputs and outputs.

extension Resize {
    static var cases: [OpCase] {
        func resize(_ input: Shape, _ mode: Mode) -> OpCase {
            OpCase("resize", "\(mode) x\(input.shapeText)", [.float(input)]) { g, x in try g.apply(Resize(mode), x[0]) }
        }
        return [
            resize([2, 3, 4, 5], .nearest(factorH: 2, factorW: 2)),
            resize([1, 2, 3, 4], .nearest(factorH: 3, factorW: 1)),
            resize([2, 2, 5, 4], .bilinear(height: 9, width: 7, alignCorners: false)),
            resize([1, 3, 4, 5], .bilinear(height: 11, width: 8, alignCorners: true)),
            resize([1, 2, 9, 8], .bilinear(height: 4, width: 3, alignCorners: false)),
            resize([1, 2, 7, 9], .bilinear(height: 3, width: 4, alignCorners: true)),
            resize([1, 2, 3, 4], .bilinear(height: 1, width: 5, alignCorners: true)),
            resize([1, 1, 1, 3], .bilinear(height: 4, width: 5, alignCorners: false)),
        ]
    }

    /// Benchmark shapes: generator-style 2× upsampling, nearest and bilinear, forward and backward.
    static var benchmarkCases: [OpCase] {
        let shapes: [(input: Shape, mode: Mode)] = [
            ([1, 128, 64, 64], .nearest(factorH: 2, factorW: 2)),
            ([1, 64, 128, 128], .bilinear(height: 256, width: 256, alignCorners: false)),
        ]
        return shapes.flatMap { shape -> [OpCase] in
            let resize = Resize(shape.mode)
            let out = (try? resize.outputShape(shape.input, op: "bench")) ?? []
            return [
                OpCase("resize", "fwd \(shape.mode) x\(shape.input.shapeText)", [.float(shape.input)]) { g, x in
                    try g.apply(resize, x[0])
                },
                OpCase("resize", "bwd \(shape.mode) x\(shape.input.shapeText)", [.float(out)]) { g, x in
                    try g.apply(ResizeGrad(resize: resize, inputShape: shape.input), x[0])
                },
            ]
        }
    }
}
