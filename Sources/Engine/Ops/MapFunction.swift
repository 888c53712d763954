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

    /// The CPU reference of the function (per element; maps run it through the loop below).
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

    /// y[j] = apply(a[j·da], b[j·db], c[j·dc], p0, p1) for j in 0..<n. The switch is outside the
    /// loop: each case's loop is compiled with its function inlined (and vectorised where every step
    /// is 1), where a switch per element cost about 1.3 ns, most of a map's time.
    @inline(__always)
    func apply<T: RefScalar>(count n: Int, _ a: UnsafePointer<T>, _ da: Int, _ b: UnsafePointer<T>, _ db: Int,
                             _ c: UnsafePointer<T>, _ dc: Int, _ p0: T, _ p1: T,
                             into y: UnsafeMutablePointer<T>) {
        @inline(__always) func loop(_ f: MapFunction) {
            if da == 1, db == 1, dc == 1 {
                for j in 0..<n { y[j] = f.apply(a[j], b[j], c[j], p0, p1) }
                return
            }
            var (ia, ib, ic) = (0, 0, 0)
            for j in 0..<n {
                y[j] = f.apply(a[ia], b[ib], c[ic], p0, p1)
                (ia, ib, ic) = (ia + da, ib + db, ic + dc)
            }
        }
        switch self {
        case .copy: loop(.copy)
        case .neg: loop(.neg)
        case .abs: loop(.abs)
        case .exp: loop(.exp)
        case .log: loop(.log)
        case .sqrt: loop(.sqrt)
        case .rsqrt: loop(.rsqrt)
        case .square: loop(.square)
        case .pow: loop(.pow)
        case .clamp: loop(.clamp)
        case .relu: loop(.relu)
        case .leakyRelu: loop(.leakyRelu)
        case .tanh: loop(.tanh)
        case .sigmoid: loop(.sigmoid)
        case .scale: loop(.scale)
        case .add: loop(.add)
        case .sub: loop(.sub)
        case .mul: loop(.mul)
        case .div: loop(.div)
        case .prelu: loop(.prelu)
        case .equal: loop(.equal)
        case .greater: loop(.greater)
        case .select: loop(.select)
        case .absGrad: loop(.absGrad)
        case .sqrtGrad: loop(.sqrtGrad)
        case .rsqrtGrad: loop(.rsqrtGrad)
        case .powGrad: loop(.powGrad)
        case .clampGrad: loop(.clampGrad)
        case .reluGrad: loop(.reluGrad)
        case .leakyGrad: loop(.leakyGrad)
        case .tanhGrad: loop(.tanhGrad)
        case .sigmoidGrad: loop(.sigmoidGrad)
        case .preluGradX: loop(.preluGradX)
        case .preluGradA: loop(.preluGradA)
        }
    }

    /// a^p as OpenCL's pow computes it: integral exponents are defined for negative bases.
    @inline(__always)
    private func power<T: RefScalar>(_ a: T, _ p: T) -> T {
        p == p.rounded() && Swift.abs(p) < T(1 << 20) ? T.pow(a, Int(p)) : T.pow(a, p)
    }
}
