// Parity and gradient cases of pooling: max and average, stride 2, non-square kernels,
// TensorFlow's asymmetric SAME, dilation, batch > 1, odd sizes; global average pooling.
// Random inputs are distinct, so no window's maximum is tied within a finite-difference step.

extension Pool2d {
    static var cases: [OpCase] {
        func pool(_ kind: Kind, _ label: String, input: Shape, kernel: (Int, Int), _ window: Window) -> OpCase {
            OpCase("pool2d", "\(kind) \(label) x\(input.shapeText) \(window)", [.float(input)]) { g, x in
                try g.apply(Pool2d(kind, kernel: kernel, window), x[0])
            }
        }
        return [
            pool(.max, "3×3 s2 VALID", input: [2, 3, 9, 8], kernel: (3, 3), .valid(stride: (2, 2))),
            pool(.max, "3×3 s2 SAME", input: [1, 2, 8, 7], kernel: (3, 3), .same(input: (8, 7), kernel: (3, 3), stride: (2, 2))),
            pool(.max, "2×3 s1×2 pad", input: [2, 2, 5, 7], kernel: (2, 3), Window(stride: (1, 2), padding: (1, 0, 1, 1))),
            pool(.max, "2×2 dilation 2", input: [1, 2, 7, 6], kernel: (2, 2), Window(dilation: (2, 2))),
            pool(.average, "3×3 s2 SAME", input: [2, 3, 9, 8], kernel: (3, 3), .same(input: (9, 8), kernel: (3, 3), stride: (2, 2))),
            pool(.average, "2×2 s2 VALID", input: [1, 2, 6, 7], kernel: (2, 2), .valid(stride: (2, 2))),
            pool(.average, "3×1 s2×1 pad", input: [1, 2, 7, 5], kernel: (3, 1), Window(stride: (2, 1), padding: (1, 1, 0, 0))),
            // Padding as wide as the kernel: the corner windows hold no pixel and give 0.
            pool(.max, "2×2 s2 pad 2", input: [1, 2, 4, 5], kernel: (2, 2), Window(stride: (2, 2), padding: (2, 2, 2, 2))),
            pool(.average, "2×2 s2 pad 2", input: [1, 2, 4, 5], kernel: (2, 2), Window(stride: (2, 2), padding: (2, 2, 2, 2))),
            OpCase("pool2d", "global average [2,3,5,4]", [.float([2, 3, 5, 4])]) { g, x in try g.globalAvgPool2d(x[0]) },
        ]
    }

    /// Benchmark shapes: an Inception stem max pool and a SAME average pool, forward and backward.
    static var benchmarkCases: [OpCase] {
        let shapes: [(kind: Kind, input: Shape, window: Window)] = [
            (.max, [1, 64, 147, 147], .valid(stride: (2, 2))),
            (.average, [1, 192, 35, 35], .same(input: (35, 35), kernel: (3, 3))),
        ]
        return shapes.flatMap { shape -> [OpCase] in
            let pool = Pool2d(shape.kind, kernel: (3, 3), shape.window)
            let out = (try? pool.geometry(shape.input).outputShape) ?? []
            let backwardInputs: [InputSpec] = shape.kind == .max ? [.float(out), .float(shape.input)] : [.float(out)]
            return [
                OpCase("pool2d", "fwd \(shape.kind) 3×3 x\(shape.input.shapeText) \(shape.window)", [.float(shape.input)]) { g, x in
                    try g.apply(pool, x[0])
                },
                OpCase("pool2d", "bwd \(shape.kind) 3×3 x\(shape.input.shapeText) \(shape.window)", backwardInputs) { g, x in
                    try g.apply(Pool2dGrad(pool: pool, inputShape: shape.input), x)
                },
            ]
        }
    }
}
