// Errors a user can cause: bad shapes, unknown devices, ops a backend cannot run, bad files.

public enum EngineError: Error, CustomStringConvertible, Equatable {
    /// An op was given operands whose shapes or types do not fit: what it expected, what it got.
    case shapeMismatch(op: String, expected: String, got: String)
    /// `--device`/`GANFIT_DEVICE` named a device that does not exist.
    case unknownDevice(requested: String, available: [String])
    /// A backend was asked to run an op it has no implementation for.
    case unsupportedOp(op: String, backend: String)
    /// A value was used with a graph or program it does not belong to, or was never computed.
    case invalidValue(String)
    /// An OpenCL device or platform is required but none is present.
    case noOpenCLDevice(String)
    /// A file could not be read or written as the format it should be: missing, a folder,
    /// truncated, corrupt, or inconsistent. `problem` says what was expected and what to do.
    case badFile(path: String, problem: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, expected, got):
            return "\(op): expected \(expected), got \(got)"
        case let .unknownDevice(requested, available):
            let list = available.isEmpty ? "  (none)" : available.map { "  " + $0 }.joined(separator: "\n")
            return "unknown device '\(requested)'; use auto, cpu, opencl or opencl:N. Available:\n\(list)"
        case let .unsupportedOp(op, backend):
            return "the \(backend) backend has no implementation of op '\(op)'"
        case let .invalidValue(message):
            return message
        case let .noOpenCLDevice(message):
            return message
        case let .badFile(path, problem):
            return "\(path): \(problem)"
        }
    }
}
