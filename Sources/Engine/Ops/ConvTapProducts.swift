// conv2d's forward on the CPU for stride 1 with fewer output than input channels (a score map
// from a feature map): one GEMM multiplies each kernel tap's weights with the whole image,
// Z [K·R·S, H·W], and each output row adds up the R·S shifted rows of Z it reads. Z is K/C the
// size of the im2col matrix and the GEMM's M is K·R·S instead of K; the products are the same,
// summed in another order.

extension ConvGeometry {
    /// How the CPU forward pass lowers the convolution to a GEMM.
    enum Lowering {
        /// im2col matrices of bands of output rows times the weight (the reference lowering).
        case windows
        /// Tap-weight products with the whole image, summed shifted (`forwardByTaps`).
        case tapProducts
    }

    /// Tap products where Z is smaller than the im2col matrix and every output reads one Z row
    /// per tap at its own position: stride 1, K < C, a window larger than 1×1.
    var preferredLowering: Lowering {
        window.strideH == 1 && window.strideW == 1 && k < c && r * s > 1 ? .tapProducts : .windows
    }

    /// y [N, K, P, Q] = x [N, C, H, W] ⊛ weight [K, C, R, S] at stride 1, by tap products.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func forwardByTaps<T: RefScalar>(_ x: UnsafePointer<T>, _ weight: UnsafePointer<T>,
                                     into y: UnsafeMutablePointer<T>) {
        precondition(window.strideH == 1 && window.strideW == 1, "tap products need stride 1")
        let taps = r * s, plane = p * q
        // [K, C, R, S] → [K·R·S, C]: row (k, tap) holds that tap's weights over the input channels.
        var tapWeights = [T](repeating: 0, count: k * taps * c)
        for out in 0..<k {
            for channel in 0..<c {
                for tap in 0..<taps {
                    tapWeights[(out * taps + tap) * c + channel] = weight[(out * c + channel) * taps + tap]
                }
            }
        }
        var z = [T](unwrittenCount: k * taps * h * w)  // the GEMM writes it
        tapWeights.withUnsafeBufferPointer { tapWeights in
            z.withUnsafeMutableBufferPointer { z in
                let sharedZ = UnsafeSendable(z.baseAddress!)
                for n in 0..<n {
                    T.parallelGemm(GemmOperands(m: k * taps, n: h * w, k: c, a: tapWeights.baseAddress!,
                                                b: x + n * c * h * w, c: z.baseAddress!))
                    let image = UnsafeSendable(y + n * k * plane)
                    CPUParallel.forEach(k * p) { row in
                        sumShiftedTaps(UnsafePointer(sharedZ.pointer), outputRow: row,
                                       into: image.pointer + row * q)
                    }
                }
            }
        }
    }

    /// Output row `row` (= k·P + p) of one image: the sum over taps (r, s) of Z's row (k, r, s)
    /// read at input row p − padTop + r·dilationH from column q − padLeft + s·dilationW.
    private func sumShiftedTaps<T: RefScalar>(_ z: UnsafePointer<T>, outputRow row: Int,
                                              into out: UnsafeMutablePointer<T>) {
        let (out0, p0) = row.quotientAndRemainder(dividingBy: p)
        out.update(repeating: 0, count: q)
        for r in 0..<r {
            let ih = p0 - window.padTop + r * window.dilationH
            guard ih >= 0, ih < h else { continue }
            for s in 0..<s {
                let (first, end) = validColumns(tap: s)
                let source = z + ((out0 * self.r + r) * self.s + s) * h * w + ih * w
                    + first - window.padLeft + s * window.dilationW
                let target = out + first
                for j in 0..<(end - first) { target[j] += source[j] }
            }
        }
    }
}
