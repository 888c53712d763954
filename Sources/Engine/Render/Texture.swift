// Bilinear texture sampling of a UV map at uv coordinates (clamp or wrap), with gradients to
// the texture (a scatter: fixed order on the CPU, fixed-point integer atomics on OpenCL, both
// deterministic) and to the uv coordinates. Also serves per-vertex colours (uv [V, 2]).

/// How coordinates outside [0, 1] read the texture.
public enum TextureWrap: Int32, Sendable {
    /// The border texels extend outwards.
    case clamp
    /// The texture repeats.
    case wrap
}

/// out [..., C] from texture [Ht, Wt, C] and uv [..., 2]: u runs left to right and v top to
/// bottom (the image row order, as the morphable model keeps its UVs), texel (i, j) has its
/// centre at ((j + 0.5)/Wt, (i + 0.5)/Ht), and the four nearest texels are blended bilinearly.
/// A non-finite uv reads zero and gets zero gradient.
public struct TextureSample: Op, OpenCLOp {
    public let wrap: TextureWrap

    public init(wrap: TextureWrap = .clamp) { self.wrap = wrap }

    public var name: String { "texture(\(wrap))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        try expectTextureOperands(name, texture: inputs[0], uv: inputs[1])
        return [TensorType(Array(inputs[1].shape.dropLast()) + [inputs[0].shape[2]])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let texture = inputs[0].values, uv = inputs[1].values
        let (h, w, c) = (inputs[0].shape[0], inputs[0].shape[1], inputs[0].shape[2])
        let n = uv.count / 2
        var out = [T](repeating: 0, count: n * c)
        forEachPixel(&out, pixels: n) { chunk, out in
            for i in chunk {
                guard let tap = TexelQuad(u: uv[2 * i], v: uv[2 * i + 1], width: w, height: h, wrap: wrap)
                else { continue }
                for ch in 0..<c { out[i * c + ch] = tap.blend { texture[$0 * c + ch] } }
            }
        }
        return [RefTensor(Array(inputs[1].shape.dropLast()) + [c], out)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        [try g.apply(TextureGrad(wrap: wrap, wantsTexture: true), x[0], x[1], dy),
         try g.apply(TextureGrad(wrap: wrap, wantsTexture: false), x[0], x[1], dy)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 8 * Double(outputs[0].count), bytes: Double(inputs[1].bytes + 5 * outputs[0].bytes))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let samples = inputs[1].type.count / 2
        try device.runtime.launch(try device.kernel("texture_fwd", file: "texture.cl"), global: [samples], [
            .buffer(OpenCLBackend.buffer(outputs[0])), .buffer(OpenCLBackend.buffer(inputs[0])),
            .buffer(OpenCLBackend.buffer(inputs[1])), .words(textureParameters(inputs[0].shape, samples: samples)),
        ])
    }

    func textureParameters(_ texture: Shape, samples: Int) -> [Int32] {
        [Int32(texture[0]), Int32(texture[1]), Int32(texture[2]), Int32(samples), wrap.rawValue]
    }
}

/// The texture gradient [Ht, Wt, C] (`wantsTexture`) or the uv gradient [..., 2], from the
/// texture, uv and dy [..., C]. The texture gradient on OpenCL adds each tap's share as a 64-bit
/// fixed-point integer (2⁻³² resolution, magnitudes below 2³¹) with atomics, so the sum does not
/// depend on the order of work; then converts to Float32. Needs cl_khr_int64_base_atomics.
public struct TextureGrad: Op, OpenCLOp {
    public let wrap: TextureWrap
    public let wantsTexture: Bool

    public var name: String { "texture_grad(\(wrap),\(wantsTexture ? "texture" : "uv"))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 3)
        try expectTextureOperands(name, texture: inputs[0], uv: inputs[1])
        guard inputs[2].shape == Array(inputs[1].shape.dropLast()) + [inputs[0].shape[2]] else {
            throw EngineError.shapeMismatch(op: name, expected: "dy [..., \(inputs[0].shape[2])]", got: inputs[2].description)
        }
        return [wantsTexture ? inputs[0] : inputs[1]]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let texture = inputs[0].values, uv = inputs[1].values, dy = inputs[2].values
        let (h, w, c) = (inputs[0].shape[0], inputs[0].shape[1], inputs[0].shape[2])
        let n = uv.count / 2
        var grad = [T](repeating: 0, count: wantsTexture ? texture.count : uv.count)
        func tap(_ i: Int) -> TexelQuad<T>? { TexelQuad(u: uv[2 * i], v: uv[2 * i + 1], width: w, height: h, wrap: wrap) }
        if wantsTexture {
            // A scatter, in sample order (deterministic); samples with no gradient (a render's
            // background) add nothing and are passed over.
            for i in 0..<n where (0..<c).contains(where: { dy[i * c + $0] != 0 }) {
                guard let tap = tap(i) else { continue }
                for ch in 0..<c {
                    let g = dy[i * c + ch]
                    grad[tap.texels.0 * c + ch] += tap.w00 * g
                    grad[tap.texels.1 * c + ch] += tap.w01 * g
                    grad[tap.texels.2 * c + ch] += tap.w10 * g
                    grad[tap.texels.3 * c + ch] += tap.w11 * g
                }
            }
        } else {
            forEachPixel(&grad, pixels: n) { chunk, grad in
                for i in chunk {
                    guard let tap = tap(i) else { continue }
                    for ch in 0..<c {
                        let slope = tap.slopes { texture[$0 * c + ch] }
                        grad[2 * i] += slope.du * dy[i * c + ch]
                        grad[2 * i + 1] += slope.dv * dy[i * c + ch]
                    }
                }
            }
        }
        return [RefTensor(wantsTexture ? inputs[0].shape : inputs[1].shape, grad)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 8 * Double(inputs[2].count), bytes: Double(inputs[1].bytes + 5 * inputs[2].bytes + outputs[0].bytes))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        let samples = inputs[1].type.count / 2
        let parameters = TextureSample(wrap: wrap).textureParameters(inputs[0].shape, samples: samples)
        let operands: [KernelArgument] = [.buffer(OpenCLBackend.buffer(inputs[0])), .buffer(OpenCLBackend.buffer(inputs[1])),
                                          .buffer(OpenCLBackend.buffer(inputs[2])), .words(parameters)]
        guard wantsTexture else {
            try device.runtime.launch(try device.kernel("texture_grad_uv", file: "texture.cl"), global: [samples],
                                      [.buffer(OpenCLBackend.buffer(outputs[0]))] + operands)
            return
        }
        let count = inputs[0].type.count
        // One 64-bit integer per texel value. The scratch goes back to the pool when this returns,
        // before its kernels have run: safe, as the queue is in order and a later user's kernels follow.
        let fixed = try device.allocate(TensorType([2 * count], .int32))
        let accumulator = OpenCLBackend.buffer(fixed)
        try device.runtime.launch(try device.kernel("texture_grad_clear", file: "texture.cl"), global: [count],
                                  [.buffer(accumulator), .int(Int32(count))])
        try device.runtime.launch(try device.kernel("texture_grad_texture", file: "texture.cl"), global: [samples],
                                  [.buffer(accumulator)] + operands)
        try device.runtime.launch(try device.kernel("texture_grad_finish", file: "texture.cl"), global: [count],
                                  [.buffer(OpenCLBackend.buffer(outputs[0])), .buffer(accumulator), .int(Int32(count))])
    }
}

/// The four texels and bilinear weights of one sample (see `TextureSample` for conventions).
struct TexelQuad<T: RefScalar> {
    /// Texel indices (row·Wt + column): (top-left, top-right, bottom-left, bottom-right).
    let texels: (Int, Int, Int, Int)
    let fx, fy: T
    /// The weights of the four texels, in the order of `texels`.
    let w00, w01, w10, w11: T
    let width, height: Int

    init?(u: T, v: T, width: Int, height: Int, wrap: TextureWrap) {
        guard u.isFinite, v.isFinite else { return nil }
        let x = u * T(width) - T(0.5), y = v * T(height) - T(0.5)
        let x0 = x.rounded(.down), y0 = y.rounded(.down)
        fx = x - x0
        fy = y - y0
        (w00, w01, w10, w11) = ((1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy)
        let c0 = Self.index(x0, width, wrap), c1 = Self.index(x0 + 1, width, wrap)
        let r0 = Self.index(y0, height, wrap), r1 = Self.index(y0 + 1, height, wrap)
        texels = (r0 * width + c0, r0 * width + c1, r1 * width + c0, r1 * width + c1)
        (self.width, self.height) = (width, height)
    }

    /// The texel index along one axis of `size` texels for the integral coordinate i.
    private static func index(_ i: T, _ size: Int, _ wrap: TextureWrap) -> Int {
        switch wrap {
        case .clamp: return Swift.min(Swift.max(i, 0), T(size - 1)).integerPart
        case .wrap: return (i - (i / T(size)).rounded(.down) * T(size)).integerPart % size
        }
    }

    /// The bilinear blend of the texel values `value(texel)`.
    func blend(_ value: (Int) -> T) -> T {
        (1 - fy) * ((1 - fx) * value(texels.0) + fx * value(texels.1)) + fy * ((1 - fx) * value(texels.2) + fx * value(texels.3))
    }

    /// d(blend)/du and d(blend)/dv.
    func slopes(_ value: (Int) -> T) -> (du: T, dv: T) {
        let t00 = value(texels.0), t01 = value(texels.1), t10 = value(texels.2), t11 = value(texels.3)
        return (T(width) * ((1 - fy) * (t01 - t00) + fy * (t11 - t10)), T(height) * ((1 - fx) * (t10 - t00) + fx * (t11 - t01)))
    }
}

/// Checks texture [Ht, Wt, C] and uv [..., 2], naming the op.
func expectTextureOperands(_ op: String, texture: TensorType, uv: TensorType) throws {
    try expectType(op, texture, operand: "texture")
    try expectType(op, uv, operand: "uv")
    guard texture.shape.count == 3, texture.count > 0, uv.shape.last == 2 else {
        throw EngineError.shapeMismatch(op: op, expected: "texture [Ht, Wt, C] and uv [..., 2]", got: "\(texture) and \(uv)")
    }
}

public extension Graph {
    /// Bilinear samples [..., C] of texture [Ht, Wt, C] at uv [..., 2] (see `TextureSample`).
    func sampleTexture(_ texture: Value, uv: Value, wrap: TextureWrap = .clamp) throws -> Value {
        try apply(TextureSample(wrap: wrap), texture, uv)
    }
}
