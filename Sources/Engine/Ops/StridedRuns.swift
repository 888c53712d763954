// The CPU reference's walk over a broadcast iteration space: the output's elements in order, cut
// into runs along the innermost dimension, spread over the CPU workers.

/// Calls `body(start, length, offsets, steps)` for runs of consecutive output elements
/// start..<start+length that share all dimensions but the last; `offsets` are the operands' element
/// offsets at `start`, `steps` their strides along the last dimension. Every element is visited
/// once; runs of one worker's part are visited in order.
func forEachRun(of fullShape: Shape, strides fullStrides: [[Int]], minimumPerWorker: Int = 1 << 15,
                _ body: (_ start: Int, _ length: Int, _ offsets: [Int], _ steps: [Int]) -> Void) {
    let count = fullShape.elementCount
    guard count > 0 else { return }
    let (shape, strides) = collapsed(fullShape, fullStrides)
    let inner = shape.last ?? 1, rank = shape.count
    let steps = strides.map { rank > 0 ? $0[rank - 1] : 0 }
    let parts = Swift.max(1, Swift.min(CPUParallel.workers, count / minimumPerWorker))
    let chunk = (count + parts - 1) / parts
    CPUParallel.forEach(parts) { part in
        var position = part * chunk
        let end = Swift.min(count, position + chunk)
        while position < end {
            // The multi-index of `position`, and each operand's offset there.
            var rest = position, offsets = [Int](repeating: 0, count: strides.count)
            for d in stride(from: rank - 1, through: 0, by: -1) {
                let k = rest % shape[d]
                rest /= shape[d]
                for o in strides.indices { offsets[o] += k * strides[o][d] }
            }
            let length = Swift.min(end - position, inner - position % Swift.max(inner, 1))
            body(position, length, offsets, steps)
            position += length
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
