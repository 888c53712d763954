// The CPU reference backend: every op's plain-Swift reference in Float; GEMM in BroadcastGemm.swift.
import COpenBLAS
import Foundation
import Numerics

final class CPUStorage {
    let type: TensorType
    /// Nil until first written: most tensors are written by their op before any read, and
    /// zero-filling them first cost a single-threaded pass (page faults) over every buffer.
    private var written: HostTensor?

    init(_ type: TensorType) { self.type = type }

    /// The tensor's value (zeros until written).
    var value: HostTensor {
        get {
            if let written { return written }
            guard type.dtype == .int32 else { return HostTensor.zeros(type.shape) }
            return HostTensor(type.shape, indices: [Int32](repeating: 0, count: type.count))
        }
        set { written = newValue }
    }
}

public final class CPUBackend: Backend {
    /// The process's CPU backend.
    public static let shared = CPUBackend()

    public let name = "cpu"
    public let isReference = true
    /// By op and output shape, wall clock (see Backend.profiledTimes).
    public var profiledTimes: [String: KernelTime]?

    private init() {}

    public func allocate(_ type: TensorType) throws -> Tensor {
        Tensor(type: type, backend: self, storage: CPUStorage(type))
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
        let start = profiledTimes == nil ? 0 : DispatchTime.now().uptimeNanoseconds
        let values = try inputs.map(download)
        let results = try op.reference(values)
        for (result, output) in zip(results, outputs) { storage(output).value = result }
        if profiledTimes != nil {
            let key = "\(op.name) \(outputs.first?.shape ?? [])"
            profiledTimes![key, default: KernelTime()].add(DispatchTime.now().uptimeNanoseconds - start)
        }
    }

    public let regionAlignment: Int? = nil

    public func region(of tensor: Tensor, offset: Int, type: TensorType) throws -> Tensor {
        throw EngineError.unsupportedOp(op: "region of \(tensor.type)", backend: name)
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
    public var integerPart: Int { Int(self) }

    public static func gemm(_ g: GemmOperands<Float>) { BroadcastGemm.gemm(g) }
}

extension Double: RefScalar {
    public var integerPart: Int { Int(self) }

    public static func gemm(_ g: GemmOperands<Double>) {
        cblas_dgemm(CblasRowMajor, g.transA ? CblasTrans : CblasNoTrans, g.transB ? CblasTrans : CblasNoTrans,
                    Int32(g.m), Int32(g.n), Int32(g.k), 1, g.a, Int32(g.lda), g.b, Int32(g.ldb),
                    g.accumulate ? 1 : 0, g.c, Int32(g.ldc))
    }
}
