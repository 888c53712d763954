// A frozen GraphDef with its large float32 constants stored as int8, one float32 scale per output
// channel (the last axis: HWIO convolution kernels, [in, out] matrices), about 4× smaller, so
// FaceNet fits beside the GPU bundle (a GPU machine takes 64 MiB of files). GraphDef.read
// dequantizes such a constant back to float32: value = int8 × scale[channel]. The scales ride in
// the TensorProto's float_val, which TensorFlow leaves unused for int8 tensors; every other field
// of the file is copied as it is.
import Foundation

public enum GraphDefInt8 {
    /// TensorFlow's DataType for int8.
    static let int8 = 6

    public struct Summary: Equatable {
        /// Constants stored as int8, and their elements.
        public var quantized = 0, quantizedElements = 0
        public var bytesBefore = 0, bytesAfter = 0
        /// The largest |value − dequantized| over all quantized elements, relative to its channel's
        /// largest |value| (at most 1/254 by construction).
        public var largestRelativeError: Float = 0
    }

    /// Writes `source` to `output` with every float32 constant of rank ≥ 2 and at least
    /// `minimumElements` elements as int8 (biases and small tensors stay float32).
    @discardableResult
    public static func write(_ source: String, to output: String, minimumElements: Int = 4096) throws
        -> Summary
    {
        let file = try MappedFile(source, what: "a TensorFlow GraphDef (.pb)")
        let reader = ProtobufReader(path: source, what: "TensorFlow GraphDef")
        var writer = ProtobufWriter()
        var summary = Summary(bytesBefore: file.bytes.count)
        for field in try reader.fields(of: file.bytes) {
            if field.number == 1, let node = try quantizedNode(field, reader, minimumElements, &summary) {
                writer.bytes(1, node)
            } else {
                writer.field(field)
            }
        }
        guard summary.quantized > 0 else {
            throw EngineError.badFile(
                path: source,
                problem: "has no float32 constant of rank ≥ 2 with ≥ \(minimumElements) "
                    + "elements to store as int8; expected a frozen graph with its weights (FaceNet's graph_final.pb)"
            )
        }
        summary.bytesAfter = writer.data.count
        try AtomicWrite.write(writer.data, to: output)
        return summary
    }

    /// The node re-encoded with its value as int8, or nil when it is not a large float32 Const.
    private static func quantizedNode(
        _ field: ProtobufField, _ reader: ProtobufReader, _ minimumElements: Int, _ summary: inout Summary
    ) throws -> Data? {
        let fields = try reader.fields(of: try reader.bytes(field))
        guard try fields.contains(where: { try $0.number == 2 && reader.string($0) == "Const" }) else {
            return nil
        }
        var rewritten = ProtobufWriter()
        var changed = false
        for f in fields {
            guard f.number == 5, let tensor = try valueTensor(f, reader),
                let encoded = try quantizedTensor(tensor, reader, minimumElements, &summary)
            else {
                rewritten.field(f)
                continue
            }
            rewritten.message(5) { entry in
                entry.string(1, "value")
                entry.message(2) { attribute in attribute.bytes(8, encoded) }
            }
            changed = true
        }
        return changed ? rewritten.data : nil
    }

    /// The TensorProto of a node's "value" attribute entry; nil for other entries.
    private static func valueTensor(_ entry: ProtobufField, _ reader: ProtobufReader) throws
        -> UnsafeRawBufferPointer?
    {
        let fields = try reader.fields(of: try reader.bytes(entry))
        guard try fields.contains(where: { try $0.number == 1 && reader.string($0) == "value" }),
            let value = fields.first(where: { $0.number == 2 })
        else { return nil }
        return try reader.fields(of: try reader.bytes(value)).first { $0.number == 8 }.map(reader.bytes)
    }

    /// The TensorProto as int8 content with per-channel scales; nil when it stays as it is.
    private static func quantizedTensor(
        _ tensor: UnsafeRawBufferPointer, _ reader: ProtobufReader, _ minimumElements: Int,
        _ summary: inout Summary
    ) throws -> Data? {
        var dtype = 0
        var shapeField: ProtobufField?
        var content: ProtobufField?
        for f in try reader.fields(of: tensor) {
            switch f.number {
            case 1: dtype = try reader.integer(f)
            case 2: shapeField = f
            case 4: content = f
            default: break
            }
        }
        guard dtype == GraphTensor.float32, let shapeField, let content else { return nil }
        let shape = try GraphDef.shape(shapeField, reader)
        let count = shape.reduce(1, *)
        guard shape.count >= 2, shape.allSatisfy({ $0 > 0 }), count >= minimumElements else { return nil }
        // tensor_content of a float32 tensor is a run of little-endian floats, as a packed field's.
        let values = try reader.floats(content)
        guard values.count == count else { return nil }
        let channels = shape.last!
        var largest = [Float](repeating: 0, count: channels)
        for (i, v) in values.enumerated() { largest[i % channels] = max(largest[i % channels], abs(v)) }
        let scales = largest.map { $0 / 127 }
        var codes = [UInt8](repeating: 0, count: count)
        for (i, v) in values.enumerated() {
            let c = i % channels
            guard scales[c] > 0 else { continue }
            let code = max(-127, min(127, (v / scales[c]).rounded()))
            codes[i] = UInt8(bitPattern: Int8(code))
            summary.largestRelativeError = max(
                summary.largestRelativeError, abs(v - code * scales[c]) / largest[c])
        }
        summary.quantized += 1
        summary.quantizedElements += count
        var writer = ProtobufWriter()
        writer.varint(1, UInt64(int8))
        writer.field(shapeField)
        writer.bytes(4, codes)
        writer.packedFloats(5, scales)
        return writer.data
    }
}
