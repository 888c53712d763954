// Affine warp of NCHW images with bilinear sampling and zero padding (cropping and aligning
// photos), forward and backward with respect to the image and the matrix. CPU reference from
// one tap list (PixelTaps.swift); OpenCL in resample.cl (backward as gathers, deterministic).

/// y [N, C, height, width] sampled from image [N, C, H, W] at theta[n]·(x, y, 1).
///
/// theta [N, 2, 3] maps output pixel coordinates to input pixel coordinates, with pixel
/// centres at integer coordinates — pixel (row i, column j) is the point (x = j, y = i), as
/// OpenCV's `warpAffine` with `WARP_INVERSE_MAP`: sx = t00·x + t01·y + t02 and
/// sy = t10·x + t11·y + t12. Samples are bilinear; taps outside the image read 0. Both
/// operands get gradients; theta's is exact away from integer sample positions, where
/// bilinear interpolation has kinks (it takes the derivative of the cell the sample is in).
/// (For centres at j + ½, as in OpenCV's pixel grid convention or PyTorch's `affine_grid`
/// after denormalising, shift both coordinates by ½ before and after the map.)
public struct AffineWarp: Op, OpenCLOp {
    public let height: Int
    public let width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    public var name: String { "affine_warp(\(height)×\(width))" }

    /// Checks image [N, C, H, W] and theta [N, 2, 3] against each other, naming `op`.
    func check(image: Shape, theta: Shape, op: String) throws {
        guard image.count == 4, theta == [image.first ?? 0, 2, 3], height >= 1, width >= 1 else {
            throw EngineError.shapeMismatch(op: op, expected: "image [N, C, H, W], theta [N, 2, 3] and an output size ≥ 1×1",
                                            got: "image \(image.shapeText), theta \(theta.shapeText), output \(height)×\(width)")
        }
    }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        for (k, t) in inputs.enumerated() { try expectType(name, t, operand: "operand \(k)") }
        try check(image: inputs[0].shape, theta: inputs[1].shape, op: name)
        return [TensorType([inputs[0].shape[0], inputs[0].shape[1], height, width])]
    }

    /// Checks dY [N, C, height, width] and theta against an image of `imageShape`, naming `op`.
    func checkGradient(dy: Shape, theta: Shape, imageShape: Shape, op: String) throws {
        try check(image: imageShape, theta: theta, op: op)
        let out = [imageShape[0], imageShape[1], height, width]
        guard dy == out else {
            throw EngineError.shapeMismatch(op: op, expected: "dy \(out.shapeText)", got: dy.shapeText)
        }
    }

    /// Calls `body` with (output index, input index, tap) for every bilinear tap of image plane `plane`.
    @inline(__always)
    func forEachTap<T: RefScalar>(plane: Int, image: Shape, theta: [T], _ body: (Int, Int, BilinearTap<T>) -> Void) {
        let (channels, h, w) = (image[1], image[2], image[3])
        let t = Array(theta[plane / channels * 6..<plane / channels * 6 + 6])
        for oy in 0..<height {
            for ox in 0..<width {
                let o = (plane * height + oy) * width + ox
                let sx = t[0] * T(ox) + t[1] * T(oy) + t[2]
                let sy = t[3] * T(ox) + t[4] * T(oy) + t[5]
                bilinearTaps(sy, sx, height: h, width: w, clampHigh: false) { body(o, plane * h * w + $0.index, $0) }
            }
        }
    }

    /// The output pixel coordinates as the rows (x, y, 1) of a [3, height·width] matrix.
    var pixelGrid: HostTensor {
        let pixels = 0..<height * width
        return HostTensor([3, height * width], pixels.map { Float($0 % width) } + pixels.map { Float($0 / width) }
                                                + pixels.map { _ in 1 })
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let out = try outputTypes(inputs.map(\.type))[0].shape
        return [RefTensor(out, applyTaps(inputs[0].values, resultCount: out.elementCount, planes: out[0] * out[1],
                                         transpose: false, WarpTaps(warp: self, image: inputs[0].shape,
                                                                    theta: inputs[1].values)))]
    }

    /// dImage by the transposed warp; dθ[n] = Σ over output pixels of ∂L/∂(sx, sy) · (x, y, 1).
    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws -> [Value?] {
        let dImage = try g.apply(AffineWarpImageGrad(warp: self, imageShape: x[0].shape), dy, x[1])
        let coordinates = try g.apply(AffineWarpCoordinateGrad(warp: self, imageShape: x[0].shape), dy, x[0], x[1])
        return [dImage, try g.matmul(coordinates, g.constant(pixelGrid), transB: true)]
    }

    /// About 15 flops per output: two affine maps, four corner weights, four multiply-adds.
    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        OpCost(flops: 15 * Double(outputs[0].count), bytes: Double((inputs + outputs).map(\.bytes).reduce(0, +)))
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.resample("affine_warp", count: outputs[0].type.count, [outputs[0], inputs[0], inputs[1]],
                            sizes: inputs[0].shape + [height, width])
    }
}

/// The warp's taps with their weights, for `applyTaps`.
struct WarpTaps<T: RefScalar>: PlaneTaps {
    let warp: AffineWarp
    let image: Shape
    let theta: [T]

    @inline(__always)
    func forEach(plane: Int, _ body: (Int, Int, T) -> Void) {
        warp.forEachTap(plane: plane, image: image, theta: theta) { body($0, $1, $2.weight) }
    }
}

/// dImage [N, C, H, W] from dY [N, C, height, width] and theta: the transpose of the warp.
/// The OpenCL kernel gathers, per input pixel, over the output pixels inside the preimage of
/// its neighbourhood (the whole output when theta's 2×2 part is singular).
public struct AffineWarpImageGrad: Op, OpenCLOp {
    public let warp: AffineWarp
    public let imageShape: Shape

    public var name: String { "affine_warp_image_grad(\(warp.height)×\(warp.width),\(imageShape.shapeText))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        try warp.checkGradient(dy: inputs[0].shape, theta: inputs[1].shape, imageShape: imageShape, op: name)
        return [TensorType(imageShape)]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        [RefTensor(imageShape, applyTaps(inputs[0].values, resultCount: imageShape.elementCount,
                                         planes: imageShape[0] * imageShape[1], transpose: true,
                                         WarpTaps(warp: warp, image: imageShape, theta: inputs[1].values)))]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        warp.cost([outputs[0], inputs[1]], [inputs[0]])
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.resample("affine_warp_image_grad", count: outputs[0].type.count, [outputs[0], inputs[0], inputs[1]],
                            sizes: imageShape + [warp.height, warp.width])
    }
}

/// ∂L/∂(sx, sy) [N, 2, height·width] at every output pixel, summed over channels, from dY
/// [N, C, height, width], the image and theta: what the theta gradient is built from.
public struct AffineWarpCoordinateGrad: Op, OpenCLOp {
    public let warp: AffineWarp
    public let imageShape: Shape

    public var name: String { "affine_warp_coordinate_grad(\(warp.height)×\(warp.width),\(imageShape.shapeText))" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 3)
        try warp.checkGradient(dy: inputs[0].shape, theta: inputs[2].shape, imageShape: imageShape, op: name)
        guard inputs[1].shape == imageShape else {
            throw EngineError.shapeMismatch(op: name, expected: "image \(imageShape.shapeText)", got: inputs[1].description)
        }
        return [TensorType([imageShape[0], 2, warp.height * warp.width])]
    }

    /// Σ over channels and taps of x·dy·∂weight/∂(sx, sy), in the forward's tap order.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let dy = inputs[0].values, x = inputs[1].values
        let pixels = warp.height * warp.width, perImage = imageShape[1] * pixels
        var grad = [T](repeating: 0, count: imageShape[0] * 2 * pixels)
        for plane in 0..<imageShape[0] * imageShape[1] {
            warp.forEachTap(plane: plane, image: imageShape, theta: inputs[2].values) { o, i, tap in
                let at = o / perImage * 2 * pixels + o % pixels, v = x[i] * dy[o]
                grad[at] += v * (tap.wy * tap.signX)
                grad[at + pixels] += v * (tap.signY * tap.wx)
            }
        }
        return [RefTensor([imageShape[0], 2, pixels], grad)]
    }

    public func cost(_ inputs: [TensorType], _ outputs: [TensorType]) -> OpCost {
        warp.cost([inputs[1], inputs[2]], [inputs[0]])
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.resample("affine_warp_coordinate_grad", count: imageShape[0] * warp.height * warp.width,
                            [outputs[0]] + inputs, sizes: imageShape + [warp.height, warp.width])
    }
}

// MARK: - Graph builders

public extension Graph {
    /// image [N, C, H, W] warped by theta [N, 2, 3] (output pixel → input pixel) to
    /// [N, C, height, width], bilinear with zero padding; see `AffineWarp`.
    func affineWarp(_ image: Value, theta: Value, height: Int, width: Int) throws -> Value {
        try apply(AffineWarp(height: height, width: width), image, theta)
    }
}
