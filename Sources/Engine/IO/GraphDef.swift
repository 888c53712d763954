// TensorFlow's frozen GraphDef (.pb): nodes with their op, inputs and attributes, and Const
// tensors, read from the protobuf wire format (tensorflow/core/framework/*.proto field numbers).

/// One attribute value of a node (AttrValue), in the forms frozen inference graphs use.
public enum GraphAttribute: Equatable {
    case string(String)
    case int(Int)
    case float(Float)
    case bool(Bool)
    /// A DataType enum value (1 = float32, 3 = int32, 9 = int64).
    case type(Int)
    case shape([Int])
    case tensor(GraphTensor)
    case ints([Int])
    case floats([Float])
    case strings([String])
}

/// A constant tensor (TensorProto): float32 or int32/int64 values, expanded to the full shape. An
/// int8 constant with one scale per channel of its last axis (GraphDefInt8's compact form) is
/// read back as float32.
public struct GraphTensor: Equatable {
    public static let float32 = 1, int32 = 3, int64 = 9

    public let dtype: Int
    public let shape: [Int]
    /// The values of a float32 tensor; empty for integer tensors.
    public let floats: [Float]
    /// The values of an int32 or int64 tensor; empty for float tensors.
    public let integers: [Int]
}

public struct GraphNode {
    public let name: String
    public let op: String
    /// Data inputs as "node" or "node:k" (output k); control inputs ("^node") are dropped.
    public let inputs: [String]
    public let attributes: [String: GraphAttribute]
}

public struct GraphDef {
    public let nodes: [GraphNode]

    /// Reads a frozen GraphDef; a truncated or foreign file is a badFile error naming it.
    public static func read(_ path: String) throws -> GraphDef {
        let file = try MappedFile(path, what: "a TensorFlow GraphDef (.pb)")
        let reader = ProtobufReader(path: path, what: "TensorFlow GraphDef")
        let nodes = try reader.fields(of: file.bytes).filter { $0.number == 1 }.map { try node($0, reader) }
        guard !nodes.isEmpty else {
            throw EngineError.badFile(path: path, problem: "holds no graph nodes; expected a frozen TensorFlow GraphDef (.pb)")
        }
        return GraphDef(nodes: nodes)
    }

    private static func node(_ field: ProtobufField, _ reader: ProtobufReader) throws -> GraphNode {
        var name = "", op = "", inputs: [String] = [], attributes: [String: GraphAttribute] = [:]
        for f in try reader.fields(of: try reader.bytes(field)) {
            switch f.number {
            case 1: name = try reader.string(f)
            case 2: op = try reader.string(f)
            case 3:
                let input = try reader.string(f)
                if !input.hasPrefix("^") { inputs.append(input) }
            case 5:
                var key = "", value: GraphAttribute?
                for entry in try reader.fields(of: try reader.bytes(f)) {
                    if entry.number == 1 { key = try reader.string(entry) }
                    if entry.number == 2 { value = try attribute(entry, reader) }
                }
                if let value { attributes[key] = value }
            default: break
            }
        }
        return GraphNode(name: name, op: op, inputs: inputs, attributes: attributes)
    }

    /// AttrValue's oneof; kinds a frozen inference graph does not use (func, placeholder) are skipped.
    private static func attribute(_ field: ProtobufField, _ reader: ProtobufReader) throws -> GraphAttribute? {
        for f in try reader.fields(of: try reader.bytes(field)) {
            switch f.number {
            case 1: return try list(f, reader)
            case 2: return .string(try reader.string(f))
            case 3: return .int(try reader.integer(f))
            case 4: return .float(try reader.float(f))
            case 5: return .bool(try reader.integer(f) != 0)
            case 6: return .type(try reader.integer(f))
            case 7: return .shape(try shape(f, reader))
            case 8: return .tensor(try tensor(f, reader))
            default: continue
            }
        }
        return nil
    }

    private static func list(_ field: ProtobufField, _ reader: ProtobufReader) throws -> GraphAttribute {
        var ints: [Int] = [], floats: [Float] = [], strings: [String] = []
        for f in try reader.fields(of: try reader.bytes(field)) {
            switch f.number {
            case 2: strings.append(try reader.string(f))
            case 3, 6: ints += try reader.integers(f)
            case 4: floats += try reader.floats(f)
            default: break
            }
        }
        return !strings.isEmpty ? .strings(strings) : !floats.isEmpty ? .floats(floats) : .ints(ints)
    }

    /// TensorShapeProto: its dims' sizes (-1 where unknown).
    static func shape(_ field: ProtobufField, _ reader: ProtobufReader) throws -> [Int] {
        try reader.fields(of: try reader.bytes(field)).filter { $0.number == 2 }.map { dim in
            try reader.fields(of: try reader.bytes(dim)).first { $0.number == 1 }.map(reader.integer) ?? 0
        }
    }

    private static func tensor(_ field: ProtobufField, _ reader: ProtobufReader) throws -> GraphTensor {
        var dtype = 0, shape: [Int] = [], content: UnsafeRawBufferPointer?
        var floats: [Float] = [], integers: [Int] = []
        for f in try reader.fields(of: try reader.bytes(field)) {
            switch f.number {
            case 1: dtype = try reader.integer(f)
            case 2: shape = try self.shape(f, reader)
            case 4: content = try reader.bytes(f)
            case 5: floats += try reader.floats(f)
            case 7, 10: integers += try reader.integers(f)
            default: break
            }
        }
        let elementBytes = dtype == GraphTensor.int64 ? 8 : dtype == GraphDefInt8.int8 ? 1 : 4
        guard [GraphTensor.float32, GraphTensor.int32, GraphTensor.int64, GraphDefInt8.int8].contains(dtype),
            shape.allSatisfy({ $0 >= 0 })
        else {
            throw reader.invalid(
                "a constant of data type \(dtype), shape \(shape) (supported: float32, int32, int64, int8 with per-channel scales)")
        }
        // At most 2³¹ elements (8 GiB of float32): a larger constant is a corrupt file, not a model.
        let count = try shape.reduce(1) { total, extent in
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= 1 << 31 else { throw reader.invalid("a constant of shape \(shape), over 2³¹ elements") }
            return product
        }
        if let content {
            guard content.count == count * elementBytes else {
                throw reader.invalid("a constant of shape \(shape) holding \(content.count) bytes")
            }
            switch dtype {
            case GraphDefInt8.int8:
                return try dequantized(content, scales: floats, shape: shape, reader)
            case GraphTensor.float32:
                floats = (0..<count).map { Float(bitPattern: content.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self).littleEndian) }
            case GraphTensor.int32:
                integers = (0..<count).map { Int(Int32(littleEndian: content.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
            default:
                integers = (0..<count).map { Int(Int64(littleEndian: content.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) }
            }
        }
        // TensorFlow stores a constant filled with one value as that single value.
        if floats.count == 1 && count > 1 { floats = [Float](repeating: floats[0], count: count) }
        if integers.count == 1 && count > 1 { integers = [Int](repeating: integers[0], count: count) }
        guard (dtype == GraphTensor.float32 ? floats.count : integers.count) == count else {
            throw reader.invalid("a constant of shape \(shape) with \(max(floats.count, integers.count)) values")
        }
        return GraphTensor(dtype: dtype, shape: shape, floats: floats, integers: integers)
    }

    /// An int8 constant's float32 values: code × the scale of its channel (the last axis).
    private static func dequantized(
        _ codes: UnsafeRawBufferPointer, scales: [Float], shape: [Int], _ reader: ProtobufReader
    ) throws -> GraphTensor {
        guard let channels = shape.last, channels > 0, scales.count == channels else {
            throw reader.invalid("an int8 constant of shape \(shape) with \(scales.count) scales (one per channel of the last axis)")
        }
        let floats = (0..<codes.count).map { Float(Int8(bitPattern: codes[$0])) * scales[$0 % channels] }
        return GraphTensor(dtype: GraphTensor.float32, shape: shape, floats: floats, integers: [])
    }
}
