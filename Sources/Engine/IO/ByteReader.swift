// Bounds-checked little-endian reads from a file's bytes: a short file is a badFile error
// naming what was being read, never a crash.
import Foundation

struct ByteReader {
    let data: Data
    let path: String
    /// What the file should be ("an eos model"), for messages.
    let format: String
    private(set) var offset = 0

    init(_ data: Data, path: String, format: String) {
        self.data = data
        self.path = path
        self.format = format
    }

    var remaining: Int { data.count - offset }
    var atEnd: Bool { remaining == 0 }

    func fail(_ problem: String) -> EngineError {
        EngineError.badFile(path: path, problem: problem + " (at byte \(offset); expected \(format))")
    }

    /// Throws unless `count` more bytes exist.
    func require(_ count: Int, _ what: String) throws {
        guard count >= 0, count <= remaining else {
            throw EngineError.badFile(path: path, problem: "the file ends early while reading \(what): needs \(count) "
                + "bytes at byte \(offset), \(remaining) left; the file is truncated or is not \(format)")
        }
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        try require(MemoryLayout<T>.size, what)
        let value = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    /// A count stored as `T`, checked to be ≥ 0 and to fit the remaining bytes at `bytesEach`.
    mutating func count<T: FixedWidthInteger>(_: T.Type, _ what: String, bytesEach: Int) throws -> Int {
        let raw = try integer(T.self, what)
        guard raw >= 0, let n = Int(exactly: raw), bytesEach == 0 || n <= remaining / bytesEach else {
            throw fail("\(what) is \(raw), more than the \(remaining) bytes left can hold; the file is corrupt")
        }
        return n
    }

    mutating func bytes(_ count: Int, _ what: String) throws -> Data {
        try require(count, what)
        defer { offset += count }
        return data.subdata(in: offset..<offset + count)
    }

    /// `count` little-endian values of a trivial type (Float, Double, Int32).
    mutating func array<T>(_: T.Type, count: Int, _ what: String) throws -> [T] {
        let bytes = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !bytes.overflow else { throw fail("\(what) has an impossible size \(count)") }
        try require(bytes.partialValue, what)
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[offset..<offset + bytes.partialValue])
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            }
            initialized = count
        }
        offset += bytes.partialValue
        return values
    }
}
