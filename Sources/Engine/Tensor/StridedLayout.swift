// The Swift side of common.cl's `Strided`: an iteration space with per-operand strides,
// collapsed to the fewest dimensions before launch.

struct StridedLayout {
    static let maxRank = 6
    static let operands = 4

    var dims: [Int]
    /// strides[operand][dim]; operand 0 is the output.
    var strides: [[Int]]
    var offsets: [Int]

    /// `dims` iterated with the given per-operand strides (missing operands get zeros).
    init(dims: [Int], strides: [[Int]], offsets: [Int] = []) {
        self.dims = dims
        self.strides = (0..<Self.operands).map { $0 < strides.count ? strides[$0] : [Int](repeating: 0, count: dims.count) }
        self.offsets = (0..<Self.operands).map { $0 < offsets.count ? offsets[$0] : 0 }
        collapse()
    }

    var count: Int { dims.elementCount }

    /// Drops extent-1 dimensions and merges neighbours that are contiguous for every operand.
    private mutating func collapse() {
        var newDims: [Int] = []
        var newStrides = [[Int]](repeating: [], count: Self.operands)
        for d in dims.indices where dims[d] != 1 {
            if let last = newDims.indices.last,
               (0..<Self.operands).allSatisfy({ newStrides[$0][last] == strides[$0][d] * dims[d] }) {
                newDims[last] *= dims[d]
                for o in 0..<Self.operands { newStrides[o][last] = strides[o][d] }
            } else {
                newDims.append(dims[d])
                for o in 0..<Self.operands { newStrides[o].append(strides[o][d]) }
            }
        }
        dims = newDims
        strides = newStrides
    }

    /// Whether the collapsed space fits the kernel's MAX_RANK.
    var fitsKernel: Bool { dims.count <= Self.maxRank }

    /// The words of the OpenCL struct: rank, count, dims[6], strides[4][6], offsets[4].
    func packed() -> [Int32] {
        precondition(fitsKernel, "StridedLayout: rank \(dims.count) exceeds \(Self.maxRank)")
        func padded(_ values: [Int]) -> [Int32] {
            values.map(Int32.init) + [Int32](repeating: 0, count: Self.maxRank - values.count)
        }
        var words: [Int32] = [Int32(dims.count), Int32(count)]
        words += padded(dims)
        for o in 0..<Self.operands { words += padded(strides[o]) }
        words += offsets.map(Int32.init)
        return words
    }
}
