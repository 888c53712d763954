// The CPU reference's convolution lowering: im2col gathers the windows of a band of output rows
// of one image into a [C·R·S, rows·Q] matrix for GEMM; col2im adds such a matrix back into an
// image. Kernel rows of each channel (im2col) or channels (col2im) run in parallel; each writes
// only its own rows of the matrix or its own plane of the image.

extension ConvGeometry {
    /// Output rows per band, so that one band's im2col matrix (≤ 2M elements) stays in the L3 cache;
    /// the bands of an image are of near-equal height.
    var bandRows: Int {
        let maxRows = Swift.max(1, (1 << 21) / Swift.max(1, c * r * s * q))
        let bands = (p + maxRows - 1) / maxRows
        return (p + bands - 1) / bands
    }

    /// The output-row bands of one image.
    var bands: [Range<Int>] {
        stride(from: 0, to: p, by: bandRows).map { $0..<Swift.min(p, $0 + bandRows) }
    }

    /// Fills `col` [C·R·S, rows.count·Q] from image `x` [C, H, W] for output rows `rows`, on all
    /// workers or in the calling thread.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func im2col<T: RefScalar>(_ x: UnsafePointer<T>, rows: Range<Int>, into col: UnsafeMutablePointer<T>,
                              onWorkers: Bool = true) {
        let sharedX = UnsafeSendable(x), sharedCol = UnsafeSendable(col)
        forEachWindowRow(rows, perKernelRow: onWorkers, onWorkers: onWorkers) {
            offset, inputRow, first, end, iwFirst in
            let row = sharedCol.pointer + offset
            guard let inputRow else { return row.update(repeating: 0, count: q) }
            let source = sharedX.pointer + inputRow
            row.update(repeating: 0, count: first)
            if window.strideW == 1 {
                (row + first).update(from: source + iwFirst, count: end - first)
            } else if window.strideW == 2 {
                let (to, from) = (row + first, source + iwFirst)  // a constant stride vectorises
                for j in 0..<(end - first) { to[j] = from[2 * j] }
            } else {
                var iw = iwFirst
                for q in first..<end { row[q] = source[iw]; iw += window.strideW }
            }
            (row + end).update(repeating: 0, count: q - end)
        }
    }

    /// Adds `col` [C·R·S, rows.count·Q] into image `x` [C, H, W] for output rows `rows`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func col2im<T: RefScalar>(_ col: UnsafePointer<T>, rows: Range<Int>, into x: UnsafeMutablePointer<T>) {
        let sharedX = UnsafeSendable(x), sharedCol = UnsafeSendable(col)
        forEachWindowRow(rows, perKernelRow: false, onWorkers: true) {
            offset, inputRow, first, end, iwFirst in
            guard let inputRow else { return }
            let row = sharedCol.pointer + offset, target = sharedX.pointer + inputRow
            var iw = iwFirst
            for q in first..<end { target[iw] += row[q]; iw += window.strideW }
        }
    }

    /// Visits each row of a band's im2col matrix (channel, kernel tap, output row), one channel
    /// per worker, or one channel's kernel row (C·R parts: a 3-channel image still fills the
    /// workers), or all in the calling thread: the row's offset in the matrix, the offset of the
    /// image row it reads (nil in the padding), the output columns first..<end that read inside
    /// the image, and the input column of `first`.
    func forEachWindowRow(_ rows: Range<Int>, perKernelRow: Bool, onWorkers: Bool,
                          _ body: (_ offset: Int, _ inputRow: Int?, _ first: Int, _ end: Int, _ iwFirst: Int) -> Void) {
        let kernelRowsPerPart = perKernelRow ? 1 : self.r, parts = c * self.r / kernelRowsPerPart
        func visit(_ part: Int) {
            let ch = part * kernelRowsPerPart / self.r, firstRow = part * kernelRowsPerPart % self.r
            for r in firstRow..<(firstRow + kernelRowsPerPart) {
                for s in 0..<self.s {
                    let (first, end) = validColumns(tap: s)
                    let iwFirst = first * window.strideW - window.padLeft + s * window.dilationW
                    var offset = ((ch * self.r + r) * self.s + s) * rows.count * q
                    for p in rows {
                        let ih = p * window.strideH - window.padTop + r * window.dilationH
                        body(offset, ih >= 0 && ih < h ? (ch * h + ih) * w : nil, first, end, iwFirst)
                        offset += q
                    }
                }
            }
        }
        if onWorkers { CPUParallel.forEach(parts, visit) } else { for part in 0..<parts { visit(part) } }
    }

    /// The output columns first..<end whose input column, for kernel column `tap`, lies inside the image.
    func validColumns(tap: Int) -> (first: Int, end: Int) {
        let offset = tap * window.dilationW - window.padLeft  // the input column of output column 0
        let first = offset >= 0 ? 0 : (-offset + window.strideW - 1) / window.strideW
        let end = offset >= w ? 0 : Swift.min(q, (w - 1 - offset) / window.strideW + 1)
        return (Swift.min(first, end), end)
    }

    /// Whether the window is the identity (1×1, stride 1, no padding): the image is its own im2col.
    var isPointwise: Bool {
        r == 1 && s == 1 && window.strideH == 1 && window.strideW == 1
            && window.padTop == 0 && window.padBottom == 0 && window.padLeft == 0 && window.padRight == 0
    }
}
