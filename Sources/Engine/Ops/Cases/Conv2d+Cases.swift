// Parity and gradient cases of conv2d: FaceNet's kernel shapes (1×7, 7×1, 3×3, 1×1), stride 2
// with TensorFlow's asymmetric SAME, dilation, batch > 1, odd sizes, bias, fused relu; fewer
// output than input channels at stride 1 (the CPU's tap-product lowering).

extension Conv2d {
    static var cases: [OpCase] {
        func conv(
            _ label: String, input: Shape, weight: Shape, bias: Bool = true, _ window: Window,
            relu: Bool = false, tolerance: Tolerance = .standard
        ) -> OpCase {
            var specs: [InputSpec] = [.float(input), .float(weight)]
            if bias { specs.append(.float([weight[0]])) }
            return OpCase(
                "conv2d", "\(label) x\(input.shapeText) w\(weight.shapeText) \(window)", specs,
                tolerance: tolerance
            ) { g, x in
                try g.conv2d(x[0], x[1], bias: bias ? x[2] : nil, window, activation: relu ? .relu : .none)
            }
        }
        let longSums = Tolerance(absolute: 5e-4, relative: 1e-4, normalizedMSE: 1e-7)
        return [
            conv("3×3 pad 1", input: [2, 3, 7, 6], weight: [4, 3, 3, 3], Window(padding: (1, 1, 1, 1))),
            conv("1×7", input: [1, 3, 5, 9], weight: [2, 3, 1, 7], Window(padding: (0, 0, 3, 3))),
            conv(
                "7×1", input: [1, 2, 9, 4], weight: [3, 2, 7, 1], bias: false, Window(padding: (3, 3, 0, 0))),
            conv(
                "3×3 stride 2 SAME", input: [1, 2, 9, 8], weight: [3, 2, 3, 3],
                .same(input: (9, 8), kernel: (3, 3), stride: (2, 2))),
            conv("1×1", input: [2, 5, 4, 3], weight: [3, 5, 1, 1], Window()),
            conv(
                "3×3 dilation 2", input: [1, 2, 8, 8], weight: [2, 2, 3, 3],
                Window(dilation: (2, 2), padding: (2, 2, 2, 2))),
            conv(
                "5×3 stride 2×1 VALID", input: [2, 3, 11, 7], weight: [2, 3, 5, 3], bias: false,
                .valid(stride: (2, 1))),
            conv(
                "3×3 pad 1 relu", input: [2, 3, 7, 6], weight: [4, 3, 3, 3], Window(padding: (1, 1, 1, 1)),
                relu: true),
            conv("5×5 K=1 < C", input: [1, 6, 9, 8], weight: [1, 6, 5, 5], Window(padding: (2, 2, 1, 3))),
            conv(
                "3×3 K=70 (two tiles)", input: [1, 4, 5, 5], weight: [70, 4, 3, 3],
                Window(padding: (1, 1, 1, 1))),
            // Large enough that the CPU lowering works in two bands of output rows. The weight and
            // bias gradients sum ~30,000 float32 products whose partial sums reach ~30, in another
            // order on each backend (OpenBLAS blocking, tiled kernel, reduction tree): absolute
            // errors of ~1e-4 follow (√n·ulp·|partial sum|), while the NMSE stays ~1e-11.
            conv(
                "3×3 two bands", input: [1, 8, 150, 201], weight: [4, 8, 3, 3], Window(padding: (1, 1, 1, 1)),
                tolerance: longSums),
            conv(
                "3×3 stride 2 SAME two bands", input: [1, 8, 299, 399], weight: [3, 8, 3, 3], bias: false,
                .same(input: (299, 399), kernel: (3, 3), stride: (2, 2)), tolerance: longSums),
            // Reductions of 216 terms (forward) and 144 (input gradient) into one 64×64 tile: split
            // over work-groups on every OpenCL device, conv2d_split_finish applying the epilogue.
            OpCase(
                "conv2d", "split reduction x[1,24,6,5] w[16,24,3,3] bias, residual ×0.17, relu",
                [.float([1, 24, 6, 5]), .float([16, 24, 3, 3]), .float([16]), .float([1, 16, 6, 5])]
            ) { g, x in
                try g.conv2d(
                    x[0], x[1], bias: x[2], Window(padding: (1, 1, 1, 1)), scale: 0.17, residual: x[3],
                    activation: .relu)
            },
        ]
    }
}

extension Conv2d {
    /// The benchmark shapes at batch 1, and with `batch` > 1 the 3×3 ones at that batch too (the
    /// GPU comparison with cuDNN is at 16): forward, input gradient and weight gradient each.
    static func benchmarkCases(batch: Int = 1) -> [OpCase] {
        let same3 = Window(padding: (1, 1, 1, 1))
        var shapes: [(label: String, c: Int, k: Int, h: Int, r: Int, s: Int, window: Window)] =
            [(512, 8), (256, 32), (128, 64), (64, 128), (32, 256), (16, 512), (64, 56), (128, 28), (256, 14)]
            .map { ("3×3 (\($0.0),\($0.1))", $0.0, $0.0, $0.1, 3, 3, same3) }
        shapes.append(("1×7 (128,17)", 128, 128, 17, 1, 7, Window(padding: (0, 0, 3, 3))))
        shapes.append(("7×1 (128,17)", 128, 128, 17, 7, 1, Window(padding: (3, 3, 0, 0))))
        shapes.append(("stem 3→32 s2 160²", 3, 32, 160, 3, 3, .valid(stride: (2, 2))))
        let batched = batch > 1 ? shapes.filter { $0.r == 3 && $0.s == 3 && $0.c == $0.k } : []
        let runs = shapes.map { (n: 1, shape: $0) } + batched.map { (n: batch, shape: $0) }
        return runs.flatMap { n, shape -> [OpCase] in
            let input = [n, shape.c, shape.h, shape.h]
            let label = n == 1 ? shape.label : "\(shape.label) n\(n)"
            let weight = [shape.k, shape.c, shape.r, shape.s]
            let out =
                (try? ConvGeometry(input: input, weight: weight, window: shape.window, op: "bench")
                    .outputShape) ?? []
            return [
                OpCase("conv2d", "fwd \(label)", [.float(input), .float(weight)]) { g, x in
                    try g.conv2d(x[0], x[1], shape.window)
                },
                OpCase("conv2d", "bwd-input \(label)", [.float(out), .float(weight)]) { g, x in
                    try g.apply(Conv2dGrad(wrt: .input, window: shape.window, shape: input), x[0], x[1])
                },
                OpCase("conv2d", "bwd-weight \(label)", [.float(out), .float(input)]) { g, x in
                    try g.apply(Conv2dGrad(wrt: .weight, window: shape.window, shape: weight), x[0], x[1])
                },
            ]
        }
    }
}
