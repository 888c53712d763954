// The OpenCL backend: tensors in device buffers from a size-keyed pool, ops through their
// launchers. Optional sentinel guards after each buffer catch out-of-bounds writes (tests).

final class CLStorage {
    let buffer: CLBuffer
    weak var pool: BufferPool?
    /// For a region (a sub-buffer), the storage it lies in: held so that its buffer does not go
    /// back to the pool while the region is in use.
    let parent: CLStorage?

    init(buffer: CLBuffer, pool: BufferPool?, parent: CLStorage? = nil) {
        self.buffer = buffer
        self.pool = pool
        self.parent = parent
    }

    deinit { pool?.giveBack(buffer) }
}

/// Reuses released device buffers of the same byte size.
final class BufferPool {
    private var free: [Int: [CLBuffer]] = [:]
    private let runtime: CLRuntime

    init(runtime: CLRuntime) { self.runtime = runtime }

    func take(bytes: Int) throws -> CLBuffer {
        if let buffer = free[bytes]?.popLast() { return buffer }
        return try runtime.makeBuffer(bytes: bytes)
    }

    func giveBack(_ buffer: CLBuffer) { free[buffer.bytes, default: []].append(buffer) }
}

public final class OpenCLBackend: Backend {
    public let runtime: CLRuntime
    let pool: BufferPool
    public let isReference = false
    /// Elements of sentinel written after every new buffer (0 = none); see `sentinelIntact`.
    public let guardElements: Int
    static let sentinel = Float(bitPattern: 0x7FC0_DEAD)

    public init(device: OpenCLDeviceInfo, guardElements: Int = 0) throws {
        runtime = try CLRuntime(device: device)
        pool = BufferPool(runtime: runtime)
        self.guardElements = guardElements
        if device.isCPU { CPUParallel.shareCoresWithOpenCLCPU() }
    }

    public var name: String { "opencl:\(runtime.info.index) (\(runtime.info.name))" }

    public var profiledTimes: [String: KernelTime]? {
        get { runtime.profiledByKernel }
        set { runtime.profiledByKernel = newValue }
    }

    public func allocate(_ type: TensorType) throws -> Tensor {
        let bytes = type.bytes + guardElements * 4
        let buffer = try pool.take(bytes: bytes)
        if guardElements > 0 {
            let pattern = [Float](repeating: Self.sentinel, count: guardElements)
            try pattern.withUnsafeBytes { try runtime.write(buffer, from: $0.baseAddress!, bytes: $0.count, offset: type.bytes) }
        }
        return Tensor(type: type, backend: self, storage: CLStorage(buffer: buffer, pool: pool))
    }

    public var regionAlignment: Int? { runtime.info.baseAddressAlignment }

    public func region(of tensor: Tensor, offset: Int, type: TensorType) throws -> Tensor {
        guard let storage = tensor.storage as? CLStorage else {
            preconditionFailure("tensor of backend \(tensor.backend.name) used on an OpenCL backend")
        }
        precondition(offset >= 0 && offset + type.count <= tensor.type.count, "region outside \(tensor.type)")
        let buffer = try runtime.makeRegion(
            of: storage.buffer, offset: offset * type.dtype.byteSize, bytes: type.bytes)
        return Tensor(type: type, backend: self,
                      storage: CLStorage(buffer: buffer, pool: nil, parent: storage))
    }

    public func upload(_ host: HostTensor, into tensor: Tensor) throws {
        guard host.type.count == tensor.type.count, host.dtype == tensor.type.dtype else {
            throw EngineError.shapeMismatch(op: "upload", expected: tensor.type.description, got: host.type.description)
        }
        let buffer = Self.buffer(tensor)
        if host.dtype == .int32 {
            try host.indices.withUnsafeBytes { try runtime.write(buffer, from: $0.baseAddress!, bytes: tensor.type.bytes) }
        } else {
            try host.values.withUnsafeBytes { try runtime.write(buffer, from: $0.baseAddress!, bytes: tensor.type.bytes) }
        }
    }

    public func download(_ tensor: Tensor) throws -> HostTensor {
        let buffer = Self.buffer(tensor)
        if tensor.type.dtype == .int32 {
            var indices = [Int32](repeating: 0, count: tensor.type.count)
            try indices.withUnsafeMutableBytes { try runtime.read(buffer, into: $0.baseAddress!, bytes: tensor.type.bytes) }
            return HostTensor(tensor.shape, indices: indices)
        }
        var values = [Float](repeating: 0, count: tensor.type.count)
        try values.withUnsafeMutableBytes { try runtime.read(buffer, into: $0.baseAddress!, bytes: tensor.type.bytes) }
        return HostTensor(tensor.shape, values)
    }

    public func supports(_ op: any Op) -> Bool { op is any OpenCLOp }

    public func run(_ op: any Op, inputs: [Tensor], outputs: [Tensor]) throws {
        guard let launcher = op as? any OpenCLOp else {
            throw EngineError.unsupportedOp(op: op.name, backend: name)
        }
        try launcher.launch(self, inputs: inputs, outputs: outputs)
    }

    public func synchronize() throws { try runtime.finish() }

    /// Whether the guard region after `tensor`'s elements still holds the sentinel (a region has no
    /// guard of its own: the buffer it lies in has).
    public func sentinelIntact(_ tensor: Tensor) throws -> Bool {
        guard guardElements > 0, Self.buffer(tensor).parent == nil else { return true }
        var tail = [Float](repeating: 0, count: guardElements)
        try tail.withUnsafeMutableBytes {
            try runtime.read(Self.buffer(tensor), into: $0.baseAddress!, bytes: $0.count, offset: tensor.type.bytes)
        }
        return tail.allSatisfy { $0.bitPattern == Self.sentinel.bitPattern }
    }

    static func buffer(_ tensor: Tensor) -> CLBuffer {
        guard let s = tensor.storage as? CLStorage else {
            preconditionFailure("tensor of backend \(tensor.backend.name) used on an OpenCL backend")
        }
        return s.buffer
    }

    // MARK: Launch helpers for op launchers

    func kernel(_ name: String, file: String, prelude: String = "") throws -> CLKernel {
        try runtime.kernel(name, files: [file], prelude: prelude)
    }

    /// Enqueues kernel `name` of `file` with one work-item per item (a row, a triangle, a point):
    /// the tensors' buffers first, then `trailing`.
    func launchPerItem(
        _ name: String, file: String, items: Int, buffers: [Tensor], _ trailing: [KernelArgument]
    ) throws {
        let arguments = buffers.map { KernelArgument.buffer(Self.buffer($0)) } + trailing
        try runtime.launch(try kernel(name, file: file), global: [items], arguments)
    }
}
