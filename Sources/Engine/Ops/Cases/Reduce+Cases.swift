// Parity and gradient cases of the reductions: inner, outer and several axes, long reductions.

extension Reduce {
    static var cases: [OpCase] {
        [
            OpCase("reduce", "sum axes [1] [3,5,7]", [.float([3, 5, 7])]) { g, x in try g.sum(x[0], axes: [1]) },
            OpCase("reduce", "sum all [37,29]", [.float([37, 29])]) { g, x in try g.sum(x[0]) },
            // 3,000 terms: float32 summation order differs (tree vs sequential); error grows ~√n·ulp.
            OpCase("reduce", "sum axes [1] [2,3000]", [.float([2, 3000])],
                   tolerance: Tolerance(absolute: 1e-4, relative: 1e-4, normalizedMSE: 1e-7)) { g, x in
                try g.sum(x[0], axes: [1])
            },
            OpCase("reduce", "mean axes [0,2] keep [4,3,5]", [.float([4, 3, 5])]) { g, x in
                try g.mean(x[0], axes: [0, 2], keepDims: true)
            },
            OpCase("reduce", "max axes [1] [6,33]", [.float([6, 33])]) { g, x in try g.max(x[0], axes: [1]) },
            OpCase("reduce", "max axes [0,-1] [7,4,9]", [.float([7, 4, 9])]) { g, x in try g.max(x[0], axes: [0, -1]) },
            // Few outputs of long reductions: split over work-groups on OpenCL (reduce_axes_finish
            // combines the splits and applies the mean's scale).
            OpCase("reduce", "mean all [3,40,50] (split)", [.float([3, 40, 50])]) { g, x in try g.mean(x[0]) },
            OpCase("reduce", "max axes [1,2] [2,30,70] (split)", [.float([2, 30, 70])]) { g, x in
                try g.max(x[0], axes: [1, 2])
            },
            // Short reductions (≤ 16 elements) take the one-work-item-per-output kernel.
            OpCase("reduce", "max axes [2] short [5,6,3]", [.float([5, 6, 3])]) { g, x in try g.max(x[0], axes: [2]) },
            OpCase("reduce", "mean axes [0,2] keep short [2,7,4]", [.float([2, 7, 4])]) { g, x in
                try g.mean(x[0], axes: [0, 2], keepDims: true)
            },
        ]
    }
}
