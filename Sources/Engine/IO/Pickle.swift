// A small reader of Python pickles (binary protocols 2–5: the opcodes torch.save writes), building
// plain values; classes and functions are not run: a call is kept as an object naming its callable,
// and persistent ids are left for the caller (torch's storages).
import Foundation

/// A pickled value. Lists, dicts and objects are shared boxes, as in Python (memo references).
public indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits: its little-endian two's-complement bytes.
    case wideInt([UInt8])
    case float(Double)
    case string(String)
    case bytes(Data)
    case tuple([PickleValue])
    case container(PickleContainer)
    /// A class or function named by module and name ("collections.OrderedDict").
    case global(String)
    /// A persistent id's value (BINPERSID), for the caller to resolve.
    case persistent(PickleValue)

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var int: Int? { if case .int(let n) = self { n } else { nil } }
    public var items: [PickleValue]? {
        switch self {
        case .tuple(let items): items
        case .container(let box): box.items
        default: nil
        }
    }
    public var container: PickleContainer? { if case .container(let box) = self { box } else { nil } }
}

/// A list, dict, set or object: what the pickle built into it.
public final class PickleContainer {
    public enum Kind: Equatable {
        case list, dict, set
        case object(String)
    }
    public let kind: Kind
    /// A list's or set's items; an object's constructor arguments (REDUCE, NEWOBJ).
    public var items: [PickleValue]
    /// A dict's entries, and items set on an object (OrderedDict), in order.
    public var entries: [(key: PickleValue, value: PickleValue)] = []
    /// An object's BUILD state.
    public var state: PickleValue?

    init(_ kind: Kind, items: [PickleValue] = []) { (self.kind, self.items) = (kind, items) }

    /// The value of the entry whose key is the string `key`.
    public subscript(key: String) -> PickleValue? { entries.first { $0.key.string == key }?.value }
}

/// Reads one pickle from `data` (a whole file or part of one).
struct PickleReader {
    private var input: ByteReader
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    init(_ data: Data, path: String) {
        input = ByteReader(data, path: path, format: "a Python pickle (torch.save)")
    }

    /// Bytes read so far (after `read`, where the pickle ended).
    var offset: Int { input.offset }

    /// Runs the pickle to its STOP and returns its value.
    mutating func read() throws -> PickleValue {
        while true {
            let at = input.offset
            let code = try input.integer(UInt8.self, "an opcode")
            if code == 0x2E {  // STOP
                guard let value = stack.popLast(), stack.isEmpty, marks.isEmpty else { throw bad("STOP", at) }
                return value
            }
            try step(code, at: at)
        }
    }

    private func bad(_ op: String, _ at: Int) -> EngineError {
        input.fail("the pickle's \(op) at byte \(at) finds the stack in a state it cannot use")
    }

    private func top(_ op: String, _ at: Int) throws -> PickleValue {
        guard let value = stack.last else { throw bad(op, at) }
        return value
    }

    private mutating func pop(_ op: String, _ at: Int) throws -> PickleValue {
        guard let value = stack.popLast(), marks.last.map({ stack.count >= $0 }) ?? true else {
            throw bad(op, at)
        }
        return value
    }

    /// The values above the last mark, removing them and the mark.
    private mutating func popMark(_ op: String, _ at: Int) throws -> [PickleValue] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw bad(op, at) }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private mutating func text(_ count: Int, _ what: String) throws -> String {
        guard let s = String(data: try input.bytes(count, what), encoding: .utf8) else {
            throw input.fail("\(what) is not UTF-8")
        }
        return s
    }

    private mutating func line(_ what: String) throws -> String {
        var bytes: [UInt8] = []
        while true {
            let byte = try input.integer(UInt8.self, what)
            if byte == 0x0A { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func setItems(_ pairs: [PickleValue], into target: PickleValue, _ op: String, _ at: Int)
        throws
    {
        guard pairs.count % 2 == 0, let box = target.container else { throw bad(op, at) }
        for k in stride(from: 0, to: pairs.count, by: 2) { box.entries.append((pairs[k], pairs[k + 1])) }
    }

    private mutating func step(_ code: UInt8, at: Int) throws {
        func push(_ value: PickleValue) { stack.append(value) }
        func count<T: FixedWidthInteger>(_: T.Type) throws -> Int {
            try input.count(T.self, "a length", bytesEach: 1)
        }
        func index<T: FixedWidthInteger>(_: T.Type) throws -> Int {
            Int(try input.integer(T.self, "a memo index"))
        }
        switch code {
        case 0x80: _ = try input.integer(UInt8.self, "the protocol")  // PROTO
        case 0x95: _ = try input.integer(UInt64.self, "a frame length")  // FRAME
        case 0x28: marks.append(stack.count)  // MARK
        case 0x30: _ = try pop("POP", at)
        case 0x31: _ = try popMark("POP_MARK", at)
        case 0x32: push(try top("DUP", at))
        case 0x4E: push(.none)
        case 0x88: push(.bool(true))
        case 0x89: push(.bool(false))
        case 0x4A: push(.int(Int(try input.integer(Int32.self, "BININT"))))
        case 0x4B: push(.int(Int(try input.integer(UInt8.self, "BININT1"))))
        case 0x4D: push(.int(Int(try input.integer(UInt16.self, "BININT2"))))
        case 0x8A, 0x8B:  // LONG1, LONG4
            let n = code == 0x8A ? try count(UInt8.self) : try count(Int32.self)
            let bytes = [UInt8](try input.bytes(n, "a long"))
            if n <= 8 {
                var value = 0
                for (k, byte) in bytes.enumerated() { value |= Int(byte) << (8 * k) }
                if n > 0, n < 8, bytes[n - 1] & 0x80 != 0 { value -= 1 << (8 * n) }  // sign
                push(.int(value))
            } else {
                push(.wideInt(bytes))
            }
        case 0x47:  // BINFLOAT, big-endian
            push(.float(Double(bitPattern: UInt64(bigEndian: try input.integer(UInt64.self, "BINFLOAT")))))
        case 0x58: push(.string(try text(try count(UInt32.self), "BINUNICODE")))
        case 0x8C: push(.string(try text(try count(UInt8.self), "SHORT_BINUNICODE")))
        case 0x8D: push(.string(try text(try count(UInt64.self), "BINUNICODE8")))
        case 0x54: push(.string(try text(try count(Int32.self), "BINSTRING")))
        case 0x55: push(.string(try text(try count(UInt8.self), "SHORT_BINSTRING")))
        case 0x42: push(.bytes(try input.bytes(try count(UInt32.self), "BINBYTES")))
        case 0x43: push(.bytes(try input.bytes(try count(UInt8.self), "SHORT_BINBYTES")))
        case 0x8E, 0x96: push(.bytes(try input.bytes(try count(UInt64.self), "BINBYTES8")))
        case 0x29: push(.tuple([]))
        case 0x74: push(.tuple(try popMark("TUPLE", at)))
        case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
            let n = Int(code - 0x84)
            guard stack.count >= n, marks.last.map({ stack.count - n >= $0 }) ?? true else {
                throw bad("TUPLEn", at)
            }
            let items = Array(stack.suffix(n))
            stack.removeLast(n)
            push(.tuple(items))
        case 0x5D: push(.container(PickleContainer(.list)))
        case 0x6C: push(.container(PickleContainer(.list, items: try popMark("LIST", at))))
        case 0x7D: push(.container(PickleContainer(.dict)))
        case 0x64:  // DICT
            let box = PickleContainer(.dict)
            try setItems(try popMark("DICT", at), into: .container(box), "DICT", at)
            push(.container(box))
        case 0x8F: push(.container(PickleContainer(.set)))
        case 0x61, 0x65, 0x90:  // APPEND, APPENDS, ADDITEMS
            let values = code == 0x61 ? [try pop("APPEND", at)] : try popMark("APPENDS", at)
            guard let box = stack.last?.container else { throw bad("APPEND", at) }
            box.items += values
        case 0x91: push(.container(PickleContainer(.set, items: try popMark("FROZENSET", at))))
        case 0x73:  // SETITEM
            let value = try pop("SETITEM", at)
            let key = try pop("SETITEM", at)
            try setItems([key, value], into: stack.last ?? .none, "SETITEM", at)
        case 0x75:  // SETITEMS
            let pairs = try popMark("SETITEMS", at)
            try setItems(pairs, into: stack.last ?? .none, "SETITEMS", at)
        case 0x63: push(.global(try line("GLOBAL") + "." + line("GLOBAL")))
        case 0x93:  // STACK_GLOBAL
            let name = try pop("STACK_GLOBAL", at)
            let module = try pop("STACK_GLOBAL", at)
            guard let m = module.string, let n = name.string else { throw bad("STACK_GLOBAL", at) }
            push(.global(m + "." + n))
        case 0x52, 0x81:  // REDUCE, NEWOBJ: a call, kept as an object naming its callable
            let args = try pop("REDUCE", at)
            let callable = try pop("REDUCE", at)
            guard case .global(let name) = callable, let items = args.items else { throw bad("REDUCE", at) }
            push(.container(PickleContainer(.object(name), items: items)))
        case 0x92:  // NEWOBJ_EX
            _ = try pop("NEWOBJ_EX", at)
            let args = try pop("NEWOBJ_EX", at)
            let callable = try pop("NEWOBJ_EX", at)
            guard case .global(let name) = callable, let items = args.items else {
                throw bad("NEWOBJ_EX", at)
            }
            push(.container(PickleContainer(.object(name), items: items)))
        case 0x62:  // BUILD
            let state = try pop("BUILD", at)
            guard let box = stack.last?.container else { throw bad("BUILD", at) }
            box.state = state
        case 0x71: memo[try index(UInt8.self)] = try top("BINPUT", at)
        case 0x72: memo[try index(UInt32.self)] = try top("LONG_BINPUT", at)
        case 0x94: memo[memo.count] = try top("MEMOIZE", at)
        case 0x68, 0x6A:  // BINGET, LONG_BINGET
            let key = code == 0x68 ? try index(UInt8.self) : try index(UInt32.self)
            guard let value = memo[key] else {
                throw input.fail("the pickle refers to memo \(key), never stored")
            }
            push(value)
        case 0x51: push(.persistent(try pop("BINPERSID", at)))
        default:
            throw input.fail(
                String(
                    format: "the pickle has opcode 0x%02X at byte \(at), which this reader does not "
                        + "handle (it reads binary protocols 2–5)", code))
        }
    }
}
