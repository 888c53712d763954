// Graph builders the texture models share: bilinear upsampling of a texel grid, the smoothness
// of a UV map, and the left–right symmetry of one through a texel mirror map; and where a texel sits.

/// The UV of texel `index` (row-major) of a `side`² map: its centre.
func texelCentre(_ index: Int, side t: Int) -> SIMD2<Float> {
    SIMD2((Float(index % t) + 0.5) / Float(t), (Float(index / t) + 0.5) / Float(t))
}

extension Graph {
    /// x [t, t, C] bilinearly upsampled to [size, size, C] (x itself when t == size).
    func upsampleTexture(_ x: Value, to size: Int) throws -> Value {
        let (t, c) = (x.shape[0], x.shape[2])
        if t == size { return x }
        let planar = try reshape(permute(x, [2, 0, 1]), [1, c, t, t])
        let resized = try resizeBilinear(planar, height: size, width: size, alignCorners: false)
        return try permute(reshape(resized, [c, size, size]), [1, 2, 0])
    }

    /// (Σ horizontal + Σ vertical squared differences of neighbouring texels) / texel count,
    /// for a texture [T, T, C].
    func textureSmoothness(_ texture: Value) throws -> Value {
        let (h, w) = (texture.shape[0], texture.shape[1])
        let across = try sub(slice(texture, axis: 1, 1..<w), slice(texture, axis: 1, 0..<w - 1))
        let down = try sub(slice(texture, axis: 0, 1..<h), slice(texture, axis: 0, 0..<h - 1))
        return try scale(add(sum(square(across)), sum(square(down))), 1 / Float(h * w))
    }

    /// Σ coverage·|T(uv) − T(mirror(uv))|² / (C · Σ coverage): the mean squared difference of a
    /// texture [T, T, C] and its mirror image, sampled (bilinearly) at `mirror` [T, T, 2], over the
    /// texels `coverage` [T, T, 1] marks. Both sides get the gradient.
    func textureSymmetry(_ texture: Value, mirror: HostTensor, coverage: HostTensor) throws -> Value {
        let mirrored = try sampleTexture(texture, uv: constant(mirror))
        let count = Swift.max(coverage.values.reduce(0, +), 1) * Float(texture.shape[2])
        return try scale(sum(mul(constant(coverage), square(sub(texture, mirrored)))), 1 / count)
    }
}
