// safetensors files: an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, then the data. Read memory-mapped; written atomically.
import Foundation

/// A safetensors file mapped read-only; tensors are copied out one at a time by name.
public final class SafetensorsFile {
    /// One tensor's header entry.
    public struct Entry: Sendable {
        public let name: String
        /// safetensors dtype name: F32, F16, BF16, F64, I32, I64, U8, …
        public let dtype: String
        public let shape: Shape
        /// Byte range within the data section.
        public let range: Range<Int>
    }

    /// Bytes per element of each dtype the format defines.
    static let elementSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "U16": 2, "I16": 2, "F16": 2, "BF16": 2,
        "U32": 4, "I32": 4, "F32": 4, "U64": 8, "I64": 8, "F64": 8,
    ]

    public let path: String
    /// The tensors in data order.
    public let entries: [Entry]
    /// The header's free-form `__metadata__` (string → string).
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataStart: Int

    /// Maps the file and checks its header: a JSON object within the file, every dtype known,
    /// every byte range matching its shape, the ranges covering the data with no overlap or hole.
    public init(_ path: String) throws {
        file = try MappedFile(path, what: "a safetensors file")
        self.path = path
        func bad(_ problem: String) -> EngineError { .badFile(path: path, problem: problem + " (expected a safetensors file)") }
        let bytes = file.bytes
        guard bytes.count >= 8 else { throw bad("the file is \(bytes.count) bytes, too short for the 8-byte header length") }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength >= 2, headerLength <= UInt64(bytes.count - 8) else {
            throw bad("the header length is \(headerLength) but the file has \(bytes.count - 8) bytes after it; truncated or not safetensors")
        }
        dataStart = 8 + Int(headerLength)
        let header = Data(bytes[8..<dataStart])
        guard let json = try? JSONSerialization.jsonObject(with: header), let object = json as? [String: Any] else {
            throw bad("the header is not a JSON object")
        }
        metadata = (object["__metadata__"] as? [String: String]) ?? [:]
        var entries: [Entry] = []
        for (name, value) in object where name != "__metadata__" {
            guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
                  let shapeList = fields["shape"] as? [NSNumber], let offsets = fields["data_offsets"] as? [NSNumber],
                  offsets.count == 2 else {
                throw bad("tensor '\(name)' lacks dtype, shape or data_offsets [begin, end]")
            }
            guard let size = Self.elementSizes[dtype] else { throw bad("tensor '\(name)' has unknown dtype '\(dtype)'") }
            let shape = shapeList.map(\.intValue), begin = offsets[0].intValue, end = offsets[1].intValue
            guard shape.allSatisfy({ $0 >= 0 }), begin >= 0, begin <= end, end <= bytes.count - dataStart else {
                throw bad("tensor '\(name)' has shape \(shape) and bytes \(begin)..<\(end), outside the "
                          + "\(bytes.count - dataStart) data bytes")
            }
            let byteCount = shape.reduce((size, false)) { sum, d in
                let (product, overflow) = sum.0.multipliedReportingOverflow(by: d)
                return (product, sum.1 || overflow)
            }
            guard !byteCount.1, end - begin == byteCount.0 else {
                throw bad("tensor '\(name)' is \(dtype)\(shape.shapeText), \(byteCount.1 ? "too many" : "\(byteCount.0)") bytes, "
                          + "but its data_offsets span \(end - begin)")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, range: begin..<end))
        }
        entries.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        var covered = 0
        for entry in entries {
            guard entry.range.lowerBound == covered else {
                throw bad("tensor '\(entry.name)' starts at data byte \(entry.range.lowerBound) but the previous one ends at "
                          + "\(covered) (an overlap or a hole)")
            }
            covered = entry.range.upperBound
        }
        guard covered == bytes.count - dataStart else {
            throw bad("the tensors cover \(covered) data bytes but the file has \(bytes.count - dataStart)")
        }
        self.entries = entries
    }

    /// The tensor `name` as a host tensor: F32, F16, BF16 and F64 as Float32 values; I32 and
    /// I64 (each within Int32) as Int32 indices.
    public func tensor(_ name: String) throws -> HostTensor {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw EngineError.badFile(path: path, problem: "has no tensor '\(name)'; it has \(entries.map(\.name).sorted())")
        }
        let raw = UnsafeRawBufferPointer(rebasing: file.bytes[dataStart + entry.range.lowerBound..<dataStart + entry.range.upperBound])
        func load<T>(_ type: T.Type) -> [T] { Self.elements(raw, type) }
        if let floats = Self.floats(raw, dtype: entry.dtype) { return HostTensor(entry.shape, floats) }
        switch entry.dtype {
        case "I32": return HostTensor(entry.shape, indices: load(Int32.self).map { Int32(littleEndian: $0) })
        case "I64":
            let wide = load(Int64.self).map { Int64(littleEndian: $0) }
            guard let bad = wide.first(where: { Int32(exactly: $0) == nil }) else {
                return HostTensor(entry.shape, indices: wide.map { Int32($0) })
            }
            throw EngineError.badFile(path: path, problem: "tensor '\(name)' (I64) holds \(bad), beyond Int32")
        default:
            throw EngineError.badFile(path: path, problem: "tensor '\(name)' is \(entry.dtype); readable dtypes are "
                                      + "F32, F16, BF16, F64, I32 and I64")
        }
    }

    /// The elements of type `T` in `raw`, unaligned, as stored.
    static func elements<T>(_ raw: UnsafeRawBufferPointer, _: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        return (0..<raw.count / size).map { raw.loadUnaligned(fromByteOffset: $0 * size, as: T.self) }
    }

    /// The little-endian elements in `raw` of a floating-point `dtype` (F32, F64, F16, BF16) as
    /// Float32; nil for other dtypes.
    static func floats(_ raw: UnsafeRawBufferPointer, dtype: String) -> [Float]? {
        func load<T>(_ type: T.Type) -> [T] { elements(raw, type) }
        switch dtype {
        case "F32": return load(UInt32.self).map { Float(bitPattern: UInt32(littleEndian: $0)) }
        case "F64": return load(UInt64.self).map { Float(Double(bitPattern: UInt64(littleEndian: $0))) }
        case "F16": return load(UInt16.self).map { Float(Float16(bitPattern: UInt16(littleEndian: $0))) }
        case "BF16":
            return load(UInt16.self).map { Float(bitPattern: UInt32(UInt16(littleEndian: $0)) << 16) }
        default: return nil
        }
    }

    /// Writes `tensors` (Float32 as F32, Int32 as I32) in the order given, with `metadata`,
    /// atomically. The header is padded with spaces so the data starts 8-byte aligned.
    public static func write(_ tensors: [(name: String, tensor: HostTensor)], metadata: [String: String] = [:],
                             to path: String) throws {
        guard Set(tensors.map(\.name)).count == tensors.count, !tensors.contains(where: { $0.name == "__metadata__" }) else {
            throw EngineError.badFile(path: path, problem: "cannot write: tensor names must be distinct and not __metadata__")
        }
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var body = ByteWriter(), offset = 0
        for (name, tensor) in tensors {
            let isFloat = tensor.dtype == .float32
            let bytes = 4 * tensor.shape.elementCount
            fields.append("\(jsonString(name)):{\"dtype\":\"\(isFloat ? "F32" : "I32")\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],"
                          + "\"data_offsets\":[\(offset),\(offset + bytes)]}")
            if isFloat { body.append(tensor.values) } else { for i in tensor.indices { body.append(i) } }
            offset += bytes
        }
        var header = "{" + fields.joined(separator: ",") + "}"
        header += String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        var out = ByteWriter()
        out.append(UInt64(header.utf8.count))
        out.append(text: header)
        out.data.append(body.data)
        try AtomicWrite.write(out.data, to: path)
    }

    /// `text` as a JSON string literal.
    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
