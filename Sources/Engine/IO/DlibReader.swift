// dlib's serialisation primitives (dlib/serialize.h): compact integers, float_details reals,
// strings, bools, matrices and tensors. Every dlib model file is a sequence of these; a short or
// altered file is a badFile error naming what was being read, never a crash.
import Foundation

struct DlibReader {
    private let bytes: [UInt8]
    let path: String
    /// What the file should be ("a dlib shape predictor"), for messages.
    let format: String
    private(set) var offset = 0

    init(path: String, format: String) throws {
        let data = try FileInput.read(path, what: format)
        self.init(bytes: [UInt8](data), path: path, format: format)
    }

    init(bytes: [UInt8], path: String, format: String) {
        self.bytes = bytes
        self.path = path
        self.format = format
    }

    var remaining: Int { bytes.count - offset }

    func fail(_ problem: String) -> EngineError {
        EngineError.badFile(
            path: path,
            problem: problem + " (at byte \(offset) of \(bytes.count); expected \(format);"
                + " the file is truncated, altered or of another kind)")
    }

    // MARK: - Integers: a control byte (size in the low 4 bits, 0x80 = negative), then that many bytes LE

    /// A signed compact integer (dlib's `int`, `long`, `long long`).
    mutating func int(_ what: String) throws -> Int64 {
        guard offset < bytes.count else { throw fail("the file ends before \(what)") }
        let control = bytes[offset]
        let size = Int(control & 0x0F)
        guard size >= 1, size <= 8, control & 0x70 == 0 else {
            throw fail("\(what) has an invalid integer control byte 0x\(String(control, radix: 16))")
        }
        guard offset + 1 + size <= bytes.count else { throw fail("the file ends inside \(what)") }
        var magnitude: UInt64 = 0
        for i in stride(from: size, through: 1, by: -1) {
            magnitude = magnitude << 8 | UInt64(bytes[offset + i])
        }
        offset += 1 + size
        guard magnitude <= UInt64(Int64.max) else { throw fail("\(what) overflows a 64-bit integer") }
        return control & 0x80 != 0 ? -Int64(magnitude) : Int64(magnitude)
    }

    /// An unsigned compact integer (dlib's `unsigned long`, `size_t`), as an Int.
    mutating func unsigned(_ what: String) throws -> Int {
        let value = try int(what)
        guard value >= 0, let result = Int(exactly: value) else {
            throw fail("\(what) is negative (\(value))")
        }
        return result
    }

    /// A count of things that each take at least `bytesEach` bytes: checked against what is left.
    mutating func count(_ what: String, bytesEach: Int = 1) throws -> Int {
        let n = try unsigned(what)
        guard n <= remaining / max(bytesEach, 1) else {
            throw fail("\(what) is \(n), more than the \(remaining) bytes left can hold")
        }
        return n
    }

    /// An integer that must equal one of `expected` (a version number).
    mutating func version(_ what: String, _ expected: ClosedRange<Int64>) throws -> Int64 {
        let v = try int(what)
        guard expected.contains(v) else { throw fail("\(what) is \(v), expected \(expected)") }
        return v
    }

    // MARK: - Reals: float_details, a mantissa and a 16-bit exponent, value = mantissa · 2^exponent

    mutating func real(_ what: String) throws -> Double {
        guard offset < bytes.count, bytes[offset] & 0x70 == 0 else {
            throw fail("\(what) is not in dlib's binary float format (the old ASCII format is not read)")
        }
        let mantissa = try int(what)
        let exponent = try int(what)
        switch exponent {
        case 32000: return .infinity
        case 32001: return -.infinity
        case 32002: return .nan
        case -32768...31999: return scalbn(Double(mantissa), Int(exponent))
        default: throw fail("\(what) has an invalid exponent \(exponent)")
        }
    }

    mutating func float(_ what: String) throws -> Float { Float(try real(what)) }

    // MARK: - Strings, bools, matrices, tensors

    mutating func string(_ what: String) throws -> String {
        let n = try count("the length of \(what)")
        let text = String(decoding: bytes[offset..<offset + n], as: UTF8.self)
        offset += n
        return text
    }

    /// dlib writes a bool as the character '0' or '1'.
    mutating func bool(_ what: String) throws -> Bool {
        guard offset < bytes.count else { throw fail("the file ends before \(what)") }
        defer { offset += 1 }
        switch bytes[offset] {
        case UInt8(ascii: "1"): return true
        case UInt8(ascii: "0"): return false
        default: throw fail("\(what) should be the character 0 or 1, found byte \(bytes[offset])")
        }
    }

    /// A `matrix<float>`: −rows, −cols (the current format writes them negated), then the values row-major.
    mutating func floatMatrix(_ what: String) throws -> (rows: Int, cols: Int, values: [Float]) {
        let rows = -(try int("the rows of \(what)"))
        let cols = -(try int("the columns of \(what)"))
        guard rows >= 0, cols >= 0, rows.multipliedReportingOverflow(by: cols).partialValue <= remaining / 2
        else {
            throw fail("\(what) has an impossible size \(rows)×\(cols)")
        }
        let values = try reals(count: Int(rows * cols), what)
        return (Int(rows), Int(cols), values)
    }

    /// `count` float_details values in a row, decoded in one pass over the bytes (the shape predictor
    /// holds millions); any value that is not a plain finite number goes through `real`.
    mutating func reals(count: Int, _ what: String) throws -> [Float] {
        var values = [Float](repeating: 0, count: count)
        var i = 0
        while i < count {
            let start = offset
            let (fast, end): (Int, Int) = bytes.withUnsafeBufferPointer { b in
                var at = start
                var done = 0
                while i + done < count {
                    guard let (mantissa, afterMantissa) = Self.compact(b, at),
                        let (exponent, after) = Self.compact(b, afterMantissa), exponent < 32000
                    else { break }
                    values[i + done] = Float(scalbn(Double(mantissa), Int(exponent)))
                    at = after
                    done += 1
                }
                return (done, at)
            }
            offset = end
            i += fast
            if i < count {
                values[i] = try float(what)
                i += 1
            }
        }
        return values
    }

    /// The compact integer at `at` and the offset after it, or nil when it is not a well-formed one in range.
    @inline(__always)
    private static func compact(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> (Int64, Int)? {
        guard at < b.count else { return nil }
        let control = b[at]
        let size = Int(control & 0x0F)
        guard size >= 1, size <= 7, control & 0x70 == 0, at + 1 + size <= b.count else { return nil }
        var magnitude: Int64 = 0
        var k = size
        while k >= 1 {
            magnitude = magnitude << 8 | Int64(b[at + k])
            k -= 1
        }  // not stride: slow in debug builds
        return (control & 0x80 != 0 ? -magnitude : magnitude, at + 1 + size)
    }

    /// A `resizable_tensor`: version 2, four dimensions (n, k, rows, cols), then raw Float32 LE.
    mutating func tensor(_ what: String) throws -> DlibTensor {
        _ = try version("the version of \(what)", 2...2)
        var dims: [Int] = []
        for axis in ["samples", "channels", "rows", "columns"] {
            dims.append(try unsigned("the \(axis) of \(what)"))
        }
        let (total, overflow) = dims.reduce((1, false)) { acc, d in
            let p = acc.0.multipliedReportingOverflow(by: d)
            return (p.partialValue, acc.1 || p.overflow)
        }
        guard !overflow, total <= remaining / 4 else { throw fail("\(what) has an impossible size \(dims)") }
        let values = [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[offset..<offset + total * 4])
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            }
            initialized = total
        }
        offset += total * 4
        return DlibTensor(dims: dims, values: values)  // little-endian IEEE floats, as every host Swift runs on
    }

    /// An `alias_tensor`: version 1 and the four dimensions of a view into a layer's parameters.
    mutating func aliasShape(_ what: String) throws -> [Int] {
        _ = try version("the version of \(what)", 1...1)
        return try (0..<4).map { _ in try unsigned("a dimension of \(what)") }
    }

    /// Throws unless the whole file was read.
    func requireEnd() throws {
        guard remaining == 0 else { throw fail("\(remaining) bytes follow the end of the model") }
    }
}

/// A dlib tensor: dimensions (samples, channels, rows, columns) and its values in that order.
struct DlibTensor {
    var dims: [Int]
    var values: [Float]

    /// The `count` values at `offset`, as an alias_tensor view selects them; a clear error when out of range.
    func slice(_ offset: Int, _ count: Int, _ what: String, reader: DlibReader) throws -> [Float] {
        guard offset >= 0, count >= 0, offset + count <= values.count else {
            throw reader.fail(
                "\(what) needs values \(offset)..<\(offset + count) of a \(values.count)-value tensor")
        }
        return Array(values[offset..<offset + count])
    }
}
