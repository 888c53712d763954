// The Protocol Buffers wire format: varints, fixed 32/64-bit and length-delimited fields, enough
// to read TensorFlow's GraphDef without TensorFlow. Every read is bounds-checked; a field's
// bytes are views into the (memory-mapped) file, not copies.

struct ProtobufField {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes(UnsafeRawBufferPointer)
        case fixed32(UInt32)
    }

    let number: Int
    let value: Value
}

/// Reads the fields of one message; `path` and `what` name the file and the message in errors.
struct ProtobufReader {
    let path: String
    let what: String

    func fields(of message: UnsafeRawBufferPointer) throws -> [ProtobufField] {
        var fields: [ProtobufField] = []
        var offset = 0
        while offset < message.count {
            let key = try varint(message, &offset)
            let number = Int(key >> 3)
            guard number > 0 else { throw corrupt("field number 0", offset) }
            switch key & 7 {
            case 0:
                fields.append(ProtobufField(number: number, value: .varint(try varint(message, &offset))))
            case 1:
                try require(8, message, offset)
                fields.append(ProtobufField(number: number, value: .fixed64(message.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)))
                offset += 8
            case 2:
                let length = try varint(message, &offset)
                guard length <= UInt64(message.count - offset) else { throw corrupt("a field of \(length) bytes", offset) }
                let end = offset + Int(length)
                fields.append(ProtobufField(number: number, value: .bytes(UnsafeRawBufferPointer(rebasing: message[offset..<end]))))
                offset = end
            case 5:
                try require(4, message, offset)
                fields.append(ProtobufField(number: number, value: .fixed32(message.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)))
                offset += 4
            default:
                throw corrupt("wire type \(key & 7) (field \(number)), which this reader does not know", offset)
            }
        }
        return fields
    }

    private func varint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            guard offset < bytes.count else { throw corrupt("a varint cut short", offset) }
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte < 0x80 { return value }
        }
        throw corrupt("a varint longer than 10 bytes", offset)
    }

    private func require(_ count: Int, _ bytes: UnsafeRawBufferPointer, _ offset: Int) throws {
        guard bytes.count - offset >= count else { throw corrupt("a \(count)-byte field cut short", offset) }
    }

    private func corrupt(_ problem: String, _ offset: Int) -> EngineError {
        invalid("\(problem) at byte \(offset) of a message; the file is truncated or corrupt")
    }

    /// A message that is well-formed on the wire but wrong in content.
    func invalid(_ problem: String) -> EngineError {
        EngineError.badFile(path: path, problem: "is not a valid \(what): \(problem)")
    }

    // MARK: Typed views of a field's value

    func string(_ field: ProtobufField) throws -> String {
        String(decoding: try bytes(field), as: UTF8.self)
    }

    func bytes(_ field: ProtobufField) throws -> UnsafeRawBufferPointer {
        guard case .bytes(let bytes) = field.value else { throw mismatch(field, "length-delimited") }
        return bytes
    }

    func integer(_ field: ProtobufField) throws -> Int {
        guard case .varint(let raw) = field.value else { throw mismatch(field, "varint") }
        return Int(truncatingIfNeeded: raw)  // int64 and int32 fields: two's complement in 64 bits
    }

    func float(_ field: ProtobufField) throws -> Float {
        guard case .fixed32(let raw) = field.value else { throw mismatch(field, "32-bit") }
        return Float(bitPattern: raw)
    }

    /// A repeated integer field, packed (one length-delimited run) or not.
    func integers(_ field: ProtobufField) throws -> [Int] {
        guard case .bytes(let run) = field.value else { return [try integer(field)] }
        var values: [Int] = [], offset = 0
        while offset < run.count { values.append(Int(truncatingIfNeeded: try varint(run, &offset))) }
        return values
    }

    /// A repeated float field, packed or not.
    func floats(_ field: ProtobufField) throws -> [Float] {
        guard case .bytes(let run) = field.value else { return [try float(field)] }
        guard run.count % 4 == 0 else { throw invalid("a packed float run of \(run.count) bytes, not a multiple of 4") }
        return (0..<run.count / 4).map { Float(bitPattern: run.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self).littleEndian) }
    }

    private func mismatch(_ field: ProtobufField, _ expected: String) -> EngineError {
        invalid("field \(field.number) should be \(expected); the file is corrupt or of another format")
    }
}
