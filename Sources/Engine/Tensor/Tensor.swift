// A tensor that lives on one backend; it moves only through explicit, counted transfers.

public final class Tensor {
    public let type: TensorType
    /// The backend that owns the storage.
    public let backend: any Backend
    /// Backend-specific storage (`CPUStorage` or `CLStorage`), shared by reshaped views.
    let storage: AnyObject

    init(type: TensorType, backend: any Backend, storage: AnyObject) {
        self.type = type
        self.backend = backend
        self.storage = storage
    }

    public var shape: Shape { type.shape }

    /// The same storage seen with another shape of the same element count (no copy).
    public func reshaped(_ shape: Shape) -> Tensor {
        precondition(shape.elementCount == type.count, "reshape \(type) to \(shape.shapeText)")
        return Tensor(type: TensorType(shape, type.dtype), backend: backend, storage: storage)
    }

    /// Copies the values to the host (counted when the backend is a device).
    public func toHost() throws -> HostTensor { try backend.download(self) }
}
