// Parity cases of fused maps: graphs whose chains of maps a program fuses (MapFusion.swift), with
// broadcast leaves, a broadcast copy, repeated leaves, and chains past the leaf and step limits.

extension FusedMap {
    static var cases: [OpCase] {
        [
            OpCase(
                "fused map", "coverage·(a − b)² [4,5,3] with [4,5,1]",
                [.float([4, 5, 3]), .float([4, 5, 3]), .float([4, 5, 1])]
            ) { g, x in
                try g.mul(x[2], g.square(g.sub(x[0], x[1])))
            },
            OpCase("fused map", "broadcast [3,1]→[2,3,4] + x, scaled", [.float([3, 1]), .float([2, 3, 4])]) { g, x in
                try g.scale(g.add(g.broadcast(x[0], to: [2, 3, 4]), x[1]), 0.5, plus: 1)
            },
            OpCase("fused map", "x·x + x·y − y [6,7] (repeated leaves)", [.float([6, 7]), .float([6, 7])]) { g, x in
                try g.sub(g.add(g.mul(x[0], x[0]), g.mul(x[0], x[1])), x[1])
            },
            OpCase(
                "fused map", "four leaves (a + b) + (c + d) [5,6]",
                [.float([5, 6]), .float([5, 6]), .float([5, 6]), .float([5, 6])]
            ) { g, x in
                try g.add(g.add(x[0], x[1]), g.add(x[2], x[3]))
            },
            OpCase("fused map", "ten steps tanh·scale chain [3,8] by [8]", [.float([3, 8]), .float([8])]) { g, x in
                var y = x[0]
                for k in 0..<5 { y = try g.tanh(g.scale(g.mul(y, x[1]), 1.5, plus: Float(k) * 0.1)) }
                return y
            },
            OpCase(
                "fused map", "select(c, exp a, a·b) [4,9]",
                [.float([4, 9]), .float([4, 9]), .float([4, 9], avoiding: [0], differentiable: false)]
            ) { g, x in
                try g.select(x[2], g.exp(x[0]), g.mul(x[0], x[1]))
            },
        ]
    }
}
