// The CPU reference's convolution lowering: im2col gathers every window of one image into a
// [C·R·S, P·Q] matrix for GEMM, col2im adds such a matrix back into an image. Channels run
// in parallel; each writes only its own rows (im2col) or plane (col2im): deterministic.
import Foundation

extension ConvGeometry {
    /// Fills `col` [C·R·S, P·Q] from image `x` [C, H, W].
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func im2col<T: RefScalar>(_ x: UnsafePointer<T>, into col: UnsafeMutablePointer<T>) {
        let sendableX = UnsafeSendable(x), sendableCol = UnsafeSendable(UnsafePointer(col))
        parallelChannels(c) { ch in
            let x = sendableX.pointer, col = UnsafeMutablePointer(mutating: sendableCol.pointer)
            for r in 0..<self.r {
                for s in 0..<self.s {
                    var row = col + ((ch * self.r + r) * self.s + s) * p * q
                    for p in 0..<p {
                        let ih = p * window.strideH - window.padTop + r * window.dilationH
                        guard ih >= 0 && ih < h else {
                            row.update(repeating: 0, count: q)
                            row += q
                            continue
                        }
                        let source = x + (ch * h + ih) * w
                        let iw0 = -window.padLeft + s * window.dilationW
                        for q in 0..<q {
                            let iw = iw0 + q * window.strideW
                            row[q] = iw >= 0 && iw < w ? source[iw] : 0
                        }
                        row += q
                    }
                }
            }
        }
    }

    /// Adds `col` [C·R·S, P·Q] into image `x` [C, H, W] (which the caller zeroes first).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func col2im<T: RefScalar>(_ col: UnsafePointer<T>, into x: UnsafeMutablePointer<T>) {
        let sendableX = UnsafeSendable(UnsafePointer(x)), sendableCol = UnsafeSendable(col)
        parallelChannels(c) { ch in
            let x = UnsafeMutablePointer(mutating: sendableX.pointer), col = sendableCol.pointer
            for r in 0..<self.r {
                for s in 0..<self.s {
                    var row = col + ((ch * self.r + r) * self.s + s) * p * q
                    for p in 0..<p {
                        let ih = p * window.strideH - window.padTop + r * window.dilationH
                        if ih >= 0 && ih < h {
                            let target = x + (ch * h + ih) * w
                            let iw0 = -window.padLeft + s * window.dilationW
                            for q in 0..<q {
                                let iw = iw0 + q * window.strideW
                                if iw >= 0 && iw < w { target[iw] += row[q] }
                            }
                        }
                        row += q
                    }
                }
            }
        }
    }

    /// Whether the window is the identity (1×1, stride 1, no padding): the image is its own im2col.
    var isPointwise: Bool {
        r == 1 && s == 1 && window.strideH == 1 && window.strideW == 1
            && window.padTop == 0 && window.padBottom == 0 && window.padLeft == 0 && window.padRight == 0
    }
}

/// A pointer handed to parallel workers that touch disjoint parts of its memory.
struct UnsafeSendable<T>: @unchecked Sendable {
    let pointer: UnsafePointer<T>
    init(_ pointer: UnsafePointer<T>) { self.pointer = pointer }
}

/// Runs `body(channel)` for every channel, on all cores when the work is large enough.
func parallelChannels(_ count: Int, _ body: (Int) -> Void) {
    let workers = Swift.min(ProcessInfo.processInfo.activeProcessorCount, count)
    guard workers > 1 else { for ch in 0..<count { body(ch) }; return }
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var ch = worker
            while ch < count { body(ch); ch += workers }
        }
    }
}
