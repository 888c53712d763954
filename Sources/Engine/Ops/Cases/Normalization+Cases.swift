// Parity and gradient cases of the normalisations: pixel norm, batch norm (inference form,
// gradients to all five operands; and frozen), conv followed by batch norm, an equalised-LR conv.

extension Normalization {
    static var cases: [OpCase] {
        let stats: [InputSpec] = [.float([3], 0.5...1.5), .float([3]), .float([3]), .float([3], 0.2...2)]
        return [
            OpCase("norm", "pixel norm [2,5,3,4]", [.float([2, 5, 3, 4])]) { g, x in try g.pixelNorm(x[0]) },
            OpCase("norm", "batch norm [2,3,5,4]", [.float([2, 3, 5, 4])] + stats) { g, x in
                try g.batchNorm(x[0], gamma: x[1], beta: x[2], mean: x[3], variance: x[4], epsilon: 1e-3)
            },
            OpCase("norm", "batch norm frozen [2,3,5,4]", [.float([2, 3, 5, 4])]) { g, x in
                try g.batchNorm(x[0], try BatchNormParameters(gamma: [0.8, 1.2, 1.1], beta: [0.1, -0.2, 0.3],
                                                              mean: [0.05, -0.1, 0.2], variance: [0.5, 1.5, 0.9], epsilon: 1e-3))
            },
            OpCase("norm", "conv 3×3 then batch norm [1,2,6,5]", [.float([1, 2, 6, 5]), .float([3, 2, 3, 3]), .float([3])] + stats) { g, x in
                let y = try g.conv2d(x[0], x[1], bias: x[2], Window(padding: (1, 1, 1, 1)))
                return try g.batchNorm(y, gamma: x[3], beta: x[4], mean: x[5], variance: x[6], epsilon: 1e-3)
            },
            OpCase("norm", "equalized-LR conv 3×3 [2,4,5,5]", [.float([2, 4, 5, 5]), .float([3, 4, 3, 3]), .float([3])]) { g, x in
                try g.conv2d(x[0], try g.equalizedWeight(x[1]), bias: x[2], Window(padding: (1, 1, 1, 1)))
            },
        ]
    }
}
