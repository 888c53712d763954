// A linear texture model: a mean UV map, an orthonormal basis and the variance along each basis
// map, made by PCA from example maps, read from and written to safetensors.
//
// File layout (safetensors, F32): `mean` [T, T, 3], `basis` [K, T, T, 3] (orthonormal: each basis map,
// flattened, has unit length; the largest-magnitude element of each is positive), `variances` [K]
// (descending; the sample variance, /(N − 1), of the examples along each basis map). Metadata:
// `format` = `ganfit-linear-texture`. A map is mean + Σ_k c_k·√variances_k·basis_k, c in standard
// deviations.
import Foundation

public struct LinearTextureModel {
    public static let format = "ganfit-linear-texture"

    /// T, the maps' side.
    public let side: Int
    /// mean [T·T·3], basis as columns [T·T·3, K], variances [K].
    public let pca: PCAModel

    public init(side: Int, pca: PCAModel) throws {
        guard side >= 1, pca.dimension == side * side * 3 else {
            throw EngineError.invalidValue(
                "a linear texture model of side \(side) needs \(side * side * 3) values per "
                    + "map; its mean has \(pca.dimension)")
        }
        (self.side, self.pca) = (side, pca)
    }

    /// The model of `maps` (each [T, T, 3]) by PCA: at most `components` basis maps (default and
    /// at most N − 1, fewer where the examples span less).
    public static func build(_ maps: [HostTensor], components: Int? = nil) throws -> LinearTextureModel {
        guard maps.count >= 2, let side = maps.first?.shape.first,
            maps.allSatisfy({ $0.shape == [side, side, 3] })
        else {
            throw EngineError.invalidValue(
                "a linear texture model needs at least 2 square RGB maps of one size; got "
                    + maps.map(\.shape.shapeText).joined(separator: ", "))
        }
        let n = maps.count
        let d = side * side * 3
        var mean = [Double](repeating: 0, count: d)
        for map in maps { for i in 0..<d { mean[i] += Double(map.values[i]) / Double(n) } }
        let centred = maps.map { map in (0..<d).map { Double(map.values[$0]) - mean[$0] } }
        // The examples' Gram matrix: its eigenvectors u give the basis maps Cᵀu/√λ.
        let gram = (0..<n).map { i in (0..<n).map { j in zip(centred[i], centred[j]).map(*).reduce(0, +) } }
        let (values, vectors) = symmetricEigen(gram)
        let order = values.indices.sorted { values[$0] > values[$1] }
        let largest = Swift.max(values[order[0]], .leastNonzeroMagnitude)
        let kept = order.prefix(Swift.min(components ?? n - 1, n - 1)).filter { values[$0] > 1e-10 * largest }
        var basis = [Float](repeating: 0, count: d * kept.count)
        for (k, e) in kept.enumerated() {
            var column = [Double](repeating: 0, count: d)
            for i in 0..<n { for t in 0..<d { column[t] += vectors[i][e] * centred[i][t] } }
            let norm = values[e].squareRoot()
            let sign: Double = column.max(by: { Swift.abs($0) < Swift.abs($1) })! < 0 ? -1 : 1
            for t in 0..<d { basis[t * kept.count + k] = Float(sign * column[t] / norm) }
        }
        let pca = PCAModel(
            mean: mean.map(Float.init), orthonormalBasis: basis,
            eigenvalues: kept.map { Float(values[$0] / Double(n - 1)) }, triangles: [])
        return try LinearTextureModel(side: side, pca: pca)
    }

    /// The model of the UV maps in `files` (PNG or JPEG, square, one size; RGB, alpha dropped).
    public static func build(files: [String], components: Int? = nil) throws -> LinearTextureModel {
        let maps = try files.map { path -> HostTensor in
            let image = try Image.read(path)
            guard image.width == image.height, image.channels >= 3 else {
                throw EngineError.badFile(
                    path: path,
                    problem: "is \(image.width)×\(image.height) with "
                        + "\(image.channels) channel(s); a UV map is square RGB")
            }
            let c = image.channels
            return HostTensor(
                [image.height, image.width, 3],
                (0..<image.height * image.width * 3).map {
                    image.pixels.values[$0 / 3 * c + $0 % 3]
                })
        }
        return try build(maps, components: components)
    }

    /// The coefficients (in standard deviations) of the map [T, T, 3] closest to `map`.
    public func coefficients(of map: HostTensor) -> [Float] {
        let k = pca.componentCount
        return (0..<k).map { c in
            var dot: Float = 0
            for t in 0..<pca.dimension {
                dot += pca.orthonormalBasis[t * k + c] * (map.values[t] - pca.mean[t])
            }
            return dot / Swift.max(pca.eigenvalues[c].squareRoot(), .leastNonzeroMagnitude)
        }
    }

    /// The map [T, T, 3] of `coefficients` (standard deviations): mean + basis·(√variances ∘ c).
    public func map(_ coefficients: [Float]) -> HostTensor {
        let k = pca.componentCount
        return HostTensor(
            [side, side, 3],
            (0..<pca.dimension).map { t in
                pca.mean[t] + (0..<k).map { pca.rescaledBasis[t * k + $0] * coefficients[$0] }.reduce(0, +)
            })
    }

    // MARK: Files

    public init(contentsOf path: String) throws {
        let expected =
            "a linear texture model: mean [T, T, 3], basis [K, T, T, 3], variances [K]; "
            + "`ganfit-gpu texture build` writes one"
        let file = try SafetensorsFile(path, format: Self.format, expected: expected)
        let (mean, basis, variances) = (
            try file.tensor("mean"), try file.tensor("basis"), try file.tensor("variances")
        )
        let side = mean.shape.first ?? 0
        let k = variances.shape.first ?? -1
        guard mean.shape == [side, side, 3], basis.shape == [k, side, side, 3], variances.shape == [k] else {
            throw file.problem(
                "it has mean \(mean.shape.shapeText), basis \(basis.shape.shapeText), variances "
                    + variances.shape.shapeText, expected: expected)
        }
        let d = side * side * 3
        let columns = (0..<d * k).map { basis.values[($0 % k) * d + $0 / k] }  // [K, D] → [D, K]
        try self.init(
            side: side,
            pca: PCAModel(
                mean: mean.values, orthonormalBasis: columns,
                eigenvalues: variances.values, triangles: []))
    }

    /// Writes the model as safetensors (atomically).
    public func write(to path: String) throws {
        let (d, k) = (pca.dimension, pca.componentCount)
        let rows = (0..<d * k).map { pca.orthonormalBasis[($0 % d) * k + $0 / d] }  // [D, K] → [K, D]
        try SafetensorsFile.write(
            [
                ("mean", HostTensor([side, side, 3], pca.mean)),
                ("basis", HostTensor([k, side, side, 3], rows)),
                ("variances", HostTensor([k], pca.eigenvalues)),
            ], metadata: ["format": Self.format], to: path)
    }
}
