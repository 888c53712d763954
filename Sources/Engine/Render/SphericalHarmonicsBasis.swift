// The 9 spherical harmonics Y_0…Y_8 of unit normals as one op, forward and backward in one pass
// each, CPU and OpenCL (shading.cl): built from slices, maps and a concatenation of nine columns it
// took some forty launches per render. The same values as those maps gave, in Float constants.

/// Normals [P, 3] → [P, 9]: 0.282095; 0.488603·(y, z, x); 1.092548·(xy, yz); 0.946176·z² − 0.315392;
/// 1.092548·xz; 0.546274·(x² − y²) (Ramamoorthi–Hanrahan; `SphericalHarmonics` on the host).
public struct SphericalHarmonicsBasis: Op, OpenCLOp {
    public init() {}

    public var name: String { "sh_basis" }

    static let band0: Float = 0.282095, band1: Float = 0.488603, mixed: Float = 1.092548
    static let zonalScale: Float = 3 * 0.315392, zonalOffset: Float = -0.315392, sectoral: Float = 0.546274

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 1)
        try expectType(name, inputs[0], operand: "normals")
        guard inputs[0].shape.count == 2, inputs[0].shape[1] == 3 else {
            throw EngineError.shapeMismatch(op: name, expected: "normals [P, 3]", got: inputs[0].description)
        }
        return [TensorType([inputs[0].shape[0], 9])]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        let n = inputs[0].values, rows = inputs[0].shape[0]
        let (b0, b1, m) = (T(Self.band0), T(Self.band1), T(Self.mixed))
        let (zs, zo, s) = (T(Self.zonalScale), T(Self.zonalOffset), T(Self.sectoral))
        var y = [T](repeating: 0, count: 9 * rows)
        for p in 0..<rows {
            let (x, yy, z) = (n[3 * p], n[3 * p + 1], n[3 * p + 2])
            let row = [
                b0, yy * b1, z * b1, x * b1, x * yy * m, yy * z * m, z * z * zs + zo, x * z * m,
                (x * x - yy * yy) * s,
            ]
            for k in 0..<9 { y[9 * p + k] = row[k] }
        }
        return [RefTensor([rows, 9], y)]
    }

    public func gradients(_ g: Graph, inputs x: [Value], output y: Value, outputGrad dy: Value) throws
        -> [Value?]
    {
        [try g.apply(SphericalHarmonicsBasisGrad(), x[0], dy)]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.launchShading("sh_basis", rows: inputs[0].shape[0], [outputs[0], inputs[0]])
    }
}

/// dn [P, 3] from normals [P, 3] and dY [P, 9] (the derivatives of the rows above).
public struct SphericalHarmonicsBasisGrad: Op, OpenCLOp {
    public var name: String { "sh_basis_grad" }

    public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectArity(name, inputs, 2)
        let rows = try SphericalHarmonicsBasis().outputTypes([inputs[0]])[0]
        guard inputs[1] == rows else {
            throw EngineError.shapeMismatch(op: name, expected: "dY \(rows)", got: inputs[1].description)
        }
        return [inputs[0]]
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reference<T: RefScalar>(_ inputs: [RefTensor<T>]) throws -> [RefTensor<T>] {
        typealias Basis = SphericalHarmonicsBasis
        let n = inputs[0].values, d = inputs[1].values, rows = inputs[0].shape[0]
        let (b1, m, zs, s) = (T(Basis.band1), T(Basis.mixed), T(Basis.zonalScale), T(Basis.sectoral))
        var dn = [T](repeating: 0, count: 3 * rows)
        for p in 0..<rows {
            let (x, y, z) = (n[3 * p], n[3 * p + 1], n[3 * p + 2])
            let dy = { (k: Int) in d[9 * p + k] }
            dn[3 * p] = b1 * dy(3) + m * (y * dy(4) + z * dy(7)) + 2 * s * x * dy(8)
            dn[3 * p + 1] = b1 * dy(1) + m * (x * dy(4) + z * dy(5)) - 2 * s * y * dy(8)
            dn[3 * p + 2] = b1 * dy(2) + m * (y * dy(5) + x * dy(7)) + 2 * zs * z * dy(6)
        }
        return [RefTensor(inputs[0].shape, dn)]
    }

    func launch(_ device: OpenCLBackend, inputs: [Tensor], outputs: [Tensor]) throws {
        try device.launchShading(
            "sh_basis_grad", rows: inputs[0].shape[0], [outputs[0], inputs[0], inputs[1]])
    }
}

extension OpenCLBackend {
    /// Enqueues `name` from shading.cl, one work-item per row: (buffers…, rows, the basis' constants).
    fileprivate func launchShading(_ name: String, rows: Int, _ buffers: [Tensor]) throws {
        typealias Basis = SphericalHarmonicsBasis
        let constants = [
            Basis.band0, Basis.band1, Basis.mixed, Basis.zonalScale, Basis.zonalOffset, Basis.sectoral,
        ]
        let trailing = [KernelArgument.int(Int32(rows))] + constants.map { .float($0) }
        try launchPerItem(name, file: "shading.cl", items: rows, buffers: buffers, trailing)
    }
}
