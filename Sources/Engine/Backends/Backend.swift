// The small interface every backend implements: the CPU reference and OpenCL alike.

public protocol Backend: AnyObject {
    /// A short name for reports ("cpu", "opencl:0 (NVIDIA H100)").
    var name: String { get }
    /// Whether this is the CPU reference backend.
    var isReference: Bool { get }
    /// A new tensor of `type`; its contents are unspecified until written.
    func allocate(_ type: TensorType) throws -> Tensor
    /// Copies host values into `tensor` (same type). Counted for devices.
    func upload(_ host: HostTensor, into tensor: Tensor) throws
    /// Copies `tensor` to the host. Counted for devices.
    func download(_ tensor: Tensor) throws -> HostTensor
    /// Whether `run` can execute `op`.
    func supports(_ op: any Op) -> Bool
    /// Executes `op`; outputs may alias inputs only for ops that allow it (`Op.inPlace`).
    func run(_ op: any Op, inputs: [Tensor], outputs: [Tensor]) throws
    /// The byte alignment at which a tensor may start inside another's buffer (`region`); nil when
    /// the backend has no such views (the CPU reference).
    var regionAlignment: Int? { get }
    /// `type`'s elements of `tensor` from element `offset` on, in its buffer (no copy; `offset` in
    /// bytes a multiple of `regionAlignment`).
    func region(of tensor: Tensor, offset: Int, type: TensorType) throws -> Tensor
    /// Waits until all queued work is done.
    func synchronize() throws
    /// When set, each op run adds its time here (bench --kernels): OpenCL by kernel and global
    /// size (event profiling, each launch waited for), the CPU reference by op and output shape
    /// (wall clock).
    var profiledTimes: [String: KernelTime]? { get set }
}

public extension Backend {
    /// A new tensor holding `host`.
    func tensor(_ host: HostTensor) throws -> Tensor {
        let t = try allocate(host.type)
        try upload(host, into: t)
        return t
    }

    /// `profiledTimes`, largest first (none when not profiling).
    var costliestProfiled: [(kernel: String, time: KernelTime)] {
        (profiledTimes ?? [:]).map { ($0.key, $0.value) }.sorted { $0.time.nanoseconds > $1.time.nanoseconds }
    }
}

/// Launches of one kernel at one global size (or, on the CPU backend, runs of one op at one output
/// shape) and their summed time.
public struct KernelTime {
    public private(set) var launches = 0
    public private(set) var nanoseconds: UInt64 = 0

    mutating func add(_ duration: UInt64) {
        launches += 1
        nanoseconds += duration
    }
}
