// Input gradients of stride-1 convolutions with a constant weight read that weight flipped, made
// once when a program is built. Such a gradient is the forward pass of the transposed convolution,
// whose weight is the original's [C, K, R, S], flipped in both window axes (ConvGeometry.flipped).
// Without this, the CPU reference flips the weight at every run, or, where that costs more than
// the im2col matrix (1×1 windows on small images: FaceNet's 8² and 3² blocks), multiplies by the
// weight transposed, which reads it across its rows (FaceNet's forward + backward on a 2-core Zen 3:
// 68.0 → 64.3 ms, the fastest of 11 runs). On OpenCL the kernel runs in its forward mode.
// Each flipped weight is a second copy of the constant (the forward pass keeps the original).

extension Graph {
    /// A copy computing `outputs` with those input gradients reading a flipped constant; the graph
    /// itself, each node in its place, when there are none.
    func flippingConstantWeights(for outputs: [Value]) -> EditedGraph {
        var edit = GraphEdit(nodes)
        var flippedCopies: [Int: GraphEdit.Ref] = [:]  // per weight, its flipped constant
        for id in Schedule.neededNodes(self, outputs) {
            guard case .op(let grad as Conv2dGrad) = nodes[id].kind, grad.wrt == .input, !grad.flippedWeight
            else { continue }
            let weight = nodes[id].inputs[1]
            guard case .constant(let host) = nodes[weight].kind, host.dtype == .float32,
                let geometry = try? grad.geometry(host.shape), geometry.transposedForInputGrad != nil
            else { continue }
            let copy = flippedCopies[weight] ?? host.values.withUnsafeBufferPointer {
                let flipped = HostTensor([geometry.c, geometry.k, geometry.r, geometry.s],
                                         geometry.flipped($0.baseAddress!))
                return edit.insert(before: id, .constant(flipped), [], flipped.type, nodes[weight].part)
            }
            flippedCopies[weight] = copy
            var inputs = nodes[id].inputs.map(edit.old)
            inputs[1] = copy
            edit.replace(id, .op(grad.readingFlippedWeight()), inputs)
        }
        return edit.applied()
    }
}
