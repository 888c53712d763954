// The CPU reference's walk over a broadcast iteration space: the output's elements in order, cut
// into runs along the innermost dimension, spread over the CPU workers.

/// Row runs of a broadcast iteration: `rows` runs of `length` consecutive output elements each,
/// row r starting at output element `start + r·length`; `offsets` are the operands' element offsets
/// at `start`, `steps` their strides along the last dimension, `rowSteps` from one row to the next.
struct RowRuns {
    let start, rows, length: Int
    let offsets, steps, rowSteps: [Int]

    /// The output element where row `row` starts.
    func first(row: Int) -> Int { start + row * length }
    /// Operand `operand`'s element offset where row `row` starts.
    func offset(_ operand: Int, row: Int) -> Int { offsets[operand] + row * rowSteps[operand] }
}

/// Calls `body` with row runs (see `RowRuns`) that cover every output element once, spread over the
/// CPU workers; one worker's runs come in order. Dimensions are collapsed first (`collapsed`), so the
/// rows are as long as the operands allow, and a run holds as many whole rows as it can: a broadcast
/// that leaves rows of three elements still costs one call per many rows. A worker finds its first
/// row's multi-index by division, then steps from run to run.
func forEachRun(of fullShape: Shape, strides fullStrides: [[Int]], minimumPerWorker: Int = 1 << 15,
                _ body: (RowRuns) -> Void) {
    let count = fullShape.elementCount
    guard count > 0 else { return }
    var (shape, strides) = collapsed(fullShape, fullStrides)
    while shape.count < 2 { (shape, strides) = ([1] + shape, strides.map { [0] + $0 }) }  // rows need a row dimension
    let rank = shape.count, inner = shape[rank - 1], rowExtent = shape[rank - 2]
    let steps = strides.map { $0[rank - 1] }, rowSteps = strides.map { $0[rank - 2] }
    let parts = Swift.max(1, Swift.min(CPUParallel.workers, count / minimumPerWorker))
    let chunk = (count + parts - 1) / parts
    CPUParallel.forEach(parts) { part in
        var position = part * chunk
        let end = Swift.min(count, position + chunk)
        guard position < end else { return }
        var index = [Int](repeating: 0, count: rank), offsets = [Int](repeating: 0, count: strides.count)
        var rest = position
        for d in stride(from: rank - 1, through: 0, by: -1) {
            (rest, index[d]) = rest.quotientAndRemainder(dividingBy: shape[d])
            for o in strides.indices { offsets[o] += index[d] * strides[o][d] }
        }
        while position < end {
            // A part of one row, or whole rows up to the end of the part or of the row dimension.
            let wholeRows =
                index[rank - 1] == 0 ? Swift.min((end - position) / inner, rowExtent - index[rank - 2]) : 0
            let rows = Swift.max(1, wholeRows)
            let length = wholeRows > 0 ? inner : Swift.min(end - position, inner - index[rank - 1])
            body(RowRuns(
                start: position, rows: rows, length: length, offsets: offsets, steps: steps, rowSteps: rowSteps))
            position += rows * length
            if wholeRows == 0 && index[rank - 1] + length < inner { continue }  // the part ended mid-row
            // The next run's start: the last index back to 0, the row index on by `rows`, carrying.
            for o in strides.indices { offsets[o] += (rows - 1) * rowSteps[o] - index[rank - 1] * steps[o] }
            index[rank - 2] += rows - 1
            index[rank - 1] = 0
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                for o in strides.indices { offsets[o] += strides[o][d] }
                if index[d] < shape[d] { break }
                for o in strides.indices { offsets[o] -= shape[d] * strides[o][d] }
                index[d] = 0
                d -= 1
            }
        }
    }
}

/// The same iteration with dimensions of extent 1 dropped and neighbours merged wherever every
/// operand steps through them as through one dimension (so runs are as long as possible).
func collapsed(_ shape: Shape, _ strides: [[Int]]) -> (Shape, [[Int]]) {
    var dims: Shape = [], steps: [[Int]] = strides.map { _ in [] }
    for d in shape.indices where shape[d] != 1 {
        if let last = dims.indices.last, strides.indices.allSatisfy({ steps[$0][last] == strides[$0][d] * shape[d] }) {
            dims[last] *= shape[d]
            for o in strides.indices { steps[o][last] = strides[o][d] }
        } else {
            dims.append(shape[d])
            for o in strides.indices { steps[o].append(strides[o][d]) }
        }
    }
    return (dims, steps)
}
