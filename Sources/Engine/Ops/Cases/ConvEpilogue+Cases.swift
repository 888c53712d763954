// Parity and gradient cases of conv2d's fused epilogues: built as the fused op (its CPU pass,
// kernel epilogue and gradient), and built from separate ops as the networks build them (which
// Program fuses): FaceNet's residual blocks, the generator's leaky relu, dlib's relu.

extension ConvEpilogue {
    static var cases: [OpCase] {
        let pad1 = Window(padding: (1, 1, 1, 1))
        /// The fused op on x0 [2, 3, 6, 5], weight x1 [4, 3, 3, 3], bias x2, residual x3.
        func fused(
            _ label: String, scale: Float = 1, residual: Bool = false,
            _ activation: ConvEpilogue.Activation
        ) -> OpCase {
            var specs: [InputSpec] = [.float([2, 3, 6, 5]), .float([4, 3, 3, 3]), .float([4])]
            if residual { specs.append(.float([2, 4, 6, 5])) }
            return OpCase("conv2d", "epilogue \(label) x[2,3,6,5] w[4,3,3,3]", specs) { g, x in
                try g.conv2d(
                    x[0], x[1], bias: x[2], pad1, scale: scale, residual: residual ? x[3] : nil,
                    activation: activation)
            }
        }
        return [
            fused("leaky 0.2", .leakyRelu(slope: 0.2)),
            fused("·0.17 + residual", scale: 0.17, residual: true, .none),
            fused("·0.1 + residual + relu", scale: 0.1, residual: true, .relu),
            fused("·-0.5 + residual + leaky 0.3", scale: -0.5, residual: true, .leakyRelu(slope: 0.3)),
            // Inception-ResNet's block as the TensorFlow importer builds it: branches of 1×1 and
            // 1×1→3×3 convs with relu, concatenated, a 1×1 "up" conv with bias scaled by 0.17,
            // added to the block's input, relu.
            OpCase(
                "conv2d", "fused residual block (Inception-ResNet) x[1,8,7,7]",
                [
                    .float([1, 8, 7, 7]), .float([4, 8, 1, 1]), .float([4]), .float([4, 8, 1, 1]),
                    .float([4]),
                    .float([6, 4, 3, 3]), .float([6]), .float([8, 10, 1, 1]), .float([8]),
                ]
            ) { g, x in
                let branch0 = try g.relu(try g.conv2d(x[0], x[1], bias: x[2]))
                let branch1 = try g.relu(
                    try g.conv2d(
                        try g.relu(try g.conv2d(x[0], x[3], bias: x[4])), x[5],
                        bias: x[6], pad1))
                let up = try g.conv2d(try g.concat([branch0, branch1], axis: 1), x[7], bias: x[8])
                return try g.relu(try g.add(x[0], try g.mul(up, g.scalar(0.17))))
            },
            // The backward's epilogue: an input gradient accumulating a residual, gated by relu's
            // output (the gate's values kept off 0); the fusion pass builds these from the graph.
            OpCase(
                "conv2d", "input gradient + residual, relu backward dy[2,4,6,5] w[4,3,3,3]",
                [
                    .float([2, 4, 6, 5]), .float([4, 3, 3, 3]), .float([2, 3, 6, 5]),
                    .float([2, 3, 6, 5], avoiding: [0]),
                ],
                checksGradient: false
            ) { g, x in
                let epilogue = ConvEpilogue(residual: true, activation: .relu, gated: true)
                return try g.apply(
                    Conv2dGrad(wrt: .input, window: pad1, shape: [2, 3, 6, 5], epilogue: epilogue), x)
            },
            // A residual branch's scale read with dy (FaceNet's backward; the fusion pass builds it).
            OpCase(
                "conv2d", "input gradient of dy·0.17 + residual dy[2,4,6,5] w[4,3,3,3]",
                [.float([2, 4, 6, 5]), .float([4, 3, 3, 3]), .float([2, 3, 6, 5])],
                checksGradient: false
            ) { g, x in
                let op = Conv2dGrad(
                    wrt: .input, window: pad1, shape: [2, 3, 6, 5], epilogue: ConvEpilogue(residual: true),
                    dyScale: 0.17)
                return try g.apply(op, x)
            },
            // An input gradient reading its weight flipped, [C, K, R, S] (FlippedWeights.swift makes
            // that operand from a constant weight): on OpenCL the kernel's forward mode.
            OpCase(
                "conv2d",
                "input gradient, flipped weight, of dy·0.17 + residual, relu backward dy[2,4,6,5] w[3,4,3,3]",
                [
                    .float([2, 4, 6, 5]), .float([3, 4, 3, 3]), .float([2, 3, 6, 5]),
                    .float([2, 3, 6, 5], avoiding: [0]),
                ],
                checksGradient: false
            ) { g, x in
                let op = Conv2dGrad(
                    wrt: .input, window: pad1, shape: [2, 3, 6, 5],
                    epilogue: ConvEpilogue(residual: true, activation: .relu, gated: true), dyScale: 0.17,
                    flippedWeight: true)
                return try g.apply(op, x)
            },
            OpCase(
                "conv2d", "input gradient stride 2, leaky backward dy[1,3,5,4] w[3,2,3,3]",
                [.float([1, 3, 5, 4]), .float([3, 2, 3, 3]), .float([1, 2, 9, 8], avoiding: [0])],
                checksGradient: false
            ) { g, x in
                let window = Window.same(input: (9, 8), kernel: (3, 3), stride: (2, 2))
                let epilogue = ConvEpilogue(activation: .leakyRelu(slope: 0.2), gated: true)
                return try g.apply(
                    Conv2dGrad(wrt: .input, window: window, shape: [1, 2, 9, 8], epilogue: epilogue), x)
            },
            OpCase(
                "conv2d", "fused conv + scale + leaky relu (generator) x[2,3,6,6]",
                [.float([2, 3, 6, 6]), .float([5, 3, 3, 3]), .float([5])]
            ) { g, x in
                try g.leakyRelu(try g.scale(try g.conv2d(x[0], x[1], bias: x[2], pad1), 0.5), slope: 0.2)
            },
        ]
    }
}
