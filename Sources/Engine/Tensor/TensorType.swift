// Element types and the (shape, dtype) pair every graph value carries.

public enum DType: String, Sendable {
    case float32, int32

    public var byteSize: Int { 4 }
}

public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    public var shape: Shape
    public var dtype: DType

    public init(_ shape: Shape, _ dtype: DType = .float32) {
        self.shape = shape
        self.dtype = dtype
    }

    public var count: Int { shape.elementCount }
    public var bytes: Int { count * dtype.byteSize }
    public var description: String { "\(dtype)\(shape.shapeText)" }
}
