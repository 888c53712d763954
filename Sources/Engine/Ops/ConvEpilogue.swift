// What conv2d does to each output as it writes it, in the same pass:
//   y = activation(scale · (conv + bias) + residual)
// with activation none, relu or leaky relu. The graph's fusion pass (Graph/Fusion.swift) moves
// the bias, scale, residual add and activation that follow a convolution into it; its gradient
// recovers the activation's slope from the sign of y (so leaky slopes must be ≥ 0).

public struct ConvEpilogue: Hashable, Sendable, CustomStringConvertible {
    public enum Activation: Hashable, Sendable {
        case none, relu
        /// x > 0 ? x : slope·x, slope ≥ 0.
        case leakyRelu(slope: Float)
    }

    /// Multiplies conv + bias before the residual is added.
    public var scale: Float = 1
    /// Whether the op's last operand is a residual of the output's shape, added after the scale.
    public var residual = false
    public var activation: Activation = .none

    public init(scale: Float = 1, residual: Bool = false, activation: Activation = .none) {
        (self.scale, self.residual, self.activation) = (scale, residual, activation)
    }

    /// The epilogue of a plain convolution (with or without bias).
    public var isIdentity: Bool { self == ConvEpilogue() }

    /// The negative side's slope: 1 for none, 0 for relu.
    var slope: Float {
        switch activation {
        case .none: return 1
        case .relu: return 0
        case .leakyRelu(let slope): return slope
        }
    }

    public var description: String {
        var text = scale == 1 ? "" : "·\(scale)"
        if residual { text += "+residual" }
        switch activation {
        case .none: break
        case .relu: text += "+relu"
        case .leakyRelu(let slope): text += "+leaky(\(slope))"
        }
        return text
    }

    func validate(_ op: String) throws {
        guard slope >= 0, scale.isFinite else {
            throw EngineError.invalidValue(
                "\(op): an epilogue with a finite scale and a leaky slope ≥ 0, got \(self)")
        }
    }

    /// y[i] = activation(scale·(y[i] + bias) + residual[i]) over `count` elements (the CPU's pass).
    @inline(__always)
    func apply<T: RefScalar>(_ y: UnsafeMutablePointer<T>, count: Int, bias: T, residual: UnsafePointer<T>?) {
        let scale = T(Double(self.scale))
        let slope = T(Double(self.slope))
        let zero = T.zero
        // Each case its own loop, so that the compiler vectorises each; relu as Map's (exact zeros).
        switch (residual, activation) {
        case (let r?, .none): for i in 0..<count { y[i] = scale * (y[i] + bias) + r[i] }
        case (let r?, .relu):
            for i in 0..<count {
                let v = scale * (y[i] + bias) + r[i]
                y[i] = v > zero ? v : zero
            }
        case (let r?, .leakyRelu):
            for i in 0..<count {
                let v = scale * (y[i] + bias) + r[i]
                y[i] = v > zero ? v : slope * v
            }
        case (nil, .none): for i in 0..<count { y[i] = scale * (y[i] + bias) }
        case (nil, .relu):
            for i in 0..<count {
                let v = scale * (y[i] + bias)
                y[i] = v > zero ? v : zero
            }
        case (nil, .leakyRelu):
            for i in 0..<count {
                let v = scale * (y[i] + bias)
                y[i] = v > zero ? v : slope * v
            }
        }
    }

    /// The gradient of the activation's input from y and dy (dy itself for none): one pass.
    func activationGradient(_ g: Graph, output y: Value, outputGrad dy: Value) throws -> Value {
        switch activation {
        case .none: return dy
        case .relu: return try g.apply(Map(.reluGrad), y, y, dy)
        case .leakyRelu(let slope): return try g.apply(Map(.leakyGrad, slope), y, y, dy)
        }
    }
}
