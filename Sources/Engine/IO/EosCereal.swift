// The pieces of eos's cereal binary archives (little-endian): Eigen matrices, strings, PCA
// models and blendshapes, each checked as it is read.

extension ByteReader {
    /// An Eigen matrix of Float: int32 rows, int32 cols, rows·cols values in column-major order;
    /// returned row-major [rows, cols].
    mutating func eigenMatrix(_ what: String) throws -> (rows: Int, cols: Int, values: [Float]) {
        let rows = try count(Int32.self, "\(what) row count", bytesEach: 0)
        let cols = try count(Int32.self, "\(what) column count", bytesEach: 0)
        let (n, overflow) = rows.multipliedReportingOverflow(by: cols)
        guard !overflow else { throw fail("\(what) claims an impossible size \(rows) x \(cols)") }
        let columnMajor = try array(Float.self, count: n, what)
        if let bad = columnMajor.firstIndex(where: { !$0.isFinite }) {
            throw fail("\(what) has a non-finite value (\(columnMajor[bad])) at element \(bad)")
        }
        guard cols > 1 else { return (rows, cols, columnMajor) }
        var rowMajor = [Float](repeating: 0, count: n)
        for c in 0..<cols {
            for r in 0..<rows { rowMajor[r * cols + c] = columnMajor[c * rows + r] }
        }
        return (rows, cols, rowMajor)
    }

    /// A column vector [rows] (an Eigen matrix with one column, or an empty one).
    mutating func eigenVector(_ what: String) throws -> [Float] {
        let m = try eigenMatrix(what)
        guard m.cols == 1 || m.values.isEmpty else { throw fail("\(what) is \(m.rows) x \(m.cols); expected one column") }
        return m.values
    }

    /// A std::string: uint64 length, then UTF-8 bytes.
    mutating func string(_ what: String) throws -> String {
        let length = try count(UInt64.self, "\(what) length", bytesEach: 1)
        guard let text = String(data: try bytes(length, what), encoding: .utf8) else { throw fail("\(what) is not UTF-8") }
        return text
    }

    /// A std::vector<std::array<int, 3>>: uint64 count, then count × int32[3].
    mutating func triangles(_ what: String) throws -> [SIMD3<Int32>] {
        let n = try count(UInt64.self, "\(what) count", bytesEach: 12)
        let flat = try array(Int32.self, count: 3 * n, what)
        return (0..<n).map { SIMD3(flat[3 * $0], flat[3 * $0 + 1], flat[3 * $0 + 2]) }
    }

    /// A cereal bool (one byte, 0 or 1).
    mutating func bool(_ what: String) throws -> Bool {
        let byte = try integer(UInt8.self, what)
        guard byte <= 1 else { throw fail("\(what) is \(byte); expected a bool (0 or 1)") }
        return byte == 1
    }

    /// eos's PcaModel: mean, orthonormal basis, eigenvalues, triangles; sizes checked to agree.
    mutating func pcaModel(_ what: String) throws -> PCAModel {
        let mean = try eigenVector("the \(what) mean")
        let basis = try eigenMatrix("the \(what) basis")
        let eigenvalues = try eigenVector("the \(what) eigenvalues")
        let triangles = try self.triangles("the \(what) triangles")
        guard basis.values.isEmpty && mean.isEmpty || basis.rows == mean.count else {
            throw fail("the \(what) basis has \(basis.rows) rows but the mean has \(mean.count); they must agree")
        }
        guard basis.cols == eigenvalues.count || basis.values.isEmpty && eigenvalues.isEmpty else {
            throw fail("the \(what) basis has \(basis.cols) columns but there are \(eigenvalues.count) eigenvalues")
        }
        if let k = eigenvalues.firstIndex(where: { $0 < 0 }) {
            throw fail("the \(what) eigenvalue \(k) is negative (\(eigenvalues[k]))")
        }
        return PCAModel(mean: mean, orthonormalBasis: basis.values, eigenvalues: eigenvalues, triangles: triangles)
    }

    /// A std::vector<Blendshape>: uint64 count, then per blendshape a name and a column vector,
    /// all of one length.
    mutating func blendshapes() throws -> [Blendshape] {
        let n = try count(UInt64.self, "the blendshape count", bytesEach: 16)
        var shapes: [Blendshape] = []
        for k in 0..<n {
            let name = try string("the name of blendshape \(k)")
            let deformation = try eigenVector("blendshape \(k) (\(name))")
            if let first = shapes.first, first.deformation.count != deformation.count {
                throw fail("blendshape \(k) (\(name)) has \(deformation.count) rows but blendshape 0 has \(first.deformation.count)")
            }
            shapes.append(Blendshape(name: name, deformation: deformation))
        }
        return shapes
    }
}
