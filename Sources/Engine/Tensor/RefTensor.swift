// Host-side tensor values: what the CPU reference computes on (Float, or Double for gradient
// checks) and what uploads and downloads carry.
import Numerics

/// The scalar types the CPU reference runs in: Float (the CPU backend) and Double (gradient checks).
public protocol RefScalar: Real, BinaryFloatingPoint, Sendable, BitwiseCopyable {
    /// One single-threaded GEMM (see `GemmOperands`); `parallelGemm` spreads one over the workers.
    static func gemm(_ g: GemmOperands<Self>)
    /// The value rounded towards zero, as an Int (it must fit): `Int(x)` through the concrete type's
    /// own conversion (the generic one takes the float apart bit by bit: slow in a per-pixel loop).
    var integerPart: Int { get }
}

/// A tensor's values on the host. Float32 tensors keep `values`; Int32 tensors keep `indices`.
public struct RefTensor<T: RefScalar>: Equatable {
    public var shape: Shape
    public var dtype: DType
    public var values: [T]
    public var indices: [Int32]

    public init(_ shape: Shape, _ values: [T]) {
        precondition(values.count == shape.elementCount, "RefTensor: \(values.count) values for shape \(shape)")
        self.shape = shape
        self.dtype = .float32
        self.values = values
        self.indices = []
    }

    public init(_ shape: Shape, indices: [Int32]) {
        precondition(indices.count == shape.elementCount, "RefTensor: \(indices.count) indices for shape \(shape)")
        self.shape = shape
        self.dtype = .int32
        self.values = []
        self.indices = indices
    }

    public static func zeros(_ shape: Shape) -> RefTensor { RefTensor(shape, [T](repeating: 0, count: shape.elementCount)) }

    public var type: TensorType { TensorType(shape, dtype) }

    /// The same tensor in another scalar type (indices unchanged).
    public func converted<U: RefScalar>(to _: U.Type = U.self) -> RefTensor<U> {
        dtype == .int32 ? RefTensor<U>(shape, indices: indices) : RefTensor<U>(shape, values.map { U(Double($0)) })
    }
}

/// The host tensors uploads and downloads carry.
public typealias HostTensor = RefTensor<Float>
