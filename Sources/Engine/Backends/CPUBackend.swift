// The CPU reference backend: every op's plain-Swift reference in Float, OpenBLAS for GEMM.
import COpenBLAS
import Foundation
import Numerics

final class CPUStorage {
    var value: HostTensor

    init(_ value: HostTensor) { self.value = value }
}

public final class CPUBackend: Backend {
    /// The process's CPU backend.
    public static let shared = CPUBackend()

    public let name = "cpu"
    public let isReference = true

    private init() {
        CPUBackend.setBLASThreads(sharingWithOpenCLCPU: false)
    }

    /// OpenBLAS threads spin after each call and starve an OpenCL CPU device in the same
    /// process, so use one thread when one is active; else GANFIT_CPU_THREADS or all cores.
    public static func setBLASThreads(sharingWithOpenCLCPU: Bool) {
        let requested = ProcessInfo.processInfo.environment["GANFIT_CPU_THREADS"].flatMap(Int.init)
        let threads = sharingWithOpenCLCPU ? 1 : (requested ?? ProcessInfo.processInfo.activeProcessorCount)
        openblas_set_num_threads(Int32(max(1, threads)))
    }

    public func allocate(_ type: TensorType) throws -> Tensor {
        let value = type.dtype == .int32
            ? HostTensor(type.shape, indices: [Int32](repeating: 0, count: type.count))
            : HostTensor.zeros(type.shape)
        return Tensor(type: type, backend: self, storage: CPUStorage(value))
    }

    public func upload(_ host: HostTensor, into tensor: Tensor) throws {
        guard host.type.count == tensor.type.count, host.dtype == tensor.type.dtype else {
            throw EngineError.shapeMismatch(op: "upload", expected: tensor.type.description, got: host.type.description)
        }
        storage(tensor).value = host
    }

    public func download(_ tensor: Tensor) throws -> HostTensor {
        var value = storage(tensor).value
        value.shape = tensor.shape
        return value
    }

    public func supports(_ op: any Op) -> Bool { true }

    public func run(_ op: any Op, inputs: [Tensor], outputs: [Tensor]) throws {
        let values = try inputs.map(download)
        let results = try op.reference(values)
        for (result, output) in zip(results, outputs) { storage(output).value = result }
    }

    public func synchronize() throws {}

    private func storage(_ tensor: Tensor) -> CPUStorage {
        guard let s = tensor.storage as? CPUStorage else {
            preconditionFailure("tensor of backend \(tensor.backend.name) used on the CPU backend")
        }
        return s
    }
}

extension Float: RefScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, accumulate: Bool) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(transA ? m : k), b, Int32(transB ? k : n),
                    accumulate ? 1 : 0, c, Int32(n))
    }
}

extension Double: RefScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>, accumulate: Bool) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(transA ? m : k), b, Int32(transB ? k : n),
                    accumulate ? 1 : 0, c, Int32(n))
    }
}
