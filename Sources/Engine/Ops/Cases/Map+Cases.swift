// Parity and gradient cases of the elementwise map: every function, broadcasting, odd sizes.

extension Map {
    static var cases: [OpCase] {
        let shape = [3, 17]
        func unary(_ label: String, _ range: ClosedRange<Float> = -1...1, avoiding kinks: [Float] = [],
                   _ build: @escaping (Graph, Value) throws -> Value) -> OpCase {
            OpCase("map", "\(label) \(shape.shapeText)", [.float(shape, range, avoiding: kinks)]) { g, x in try build(g, x[0]) }
        }
        return [
            unary("neg") { try $0.neg($1) },
            unary("abs", avoiding: [0]) { try $0.abs($1) },
            unary("exp", -2...2) { try $0.exp($1) },
            unary("log", 0.2...3) { try $0.log($1) },
            unary("sqrt", 0.2...3) { try $0.sqrt($1) },
            unary("rsqrt", 0.2...3) { try $0.rsqrt($1) },
            unary("square") { try $0.square($1) },
            unary("pow 3") { try $0.pow($1, 3) },
            unary("pow 1.5", 0.2...3) { try $0.pow($1, 1.5) },
            unary("clamp -0.5 0.5", avoiding: [-0.5, 0.5]) { try $0.clamp($1, -0.5, 0.5) },
            unary("relu", avoiding: [0]) { try $0.relu($1) },
            unary("leaky_relu 0.1", avoiding: [0]) { try $0.leakyRelu($1, slope: 0.1) },
            unary("tanh", -3...3) { try $0.tanh($1) },
            unary("sigmoid", -4...4) { try $0.sigmoid($1) },
            unary("scale 2.5 -1") { try $0.scale($1, 2.5, plus: -1) },
            OpCase("map", "add [4,5]+[5]", [.float([4, 5]), .float([5])]) { g, x in try g.add(x[0], x[1]) },
            OpCase("map", "add [257,129]+[257,1]", [.float([257, 129]), .float([257, 1])]) { g, x in try g.add(x[0], x[1]) },
            OpCase("map", "sub [3,1,5]-[4,1]", [.float([3, 1, 5]), .float([4, 1])]) { g, x in try g.sub(x[0], x[1]) },
            OpCase("map", "mul [2,3,4]*[2,3,4]", [.float([2, 3, 4]), .float([2, 3, 4])]) { g, x in try g.mul(x[0], x[1]) },
            OpCase("map", "mul [2,3,1,5]*[]", [.float([2, 3, 1, 5]), .float([])]) { g, x in try g.mul(x[0], x[1]) },
            OpCase("map", "div [5,7]/[7]", [.float([5, 7]), .float([7], 0.5...2)]) { g, x in try g.div(x[0], x[1]) },
            OpCase("map", "prelu [2,3,4,5] alpha [3,1,1]", [.float([2, 3, 4, 5], avoiding: [0]), .float([3, 1, 1], 0...0.5)]) { g, x in
                try g.prelu(x[0], x[1])
            },
            OpCase("map", "greater [5,7]>[7]", [.float([5, 7]), .float([7])], checksGradient: false) { g, x in
                try g.greater(x[0], x[1])
            },
            OpCase("map", "equal [6]==[6]", [.fixed([6], [1, 2, 3, 4, 5, 6]), .fixed([6], [1, 0, 3, 0, 5, 0])],
                   checksGradient: false) { g, x in try g.equal(x[0], x[1]) },
            OpCase("map", "select [4,6] ? [6] : [4,1]",
                   [.float([4, 6], avoiding: [0], differentiable: false), .float([6]), .float([4, 1])]) { g, x in
                try g.select(x[0], x[1], x[2])
            },
            OpCase("map", "broadcast [3,1]→[2,3,4]", [.float([3, 1])]) { g, x in try g.broadcast(x[0], to: [2, 3, 4]) },
        ]
    }
}
