// Parity and gradient cases of the data-movement ops: reshape, permute, slice, pad, concat, gather.

extension Reshape {
    static var cases: [OpCase] {
        [OpCase("reshape", "[2,3,4]→[6,4] then ×2", [.float([2, 3, 4])]) { g, x in
            try g.scale(try g.reshape(x[0], [6, 4]), 2)
        }]
    }
}

extension Permute {
    static var cases: [OpCase] {
        [
            OpCase("permute", "[2,3,4,5] by [3,1,0,2]", [.float([2, 3, 4, 5])]) { g, x in try g.permute(x[0], [3, 1, 0, 2]) },
            OpCase("permute", "transpose [7,9]", [.float([7, 9])]) { g, x in try g.transpose(x[0]) },
        ]
    }
}

extension Slice {
    static var cases: [OpCase] {
        [OpCase("slice", "[5,6,7] [1,0,2]..<[4,6,5]", [.float([5, 6, 7])]) { g, x in
            try g.slice(x[0], starts: [1, 0, 2], ends: [4, 6, 5])
        }]
    }
}

extension Pad {
    static var cases: [OpCase] {
        [OpCase("pad", "[3,4] before [1,2] after [2,0] with 0.5", [.float([3, 4])]) { g, x in
            try g.pad(x[0], before: [1, 2], after: [2, 0], value: 0.5)
        }]
    }
}

extension Concat {
    static var cases: [OpCase] {
        [OpCase("concat", "axis 1 [2,3,4]+[2,1,4]+[2,5,4]", [.float([2, 3, 4]), .float([2, 1, 4]), .float([2, 5, 4])]) { g, x in
            try g.concat(x, axis: 1)
        }]
    }
}

extension Gather {
    static var cases: [OpCase] {
        [
            OpCase("gather", "[10,3] by 13 indices", [.float([10, 3]), .indices(13, below: 10)]) { g, x in
                try g.gather(x[0], x[1])
            },
            OpCase("gather", "[8,2,3] by 5 indices", [.float([8, 2, 3]), .indices(5, below: 8)]) { g, x in
                try g.gather(x[0], x[1])
            },
        ]
    }
}
