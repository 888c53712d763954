// Pooling, resizing, affine warp and norms: known values of their conventions, the max-pool
// tie rule on both backends, batch-norm folding, and bad input named as shape mismatches.
@testable import Engine
import XCTest

final class NNOpTests: XCTestCase {
    /// Runs `build` on x (and an output seed dy when given, returning dx too) on `backend`.
    private func run(_ backend: any Backend, x: HostTensor, dy: HostTensor? = nil,
                     _ build: (Graph, Value) throws -> Value) throws -> [[Float]] {
        let g = Graph()
        let input = g.input("x", x.shape)
        let y = try build(g, input)
        var outputs = [y]
        if let dy { outputs += try g.gradients(of: [(y, g.input("dy", dy.shape))], wrt: [input]) }
        let program = try Program(graph: g, outputs: outputs, device: backend)
        try program.set("x", x)
        if let dy { try program.set("dy", dy) }
        try program.run()
        return try outputs.map { try program.read($0).values }
    }

    /// Both backends (the CPU reference, then OpenCL) agree exactly and give `expected`.
    private func assertBothBackends(x: HostTensor, dy: HostTensor? = nil, expected: [[Float]],
                                    file: StaticString = #filePath, line: UInt = #line,
                                    _ build: (Graph, Value) throws -> Value) throws {
        let onCPU = try run(CPUBackend.shared, x: x, dy: dy, build)
        let onDevice = try run(try TestDevice.openCL(), x: x, dy: dy, build)
        for (k, values) in expected.enumerated() {
            assertClose(onCPU[k], values, atol: 1e-6, rtol: 1e-6, file: file, line: line)
            assertClose(onDevice[k], values, atol: 1e-6, rtol: 1e-6, file: file, line: line)
        }
    }

    func testMaxPoolTiesRouteTheGradientToTheFirstMaximumOnBothBackends() throws {
        // All values equal: every 2×2 window's first maximum is its top-left tap.
        try assertBothBackends(x: HostTensor([1, 1, 3, 3], [Float](repeating: 1, count: 9)),
                               dy: HostTensor([1, 1, 2, 2], [1, 2, 3, 4]),
                               expected: [[1, 1, 1, 1], [1, 2, 0, 3, 4, 0, 0, 0, 0]]) { g, x in
            try g.maxPool2d(x, kernel: (2, 2))
        }
    }

    func testAveragePoolSAMEExcludesPaddingFromTheDivisor() throws {
        // 3×3 SAME on a 2×2 image: every window holds all four pixels (TF: mean 2.5, not 10/9).
        try assertBothBackends(x: HostTensor([1, 1, 2, 2], [1, 2, 3, 4]), expected: [[2.5, 2.5, 2.5, 2.5]]) { g, x in
            try g.avgPool2d(x, kernel: (3, 3), .same(input: (2, 2), kernel: (3, 3)))
        }
    }

    func testBilinearAlignCornersTrueAndFalseKnownValues() throws {
        let x = HostTensor([1, 1, 1, 2], [0, 1])
        try assertBothBackends(x: x, expected: [[0, 1.0 / 3, 2.0 / 3, 1]]) { g, x in
            try g.resizeBilinear(x, height: 1, width: 4, alignCorners: true)
        }
        // Half-pixel centres (PyTorch align_corners=False): src = max(0, (o + ½)/2 − ½).
        try assertBothBackends(x: x, expected: [[0, 0.25, 0.75, 1]]) { g, x in
            try g.resizeBilinear(x, height: 1, width: 4, alignCorners: false)
        }
    }

    func testAffineWarpPixelCentresAndZeroPadding() throws {
        let image = HostTensor([1, 1, 2, 3], [1, 2, 3, 4, 5, 6])
        func warp(_ theta: [Float], width: Int) -> (Graph, Value) throws -> Value {
            { g, x in try g.affineWarp(x, theta: g.constant(HostTensor([1, 2, 3], theta)), height: 2, width: width) }
        }
        try assertBothBackends(x: image, expected: [image.values], warp([1, 0, 0, 0, 1, 0], width: 3))
        // Half a pixel right: neighbours averaged; the last column reads half zero padding.
        try assertBothBackends(x: image, expected: [[1.5, 2.5, 1.5, 4.5, 5.5, 3]], warp([1, 0, 0.5, 0, 1, 0], width: 3))
        // Transposed axes (x ← y, y ← x): a 3×2 output is the image's transpose.
        try assertBothBackends(x: image, expected: [[1, 4, 2, 5, 3, 6]]) { g, x in
            try g.affineWarp(x, theta: g.constant(HostTensor([1, 2, 3], [0, 1, 0, 1, 0, 0])), height: 3, width: 2)
        }
    }

    func testFrozenAndFoldedBatchNormEqualConvThenBatchNorm() throws {
        var rng = SplitMix64(seed: "fold")
        func random(_ shape: Shape, _ range: ClosedRange<Float> = -1...1) -> HostTensor {
            InputSpec.float(shape, range).generate(&rng)
        }
        let x = random([2, 3, 6, 5]), weight = random([4, 3, 3, 3]), bias = random([4])
        let bn = try BatchNormParameters(gamma: random([4], 0.5...1.5).values, beta: random([4]).values,
                                         mean: random([4]).values, variance: random([4], 0.2...2).values, epsilon: 1e-3)
        let window = Window(padding: (1, 1, 1, 1))
        for convBias in [bias, nil] {
            let g = Graph()
            let input = g.input("x", x.shape), w = g.constant(weight)
            let conv = try g.conv2d(input, w, bias: convBias.map(g.constant), window)
            let c = { (values: [Float]) in g.constant(HostTensor([4], values)) }
            let reference = try g.batchNorm(conv, gamma: c(bn.gamma), beta: c(bn.beta), mean: c(bn.mean),
                                            variance: c(bn.variance), epsilon: bn.epsilon)
            let frozen = try g.batchNorm(conv, bn)
            let folded = try bn.fold(weight: weight, bias: convBias)
            let fused = try g.conv2d(input, g.constant(folded.weight), bias: g.constant(folded.bias), window)
            let values = try g.evaluate([reference, frozen, fused], feeds: ["x": x])
            assertClose(values[1].values, values[0].values, atol: 1e-5, rtol: 1e-5)
            assertClose(values[2].values, values[0].values, atol: 1e-5, rtol: 1e-5)
        }
        XCTAssertEqual(Normalization.equalizedScale(weightShape: [8, 2, 3, 3]), (2 / Float(18)).squareRoot())
    }

    func testBadInputIsAShapeMismatchNamingTheOp() throws {
        let g = Graph()
        let image = g.input("image", [1, 3, 4, 5])
        func expectMismatch(_ op: String, _ mentions: String, line: UInt = #line, _ build: () throws -> Any) {
            XCTAssertThrowsError(try build(), line: line) { error in
                guard case let .shapeMismatch(name, expected, got)? = error as? EngineError else {
                    return XCTFail("not a shape mismatch: \(error)", line: line)
                }
                XCTAssertTrue(name.hasPrefix(op), "op \(name) is not \(op)", line: line)
                XCTAssertTrue((expected + " " + got).contains(mentions), "\(error) does not mention \(mentions)", line: line)
            }
        }
        expectMismatch("pool2d", "[2, 3]") { try g.maxPool2d(g.input("flat", [2, 3]), kernel: (2, 2)) }
        expectMismatch("pool2d", "fits") { try g.avgPool2d(image, kernel: (5, 5), .valid()) }
        expectMismatch("pool2d", "stride") { try g.maxPool2d(image, kernel: (2, 2), Window(stride: (0, 1))) }
        expectMismatch("pool2d_grad", "dy [1, 3, 2, 2]") {
            try g.apply(Pool2dGrad(pool: Pool2d(.average, kernel: (2, 2), .valid(stride: (2, 2))), inputShape: [1, 3, 4, 5]), image)
        }
        expectMismatch("resize", "×0×2") { try g.upsampleNearest(image, factors: (0, 2)) }
        expectMismatch("resize", "bilinear,0×7") { try g.resizeBilinear(image, height: 0, width: 7, alignCorners: false) }
        expectMismatch("affine_warp", "theta [2, 2, 3]") {
            try g.affineWarp(image, theta: g.input("theta", [2, 2, 3]), height: 4, width: 4)
        }
        expectMismatch("batch_norm", "[4]") {
            let c = g.input("c", [3]), wrong = g.input("wrong", [4])
            return try g.batchNorm(image, gamma: c, beta: wrong, mean: c, variance: c, epsilon: 1e-3)
        }
        expectMismatch("batch_norm", "lengths 3, 3, 2, 3") {
            try BatchNormParameters(gamma: [1, 1, 1], beta: [0, 0, 0], mean: [0, 0], variance: [1, 1, 1], epsilon: 1e-3)
        }
        expectMismatch("fold_batch_norm", "weight [2, 3, 1, 1]") {
            try BatchNormParameters(gamma: [1, 1, 1], beta: [0, 0, 0], mean: [0, 0, 0], variance: [1, 1, 1], epsilon: 1e-3)
                .fold(weight: HostTensor([2, 3, 1, 1], [Float](repeating: 1, count: 6)), bias: nil)
        }
        expectMismatch("pixel_norm", "[5]") { try g.pixelNorm(g.input("vector", [5])) }
        // The renderer's one-pass ops.
        expectMismatch("triangle_normals", "[3F, 3]") {
            try g.apply(TriangleNormals(), g.input("corners", [4, 3]))
        }
        expectMismatch("triangle_normals_grad", "dy") {
            try g.apply(TriangleNormalsGrad(), g.input("c6", [6, 3]), g.input("dy3", [3, 3]))
        }
        expectMismatch("sh_basis", "[P, 3]") { try g.apply(SphericalHarmonicsBasis(), g.input("n2", [5, 2])) }
        expectMismatch("sh_basis_grad", "dY") {
            try g.apply(SphericalHarmonicsBasisGrad(), g.input("n3", [5, 3]), g.input("dY3", [5, 3]))
        }
        expectMismatch("l2_normalize_rows", "at least one") {
            try g.apply(L2NormalizeRows(epsilon: 1e-10), g.input("empty rows", [3, 0]))
        }
        expectMismatch("l2_normalize_rows_grad", "dy") {
            let forward = L2NormalizeRows(epsilon: 1e-10)
            return try g.apply(L2NormalizeRowsGrad(forward: forward), image, g.input("dy2", [2]))
        }
    }

    func testAScaledGradientReadIsOnlyForTheInputGradient() {
        let g = Graph()
        let dy = g.input("dy", [1, 2, 4, 4]), x = g.input("x", [1, 3, 4, 4])
        let weightGrad = Conv2dGrad(wrt: .weight, window: Window(), shape: [2, 3, 1, 1], dyScale: 0.5)
        XCTAssertThrowsError(try g.apply(weightGrad, dy, x))
        let infinite = Conv2dGrad(wrt: .input, window: Window(), shape: [1, 3, 4, 4], dyScale: .infinity)
        XCTAssertThrowsError(try g.apply(infinite, dy, g.input("w", [2, 3, 1, 1])))
    }
}
