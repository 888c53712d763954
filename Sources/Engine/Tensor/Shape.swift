// Shape arithmetic: element counts, row-major strides, broadcasting rules.

public typealias Shape = [Int]

public extension Array where Element == Int {
    /// Number of elements (1 for a scalar, shape []).
    var elementCount: Int { reduce(1, *) }

    /// Row-major (C order) element strides.
    var contiguousStrides: [Int] {
        var strides = [Int](repeating: 1, count: count)
        var step = 1
        for d in indices.reversed() {
            strides[d] = step
            step *= self[d]
        }
        return strides
    }

    /// Strides that read a tensor of this shape as if broadcast to `target` (NumPy rules:
    /// align trailing dimensions; a dimension of 1 repeats with stride 0).
    func broadcastStrides(to target: Shape) -> [Int] {
        let own = contiguousStrides
        let lead = target.count - count
        return target.indices.map { d in
            let k = d - lead
            return k < 0 || self[k] == 1 ? 0 : own[k]
        }
    }

    var shapeText: String { "[" + map(String.init).joined(separator: ", ") + "]" }
}

/// The NumPy broadcast of several shapes, or a shapeMismatch naming `op`.
func broadcastShape(_ shapes: [Shape], op: String) throws -> Shape {
    let rank = shapes.map(\.count).max() ?? 0
    var result = [Int](repeating: 1, count: rank)
    for shape in shapes {
        let lead = rank - shape.count
        for (k, dim) in shape.enumerated() {
            let d = k + lead
            if result[d] == 1 {
                result[d] = dim
            } else if dim != 1 && dim != result[d] {
                throw EngineError.shapeMismatch(
                    op: op, expected: "shapes that broadcast (equal dimensions or 1)",
                    got: shapes.map(\.shapeText).joined(separator: " and "))
            }
        }
    }
    return result
}

/// Normalises possibly negative axes against `rank`, or throws naming `op`.
func normalizedAxes(_ axes: [Int], rank: Int, op: String) throws -> [Int] {
    let result = try axes.map { axis -> Int in
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank else {
            throw EngineError.shapeMismatch(op: op, expected: "axes in -\(rank)..<\(rank)", got: "axis \(axis)")
        }
        return a
    }
    guard Set(result).count == result.count else {
        throw EngineError.shapeMismatch(op: op, expected: "distinct axes", got: "\(axes)")
    }
    return result.sorted()
}

extension MutableCollection where Element == Int, Index == Int {
    /// Steps this row-major multi-index once over the first `dimensions` dimensions of `shape`
    /// (the last of them fastest), wrapping to all zeros after the last index.
    @inline(__always)
    mutating func step(within shape: Shape, dimensions: Int) {
        var d = dimensions - 1
        while d >= 0 {
            self[d] += 1
            if self[d] < shape[d] { return }
            self[d] = 0
            d -= 1
        }
    }
}
