// The Protocol Buffers wire format, written: fields appended in order, nested messages built in
// place. GraphDefInt8 copies most of a GraphDef field by field and re-encodes its large constants.
import Foundation

struct ProtobufWriter {
    private(set) var data = Data()

    /// A field as read by ProtobufReader, re-encoded unchanged.
    mutating func field(_ field: ProtobufField) {
        switch field.value {
        case .varint(let value): varint(field.number, value)
        case .fixed64(let value):
            key(field.number, wireType: 1)
            withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
        case .bytes(let bytes): self.bytes(field.number, bytes)
        case .fixed32(let value):
            key(field.number, wireType: 5)
            withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
        }
    }

    mutating func varint(_ number: Int, _ value: UInt64) {
        key(number, wireType: 0)
        raw(varint: value)
    }

    mutating func bytes(_ number: Int, _ bytes: some Collection<UInt8>) {
        key(number, wireType: 2)
        raw(varint: UInt64(bytes.count))
        data.append(contentsOf: bytes)
    }

    mutating func string(_ number: Int, _ text: String) { bytes(number, Array(text.utf8)) }

    /// A repeated float field, packed.
    mutating func packedFloats(_ number: Int, _ values: [Float]) {
        var run = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { run.append(contentsOf: $0) } }
        bytes(number, run)
    }

    /// A nested message whose fields `body` writes.
    mutating func message(_ number: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        bytes(number, nested.data)
    }

    private mutating func key(_ number: Int, wireType: UInt64) { raw(varint: UInt64(number) << 3 | wireType) }

    private mutating func raw(varint value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            data.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        data.append(UInt8(rest))
    }
}
