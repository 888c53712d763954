// Parity and gradient cases of the matrix product: all transposes, batches, broadcasting,
// sizes that are not multiples of the tile; each OpenCL kernel (`MatMul.kernel`): skinny products
// (rows), few outputs with long reductions (dot), and the tiled kernel.

extension MatMul {
    static var cases: [OpCase] {
        // Long dot products: the device accumulates in another order than OpenBLAS.
        let long = Tolerance(absolute: 1e-4, relative: 1e-4, normalizedMSE: 1e-7)
        return [
            OpCase("matmul", "NN [5,7]·[7,3]", [.float([5, 7]), .float([7, 3])]) { g, x in try g.matmul(x[0], x[1]) },
            OpCase("matmul", "NT [5,7]·[3,7]ᵀ", [.float([5, 7]), .float([3, 7])]) { g, x in
                try g.matmul(x[0], x[1], transB: true)
            },
            OpCase("matmul", "TN [7,5]ᵀ·[7,3]", [.float([7, 5]), .float([7, 3])]) { g, x in
                try g.matmul(x[0], x[1], transA: true)
            },
            OpCase("matmul", "TT [7,5]ᵀ·[3,7]ᵀ", [.float([7, 5]), .float([3, 7])]) { g, x in
                try g.matmul(x[0], x[1], transA: true, transB: true)
            },
            OpCase("matmul", "batched [3,5,7]·[3,7,4]", [.float([3, 5, 7]), .float([3, 7, 4])]) { g, x in
                try g.matmul(x[0], x[1])
            },
            OpCase("matmul", "broadcast [2,5,7]·[7,4]", [.float([2, 5, 7]), .float([7, 4])]) { g, x in
                try g.matmul(x[0], x[1])
            },
            OpCase("matmul", "NN [67,129]·[129,65]", [.float([67, 129]), .float([129, 65])], tolerance: long) { g, x in
                try g.matmul(x[0], x[1])
            },
            OpCase(
                "matmul", "TT [129,67]ᵀ·[65,129]ᵀ (tiled)", [.float([129, 67]), .float([65, 129])],
                tolerance: long
            ) { g, x in try g.matmul(x[0], x[1], transA: true, transB: true) },
            OpCase("matmul", "NT [3000,3]·[3,3]ᵀ (rows)", [.float([3000, 3]), .float([3, 3])]) { g, x in
                try g.matmul(x[0], x[1], transB: true)
            },
            OpCase(
                "matmul", "NN [700,63]·[63,1] (rows)", [.float([700, 63]), .float([63, 1])], tolerance: long
            ) { g, x in try g.matmul(x[0], x[1]) },
            OpCase(
                "matmul", "TN [1000,7]ᵀ·[1000,1] (dot)", [.float([1000, 7]), .float([1000, 1])],
                tolerance: long
            ) { g, x in try g.matmul(x[0], x[1], transA: true) },
            OpCase(
                "matmul", "batched NT [2,3,700]·[2,5,700]ᵀ (dot)", [.float([2, 3, 700]), .float([2, 5, 700])],
                tolerance: long
            ) { g, x in try g.matmul(x[0], x[1], transB: true) },
            OpCase("matmul", "linear [6,10]·[4,10]ᵀ+[4]", [.float([6, 10]), .float([4, 10]), .float([4])]) { g, x in
                try g.linear(x[0], weight: x[1], bias: x[2])
            },
        ]
    }
}
