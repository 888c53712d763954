// The scalar functions of the elementwise map: their arity, CPU reference, and the MAP_*
// codes the OpenCL kernel switches on (generated from this enum, so the two cannot drift).

public enum MapFunction: Int32, CaseIterable, Sendable {
    // unary: a
    case copy, neg, abs, exp, log, sqrt, rsqrt, square, pow, clamp, relu, leakyRelu, tanh, sigmoid, scale
    // binary: a, b
    case add, sub, mul, div, prelu, equal, greater
    // ternary: a, b, c
    case select
    // gradient functions: a = x, b = forward output or second operand, c = dy
    case absGrad, sqrtGrad, rsqrtGrad, powGrad, clampGrad, reluGrad, leakyGrad, tanhGrad, sigmoidGrad
    case preluGradX, preluGradA

    public var arity: Int {
        switch self {
        case .copy, .neg, .abs, .exp, .log, .sqrt, .rsqrt, .square, .pow, .clamp, .relu, .leakyRelu,
             .tanh, .sigmoid, .scale: return 1
        case .add, .sub, .mul, .div, .prelu, .equal, .greater: return 2
        default: return 3
        }
    }

    /// Floating-point operations per element for benchmarks (transcendental functions count 8).
    var flopsPerElement: Double { [.exp, .log, .tanh, .sigmoid, .pow, .powGrad].contains(self) ? 8 : 1 }

    /// The kernel's name for the code: leakyRelu → MAP_LEAKY_RELU.
    var macroName: String {
        var name = "MAP_"
        for ch in String(describing: self) {
            if ch.isUppercase { name += "_" }
            name += ch.uppercased()
        }
        return name
    }

    /// `#define MAP_… n` lines for every function, prepended to elementwise.cl.
    static let kernelDefines: String = allCases.map { "#define \($0.macroName) \($0.rawValue)" }
        .joined(separator: "\n") + "\n"

    /// The CPU reference of the function.
    @inline(__always)
    func apply<T: RefScalar>(_ a: T, _ b: T, _ c: T, _ p0: T, _ p1: T) -> T {
        switch self {
        case .copy: return a
        case .neg: return -a
        case .abs: return Swift.abs(a)
        case .exp: return T.exp(a)
        case .log: return T.log(a)
        case .sqrt: return a.squareRoot()
        case .rsqrt: return 1 / a.squareRoot()
        case .square: return a * a
        case .pow: return power(a, p0)
        case .clamp: return T.minimum(T.maximum(a, p0), p1)
        case .relu: return a > 0 ? a : 0
        case .leakyRelu: return a > 0 ? a : p0 * a
        case .tanh: return T.tanh(a)
        case .sigmoid: return 1 / (1 + T.exp(-a))
        case .scale: return a * p0 + p1
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .prelu: return a > 0 ? a : b * a
        case .equal: return a == b ? 1 : 0
        case .greater: return a > b ? 1 : 0
        case .select: return a > 0 ? b : c
        case .absGrad: return a > 0 ? c : (a < 0 ? -c : 0)
        case .sqrtGrad: return c * (1 / 2) / b
        case .rsqrtGrad: return c * (-1 / 2) * b * b * b
        case .powGrad: return c * p0 * power(a, p0 - 1)
        case .clampGrad: return a >= p0 && a <= p1 ? c : 0
        case .reluGrad: return a > 0 ? c : 0
        case .leakyGrad: return a > 0 ? c : p0 * c
        case .tanhGrad: return c * (1 - b * b)
        case .sigmoidGrad: return c * b * (1 - b)
        case .preluGradX: return a > 0 ? c : b * c
        case .preluGradA: return a > 0 ? 0 : a * c
        }
    }

    /// a^p as OpenCL's pow computes it: integral exponents are defined for negative bases.
    @inline(__always)
    private func power<T: RefScalar>(_ a: T, _ p: T) -> T {
        p == p.rounded() && Swift.abs(p) < T(1 << 20) ? T.pow(a, Int(p)) : T.pow(a, p)
    }
}
