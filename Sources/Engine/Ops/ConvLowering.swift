// conv2d's three passes on the CPU reference: band by band im2col (or col2im) and GEMM on the
// workers (the forward pass of many bands: whole bands per worker). A stride-1 input gradient
// is itself a convolution (of dY with the flipped, transposed weight): it takes the forward path.

extension ConvGeometry {
    /// y [N, K, P, Q] = x [N, C, H, W] ⊛ weight [K, C, R, S] (no bias), lowered as `lowering`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func forward<T: RefScalar>(_ x: UnsafePointer<T>, _ weight: UnsafePointer<T>,
                               into y: UnsafeMutablePointer<T>, lowering: Lowering? = nil) {
        if (lowering ?? preferredLowering) == .tapProducts { return forwardByTaps(x, weight, into: y) }
        let crs = c * r * s, plane = p * q
        let bands = self.bands, jobs = n * bands.count, threads = Swift.min(CPUParallel.workers, jobs)
        guard !isPointwise, jobs >= 4 * threads else {
            // Few bands: each band's im2col and GEMM on all workers.
            return forEachBand(of: x) { n, rows, col in
                T.parallelGemm(GemmOperands(m: k, n: rows.count * q, k: crs, a: weight, lda: crs,
                                            b: col, ldb: rows.count * q,
                                            c: y + n * k * plane + rows.lowerBound * q, ldc: plane))
            }
        }
        // Many bands: each worker lowers and multiplies whole bands in its own buffer, with no
        // hand-over between cores. Band j goes to worker j mod threads (CPUParallel.forEach's rule).
        let bufferSize = crs * bandRows * q
        var cols = [T](unwrittenCount: threads * bufferSize)
        cols.withUnsafeMutableBufferPointer { cols in
            let (sharedX, sharedY) = (UnsafeSendable(x), UnsafeSendable(y))
            let sharedCols = UnsafeSendable(cols.baseAddress!)
            CPUParallel.forEach(jobs) { job in
                let (image, band) = job.quotientAndRemainder(dividingBy: bands.count)
                let rows = bands[band], col = sharedCols.pointer + job % threads * bufferSize
                let source = UnsafePointer(sharedX.pointer) + image * c * h * w
                im2col(source, rows: rows, into: col, onWorkers: false)
                T.gemm(GemmOperands(m: k, n: rows.count * q, k: crs, a: weight, lda: crs,
                                    b: col, ldb: rows.count * q,
                                    c: sharedY.pointer + image * k * plane + rows.lowerBound * q, ldc: plane))
            }
        }
    }

    /// dx [N, C, H, W] from dy [N, K, P, Q] and weight [K, C, R, S]; `dx` starts zeroed.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func inputGrad<T: RefScalar>(_ dy: UnsafePointer<T>, _ weight: UnsafePointer<T>, into dx: UnsafeMutablePointer<T>) {
        if let transposed = transposedFlippingEachCall {
            flipped(weight).withUnsafeBufferPointer { transposed.forward(dy, $0.baseAddress!, into: dx) }
            return
        }
        let crs = c * r * s, plane = p * q
        if isPointwise {
            // A 1×1 window's im2col matrix is the image: Wᵀ·dy straight into dx (col2im would copy).
            for n in 0..<n {
                T.parallelGemm(GemmOperands(transA: true, m: c, n: plane, k: k, a: weight, lda: c,
                                            b: dy + n * k * plane, ldb: plane, c: dx + n * c * h * w, ldc: plane))
            }
            return
        }
        var col = [T](repeating: 0, count: crs * bandRows * q)
        col.withUnsafeMutableBufferPointer { col in
            for n in 0..<n {
                for rows in bands {
                    T.parallelGemm(GemmOperands(transA: true, m: crs, n: rows.count * q, k: k, a: weight, lda: crs,
                                                b: dy + n * k * plane + rows.lowerBound * q, ldb: plane,
                                                c: col.baseAddress!, ldc: rows.count * q))
                    col2im(col.baseAddress!, rows: rows, into: dx + n * c * h * w)
                }
            }
        }
    }

    /// The convolution that computes this one's input gradient when the stride is 1: input dy
    /// [N, K, P, Q], weight [C, K, R, S] flipped in both axes (`flipped`), the padding that
    /// restores H × W. Nil for strides > 1 and for paddings wider than the window's span.
    var transposedForInputGrad: ConvGeometry? {
        let spanH = (r - 1) * window.dilationH, spanW = (s - 1) * window.dilationW
        let padding = (spanH - window.padTop, spanH - window.padBottom, spanW - window.padLeft, spanW - window.padRight)
        guard window.strideH == 1, window.strideW == 1,
              [padding.0, padding.1, padding.2, padding.3].allSatisfy({ $0 >= 0 }) else { return nil }
        let flipped = Window(dilation: (window.dilationH, window.dilationW), padding: padding)
        return try? ConvGeometry(input: [n, k, p, q], weight: [c, k, r, s], window: flipped, op: "conv2d input gradient")
    }

    /// The transposed convolution where `inputGrad` takes it, flipping the weight at each call: where
    /// that costs less than the im2col matrix (a constant weight is flipped once: FlippedWeights.swift).
    var transposedFlippingEachCall: ConvGeometry? { n * p * q >= k ? transposedForInputGrad : nil }

    /// The weight [K, C, R, S] as `transposedForInputGrad` reads it: [C, K, R, S], each R×S block
    /// flipped in both axes (a row-major block reversed).
    func flipped<T: RefScalar>(_ weight: UnsafePointer<T>) -> [T] {
        var flipped = [T](unwrittenCount: k * c * r * s)
        for out in 0..<k {
            for channel in 0..<c {
                let source = weight + (out * c + channel) * r * s, target = (channel * k + out) * r * s
                for tap in 0..<(r * s) { flipped[target + r * s - 1 - tap] = source[tap] }
            }
        }
        return flipped
    }

    /// dw [K, C, R, S] = Σ over the batch and output positions of dy ⊗ windows of x.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func weightGrad<T: RefScalar>(_ dy: UnsafePointer<T>, _ x: UnsafePointer<T>, into dw: UnsafeMutablePointer<T>) {
        let crs = c * r * s, plane = p * q
        forEachBand(of: x) { n, rows, col in
            T.parallelGemm(GemmOperands(transB: true, m: k, n: crs, k: rows.count * q, a: dy + n * k * plane + rows.lowerBound * q,
                                        lda: plane, b: col, ldb: rows.count * q, c: dw, ldc: crs,
                                        accumulate: n > 0 || rows.lowerBound > 0))
        }
    }

    /// For each image of x [N, C, H, W] and each band of its output rows, in order: the band's
    /// im2col matrix [C·R·S, rows.count·Q] (for a 1×1 window, the image itself in one band).
    private func forEachBand<T: RefScalar>(of x: UnsafePointer<T>, _ body: (_ n: Int, _ rows: Range<Int>, _ col: UnsafePointer<T>) -> Void) {
        if isPointwise {
            for n in 0..<n { body(n, 0..<p, x + n * c * h * w) }
            return
        }
        var col = [T](unwrittenCount: c * r * s * bandRows * q)  // im2col writes what GEMM reads
        // A small matrix is filled faster in this thread than handed to the workers and back.
        let onWorkers = col.count > 1 << 18
        col.withUnsafeMutableBufferPointer { col in
            for n in 0..<n {
                for rows in bands {
                    im2col(x + n * c * h * w, rows: rows, into: col.baseAddress!, onWorkers: onWorkers)
                    body(n, rows, col.baseAddress!)
                }
            }
        }
    }
}

extension Array where Element: RefScalar {
    /// `count` elements left as the allocator gives them, for a buffer the caller writes whole
    /// before reading (no zero-filling pass; its pages are first touched by the writers).
    init(unwrittenCount count: Int) {
        self.init(unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}
