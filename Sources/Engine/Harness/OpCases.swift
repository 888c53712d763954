// The registry of parity cases: one line per op family; each op file defines its own cases.
import Foundation

public enum OpCases {
    public static var all: [OpCase] {
        Map.cases
            + FusedMap.cases
            + Reduce.cases
            + MatMul.cases
            + Reshape.cases
            + Permute.cases
            + Slice.cases
            + Pad.cases
            + Concat.cases
            + Gather.cases
            + Conv2d.cases
            + ConvEpilogue.cases
            + Pool2d.cases
            + Resize.cases
            + AffineWarp.cases
            + Normalization.cases
            + ProgressiveGeneratorConfig.cases
            + Composite.cases
            + RenderCases.cases
            + TextureTermCases.cases
    }

    /// Benchmark-sized cases of the same families (too large for finite differences); the conv
    /// shapes also at batch `convBatch` when it is above 1.
    public static func benchmark(convBatch: Int = 1) -> [OpCase] {
        [
            OpCase("matmul", "NN [1024,1024]·[1024,1024]", [.float([1024, 1024]), .float([1024, 1024])]) {
                g, x in
                try g.matmul(x[0], x[1])
            },
            OpCase("matmul", "NT [512,2048]·[512,2048]ᵀ", [.float([512, 2048]), .float([512, 2048])]) {
                g, x in
                try g.matmul(x[0], x[1], transB: true)
            },
            OpCase("map", "add [1024,1024]+[1024]", [.float([1024, 1024]), .float([1024])]) { g, x in
                try g.add(x[0], x[1])
            },
            OpCase("map", "sigmoid [1024,1024]", [.float([1024, 1024])]) { g, x in try g.sigmoid(x[0]) },
            OpCase("reduce", "sum axes [1] [1024,1024]", [.float([1024, 1024])]) { g, x in
                try g.sum(x[0], axes: [1])
            },
            OpCase("permute", "transpose [1024,1024]", [.float([1024, 1024])]) { g, x in try g.transpose(x[0])
            },
            OpCase("gather", "[3448,3] by 20208 indices", [.float([3448, 3]), .indices(20208, below: 3448)]) {
                g, x in
                try g.gather(x[0], x[1])
            },
        ] + Conv2d.benchmarkCases(batch: convBatch) + Pool2d.benchmarkCases + Resize.benchmarkCases + AffineWarp.benchmarkCases
            + RenderCases.benchmark
    }

    /// Cases whose name contains any of the filters (all of `cases` for an empty list).
    public static func matching(_ filters: [String], in cases: [OpCase] = all) -> [OpCase] {
        filters.isEmpty
            ? cases : cases.filter { c in filters.contains { c.name.localizedCaseInsensitiveContains($0) } }
    }
}

/// Small graphs of several ops: planner reuse, gradient accumulation, composite builders.
enum Composite {
    static var cases: [OpCase] {
        [
            OpCase(
                "composite", "mlp [6,10]→8→3 tanh",
                [
                    .float([6, 10]), .float([8, 10]), .float([8]),
                    .float([3, 8]), .float([3]),
                ]
            ) { g, x in
                let hidden = try g.tanh(try g.linear(x[0], weight: x[1], bias: x[2]))
                return try g.linear(hidden, weight: x[3], bias: x[4])
            },
            OpCase("composite", "reuse x·x + exp(x) [5,9]", [.float([5, 9])]) { g, x in
                try g.add(try g.mul(x[0], x[0]), try g.exp(x[0]))
            },
            OpCase("composite", "l2normalize axis 1 [4,16]", [.float([4, 16])]) { g, x in
                try g.l2Normalize(x[0], axis: 1)
            },
            OpCase("composite", "l2normalize axis 0 [4,16]", [.float([4, 16])]) { g, x in
                try g.l2Normalize(x[0], axis: 0)
            },
            // Rows of 3 as the renderer's normals, a zero one among them (empty pixels): it stays zero.
            OpCase(
                "composite", "l2normalize rows of 3 with a zero row [2,2,3]",
                [.fixed([2, 2, 3], [0.3, -0.5, 0.8, 0, 0, 0, -1.2, 0.1, 0.4, 0.02, 0.7, -0.3],
                        differentiable: true)],
                checksGradient: false
            ) { g, x in
                try g.l2Normalize(x[0], axis: 2)
            },
        ]
    }
}
