// Convolution and pooling window geometry: stride, dilation, explicit padding (including
// TensorFlow's asymmetric SAME), and the sizes that follow from them.

public struct Window: Hashable, Sendable, CustomStringConvertible {
    public var strideH = 1, strideW = 1
    public var dilationH = 1, dilationW = 1
    public var padTop = 0, padBottom = 0, padLeft = 0, padRight = 0

    public init(stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1),
                padding: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0)) {
        (strideH, strideW) = stride
        (dilationH, dilationW) = dilation
        (padTop, padBottom, padLeft, padRight) = padding
    }

    /// TensorFlow's SAME: output = ceil(input / stride); the odd pixel of padding goes after.
    public static func same(input: (h: Int, w: Int), kernel: (r: Int, s: Int), stride: (Int, Int) = (1, 1),
                            dilation: (Int, Int) = (1, 1)) -> Window {
        func split(_ size: Int, _ k: Int, _ stride: Int, _ dilation: Int) -> (Int, Int) {
            let out = (size + stride - 1) / stride
            let total = Swift.max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0)
            return (total / 2, total - total / 2)
        }
        let (t, b) = split(input.h, kernel.r, stride.0, dilation.0)
        let (l, r) = split(input.w, kernel.s, stride.1, dilation.1)
        return Window(stride: stride, dilation: dilation, padding: (t, b, l, r))
    }

    /// TensorFlow's VALID: no padding.
    public static func valid(stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1)) -> Window {
        Window(stride: stride, dilation: dilation)
    }

    /// Output size along one axis for an input of `size` and a kernel of `k` taps.
    func outputSize(_ size: Int, kernel k: Int, vertical: Bool) -> Int {
        let pad = vertical ? padTop + padBottom : padLeft + padRight
        let span = (vertical ? dilationH : dilationW) * (k - 1) + 1
        let stride = vertical ? strideH : strideW
        return size + pad < span ? 0 : (size + pad - span) / stride + 1
    }

    func validate(_ op: String) throws {
        guard strideH >= 1, strideW >= 1, dilationH >= 1, dilationW >= 1,
              [padTop, padBottom, padLeft, padRight].allSatisfy({ $0 >= 0 }) else {
            throw EngineError.shapeMismatch(op: op, expected: "stride and dilation ≥ 1, padding ≥ 0", got: description)
        }
    }

    public var description: String {
        "s\(strideH)x\(strideW) d\(dilationH)x\(dilationW) p\(padTop),\(padBottom),\(padLeft),\(padRight)"
    }
}

/// The sizes of one convolution: input [N, C, H, W], weight [K, C, R, S], output [N, K, P, Q].
struct ConvGeometry {
    let n, c, h, w, k, r, s, p, q: Int
    let window: Window

    init(input: Shape, weight: Shape, window: Window, op: String) throws {
        try window.validate(op)
        guard input.count == 4, weight.count == 4, input[1] == weight[1] else {
            throw EngineError.shapeMismatch(op: op, expected: "input [N, C, H, W] and weight [K, C, R, S] with equal C",
                                            got: "\(input.shapeText) and \(weight.shapeText)")
        }
        (n, c, h, w) = (input[0], input[1], input[2], input[3])
        (k, r, s) = (weight[0], weight[2], weight[3])
        p = window.outputSize(h, kernel: r, vertical: true)
        q = window.outputSize(w, kernel: s, vertical: false)
        self.window = window
        guard p > 0, q > 0 else {
            throw EngineError.shapeMismatch(op: op, expected: "a window that fits the padded input",
                                            got: "input \(input.shapeText), kernel \(r)×\(s), \(window)")
        }
    }

    var inputShape: Shape { [n, c, h, w] }
    var weightShape: Shape { [k, c, r, s] }
    var outputShape: Shape { [n, k, p, q] }
    /// 2·C·K·R·S·P·Q·N: the multiply-adds of one direction.
    var flops: Double { 2 * Double(n * k * c * r * s * p * q) }

    /// The words of conv2d.cl's ConvGeometry struct.
    var packed: [Int32] {
        [n, c, h, w, k, r, s, p, q, window.strideH, window.strideW, window.padTop, window.padLeft,
         window.dilationH, window.dilationW].map(Int32.init)
    }
}
