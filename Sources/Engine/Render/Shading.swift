// Shading of per-pixel albedo and normals, composed of graph ops (matmul, elementwise), so
// autodiff gives the gradients to lights, albedo and normals: Lambert with ambient and
// directional lights (GANFIT's Phong without the specular term), and 9-coefficient spherical
// harmonics per colour channel. Images are [H, W, C] throughout the renderer.

/// A directional light: colour [3] and direction [3] (from the surface towards the light, in
/// camera space; any length, normalised in the graph).
public struct DirectionalLight {
    public let colour: Value
    public let direction: Value

    public init(colour: Value, direction: Value) { (self.colour, self.direction) = (colour, direction) }
}

public extension Graph {
    /// albedo ⊙ (ambient + Σ_lights colour·max(0, n̂·l̂)) [H, W, 3], from albedo [H, W, 3],
    /// normals [H, W, 3] (normalised here; zero normals, as on empty pixels, stay zero) and
    /// ambient [3]. The irradiance is one matrix product: [max(0, n̂·l̂₁) … max(0, n̂·l̂_L), 1]
    /// [HW, L + 1] times the colours stacked over the ambient [L + 1, 3].
    func lambert(albedo: Value, normals: Value, ambient: Value, lights: [DirectionalLight]) throws -> Value {
        let (h, w) = try expectShadingOperands("lambert", albedo: albedo, normals: normals)
        for light in lights where light.colour.shape != [3] || light.direction.shape != [3] {
            throw EngineError.shapeMismatch(op: "lambert", expected: "light colour [3] and direction [3]",
                                            got: "\(light.colour.type) and \(light.direction.type)")
        }
        guard ambient.shape == [3] else {
            throw EngineError.shapeMismatch(op: "lambert", expected: "ambient [3]", got: ambient.type.description)
        }
        let n = try reshape(l2Normalize(normals, axis: 2), [h * w, 3])
        var factors = [constant(HostTensor([h * w, 1], [Float](repeating: 1, count: h * w)))]
        if !lights.isEmpty {
            let directions = try l2Normalize(concat(lights.map { try reshape($0.direction, [3, 1]) }, axis: 1), axis: 0)
            factors.insert(try relu(matmul(n, directions)), at: 0)
        }
        let colours = try concat((lights.map(\.colour) + [ambient]).map { try reshape($0, [1, 3]) }, axis: 0)
        return try mul(albedo, reshape(matmul(concat(factors, axis: 1), colours), [h, w, 3]))
    }

    /// albedo ⊙ Σ_k coefficients[k, c]·Y_k(n̂) [H, W, 3], with the 9 real spherical harmonics
    /// Y_0…Y_8 of bands 0–2 (Ramamoorthi–Hanrahan normalisation: 0.282095; 0.488603·(y, z, x);
    /// 1.092548·(xy, yz), 0.315392·(3z² − 1), 1.092548·xz, 0.546274·(x² − y²)) and
    /// coefficients [9, 3] per colour channel.
    func sphericalHarmonics(albedo: Value, normals: Value, coefficients: Value) throws -> Value {
        let (h, w) = try expectShadingOperands("spherical_harmonics", albedo: albedo, normals: normals)
        guard coefficients.shape == [9, 3] else {
            throw EngineError.shapeMismatch(op: "spherical_harmonics", expected: "coefficients [9, 3]", got: coefficients.type.description)
        }
        let n = try reshape(l2Normalize(normals, axis: 2), [h * w, 3])
        let basis = try apply(SphericalHarmonicsBasis(), n)
        return try mul(albedo, reshape(matmul(basis, coefficients), [h, w, 3]))
    }

    /// Coverage [H, W, 1]: 1 where a triangle is visible, 0 elsewhere (the sum of the barycentrics).
    func coverage(_ raster: Rasterization) throws -> Value {
        try sum(raster.barycentrics, axes: [2], keepDims: true)
    }

    /// colour [H, W, C] where a triangle is visible, background [H, W, C] (or any shape that
    /// broadcasts, such as [C]) elsewhere.
    func composite(_ colour: Value, over background: Value, _ raster: Rasterization) throws -> Value {
        try add(mul(coverage(raster), sub(colour, background)), background)
    }
}

/// Checks albedo [H, W, 3] and normals [H, W, 3], naming the op; returns (H, W).
private func expectShadingOperands(_ op: String, albedo: Value, normals: Value) throws -> (Int, Int) {
    guard normals.shape.count == 3, normals.shape[2] == 3, albedo.shape == normals.shape else {
        throw EngineError.shapeMismatch(op: op, expected: "albedo and normals [H, W, 3]", got: "\(albedo.type) and \(normals.type)")
    }
    return (normals.shape[0], normals.shape[1])
}
