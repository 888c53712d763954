// dlib's bilinear resize_image (image_transforms/interpolation.h) as its detectors run it: corners
// aligned (scale (in − 1)/(out − 1)), four columns at a time in Float with truncation to the left
// tap, the last columns in Double. Float planes for the MMOD pyramid levels, 8-bit RGB for
// pyramid_up (the detectors' upsampling).

/// Where each output column samples its input: the left tap and the weight of the right one,
/// as dlib's 4-wide Float loop (and its Double tail) computes them.
struct DlibColumnTaps {
    let left: [Int], right: [Int]
    let fraction: [Float]
    /// Columns from here on take dlib's Double tail path.
    let tailStart: Int
    let tailFraction: [Double]

    init(inputs: Int, outputs: Int) {
        let scale = Double(inputs - 1) / Double(max(outputs - 1, 1))
        var left = [Int](repeating: 0, count: outputs), right = left
        var fraction = [Float](repeating: 0, count: outputs), tail = [Double](repeating: 0, count: outputs)
        let x0 = -4 * scale, step = Float(4 * scale)
        var lanes = (0..<4).map { Float(x0 + Double($0) * scale) }
        var c = 0
        while c + 4 <= outputs {
            for j in 0..<4 { lanes[j] += step }
            guard Int(lanes[3]) + 1 < inputs else { break }
            for j in 0..<4 {
                left[c + j] = Int(lanes[j])
                right[c + j] = left[c + j] + 1
                fraction[c + j] = lanes[j] - Float(left[c + j])
            }
            c += 4
        }
        tailStart = c
        var x = -scale + Double(c) * scale
        for k in c..<outputs {
            x += scale
            left[k] = Int(x.rounded(.down))
            right[k] = min(left[k] + 1, inputs - 1)
            tail[k] = x - Double(left[k])
        }
        (self.left, self.right, self.fraction, tailFraction) = (left, right, fraction, tail)
    }
}

/// The rows each output row blends: dlib accumulates y in Double.
func dlibRowTaps(inputs: Int, outputs: Int) -> [(top: Int, bottom: Int, fraction: Double)] {
    let scale = Double(inputs - 1) / Double(max(outputs - 1, 1))
    var y = -scale
    return (0..<outputs).map { _ in
        y += scale
        let top = Int(y.rounded(.down))
        return (top, min(top + 1, inputs - 1), y - Double(top))
    }
}

/// Resizes the `rows × cols` plane at `source` (row stride `sourceStride`) into the
/// `outRows × outCols` plane at `target` (row stride `targetStride`), as dlib's float path.
func dlibResizePlane(_ source: UnsafePointer<Float>, rows: Int, cols: Int, sourceStride: Int,
                     into target: UnsafeMutablePointer<Float>, outRows: Int, outCols: Int,
                     targetStride: Int) {
    let columns = DlibColumnTaps(inputs: cols, outputs: outCols)
    for (r, row) in dlibRowTaps(inputs: rows, outputs: outRows).enumerated() {
        let top = source + row.top * sourceStride, bottom = source + row.bottom * sourceStride
        let out = target + r * targetStride
        let tb = Float(row.fraction), inverseTB = Float(1 - row.fraction)
        for c in 0..<columns.tailStart {
            let (l, rt) = (columns.left[c], columns.right[c])
            let lr = columns.fraction[c], inverseLR = 1 - lr
            let tlf = inverseTB * inverseLR, trf = inverseTB * lr, blf = tb * inverseLR, brf = tb * lr
            out[c] = tlf * top[l] + trf * top[rt] + blf * bottom[l] + brf * bottom[rt]
        }
        for c in columns.tailStart..<outCols {
            let (l, rt) = (columns.left[c], columns.right[c])
            let lr = Double(Float(columns.tailFraction[c])), t = row.fraction
            let upper = (1 - lr) * Double(top[l]) + lr * Double(top[rt])
            let lower = (1 - lr) * Double(bottom[l]) + lr * Double(bottom[rt])
            out[c] = Float((1 - t) * upper + t * lower)
        }
    }
}

extension RGBImage8 {
    /// dlib's pyramid_up with pyramid_down<2> (what upsample_num_times does): the photo
    /// resized to (2·width + 2) × (2·height + 1), the size pyramid_down<2>'s rect_up gives its
    /// rectangle, values truncated to 8 bits.
    func dlibPyramidUp() -> RGBImage8 {
        let (outW, outH) = (2 * width + 2, 2 * height + 1)
        let columns = DlibColumnTaps(inputs: width, outputs: outW)
        var out = [UInt8](repeating: 0, count: outW * outH * 3)
        for (r, row) in dlibRowTaps(inputs: height, outputs: outH).enumerated() {
            let top = row.top * width * 3, bottom = row.bottom * width * 3, base = r * outW * 3
            let tb = Float(row.fraction), inverseTB = Float(1 - row.fraction)
            for c in 0..<outW {
                let (l, rt) = (columns.left[c] * 3, columns.right[c] * 3)
                for k in 0..<3 {
                    let tl = Float(samples[top + l + k]), tr = Float(samples[top + rt + k])
                    let bl = Float(samples[bottom + l + k]), br = Float(samples[bottom + rt + k])
                    if c < columns.tailStart {
                        let lr = columns.fraction[c], inverseLR = 1 - lr
                        let v = inverseTB * inverseLR * tl + inverseTB * lr * tr
                            + tb * inverseLR * bl + tb * lr * br
                        out[base + c * 3 + k] = UInt8(clamping: Int(v))
                    } else {
                        let lr = columns.tailFraction[c], t = row.fraction
                        let v = (1 - t) * ((1 - lr) * Double(tl) + lr * Double(tr))
                            + t * ((1 - lr) * Double(bl) + lr * Double(br))
                        out[base + c * 3 + k] = UInt8(clamping: Int(v))
                    }
                }
            }
        }
        return RGBImage8(width: outW, height: outH, samples: out)
    }
}
