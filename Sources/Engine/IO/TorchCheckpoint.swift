// torch.save files read without PyTorch, in both formats: the zip archive of PyTorch ≥ 1.6
// (`<name>/data.pkl` with persistent ids naming `<name>/data/<key>` storages) and the legacy
// stream (pickles of the magic number, protocol version and system info, then the object, then
// the sorted storage keys, then per key an int64 element count and the raw little-endian storage).
import Foundation

public struct TorchCheckpoint {
    public let path: String
    /// The saved object, tensors still as `torch._utils._rebuild_tensor_v2` calls on storages.
    public let root: PickleValue
    /// Each storage's dtype (safetensors name) and bytes, by key.
    private let storages: [String: (dtype: String, bytes: Data)]

    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    /// torch storage classes → dtype names and element sizes.
    static let storageTypes: [String: (dtype: String, size: Int)] = [
        "torch.FloatStorage": ("F32", 4), "torch.DoubleStorage": ("F64", 8), "torch.HalfStorage": ("F16", 2),
        "torch.BFloat16Storage": ("BF16", 2), "torch.LongStorage": ("I64", 8), "torch.IntStorage": ("I32", 4),
        "torch.ByteStorage": ("U8", 1), "torch.BoolStorage": ("BOOL", 1),
    ]

    public init(_ path: String) throws {
        self.path = path
        let data = try FileInput.read(path, what: "a PyTorch checkpoint")
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            let zip = try ZipArchive(path, data: data)
            guard
                let pickle = zip.entries.first(where: {
                    $0.name == "data.pkl" || $0.name.hasSuffix("/data.pkl")
                })
            else {
                throw EngineError.badFile(
                    path: path, problem: "is a zip archive without a data.pkl (expected torch.save's format)")
            }
            let prefix = String(pickle.name.dropLast("data.pkl".count))
            var reader = PickleReader(data.subdata(in: pickle.range), path: path)
            root = try reader.read()
            var storages: [String: (String, Data)] = [:]
            for (key, type) in try Self.storageKeys(root, path) {
                guard let bytes = zip.entry(prefix + "data/" + key) else {
                    throw EngineError.badFile(
                        path: path, problem: "names storage '\(key)' but has no entry \(prefix)data/\(key)")
                }
                storages[key] = (type.dtype, bytes)
            }
            self.storages = storages
        } else {
            (root, storages) = try Self.readLegacy(data, path)
        }
    }

    /// The legacy stream: magic, protocol version, system info, object, storage keys, storages.
    private static func readLegacy(_ data: Data, _ path: String) throws -> (
        PickleValue, [String: (String, Data)]
    ) {
        var start = 0
        func next() throws -> PickleValue {
            var reader = PickleReader(data.subdata(in: start..<data.count), path: path)
            defer { start += reader.offset }
            return try reader.read()
        }
        guard data.starts(with: [0x80]), case .wideInt(let magic) = try next(), magic == Self.magic else {
            throw EngineError.badFile(
                path: path,
                problem: "is neither a zip archive nor a legacy torch.save stream "
                    + "(no magic number 0x1950a86a20f9469cfc6c); expected a PyTorch checkpoint")
        }
        guard case .int(let version) = try next(), version == 1001 else {
            throw EngineError.badFile(path: path, problem: "has a legacy torch.save protocol other than 1001")
        }
        if case .container(let info) = try next(), case .bool(false) = info["little_endian"] ?? .bool(true) {
            throw EngineError.badFile(
                path: path, problem: "was saved big-endian; only little-endian checkpoints are read")
        }
        let root = try next()
        let types = try storageKeys(root, path)
        guard let keys = try next().items?.compactMap(\.string) else {
            throw EngineError.badFile(path: path, problem: "lacks the list of storage keys after the object")
        }
        var reader = ByteReader(
            data.subdata(in: start..<data.count), path: path, format: "a legacy torch.save stream")
        var storages: [String: (String, Data)] = [:]
        for key in keys {
            guard let type = types[key] else {
                throw EngineError.badFile(path: path, problem: "lists storage '\(key)' that no tensor uses")
            }
            let count = try reader.count(Int64.self, "storage \(key)'s element count", bytesEach: type.size)
            storages[key] = (type.dtype, try reader.bytes(count * type.size, "storage \(key)"))
        }
        return (root, storages)
    }

    /// Every persistent id ('storage', type, key, location, count, …) under `value`: key → type.
    private static func storageKeys(_ value: PickleValue, _ path: String) throws -> [String: (
        dtype: String, size: Int
    )] {
        var found: [String: (String, Int)] = [:]
        func visit(_ value: PickleValue) throws {
            switch value {
            case .persistent(let id):
                guard let items = id.items, items.count >= 5, items[0].string == "storage",
                    case .global(let type) = items[1], let key = items[2].string
                else {
                    throw EngineError.badFile(
                        path: path, problem: "has a persistent id that is not a torch storage")
                }
                guard let known = storageTypes[type] else {
                    throw EngineError.badFile(
                        path: path,
                        problem: "has a storage of type \(type); readable: "
                            + storageTypes.keys.sorted().joined(separator: ", "))
                }
                found[key] = known
            case .tuple(let items): try items.forEach(visit)
            case .container(let box):
                try box.items.forEach(visit)
                try box.entries.forEach { try visit($0.value) }
            default: break
            }
        }
        try visit(value)
        return found
    }

    /// `value` as a Float32 tensor, if it is a saved floating-point tensor (or parameter).
    public func tensor(_ value: PickleValue) throws -> HostTensor? {
        guard let box = value.container, case .object(let call) = box.kind else { return nil }
        if call == "torch._utils._rebuild_parameter", let data = box.items.first { return try tensor(data) }
        guard call == "torch._utils._rebuild_tensor_v2" || call == "torch._utils._rebuild_tensor" else {
            return nil
        }
        let args = box.items
        guard args.count >= 4, case .persistent(let id) = args[0], let key = id.items?[2].string,
            let storage = storages[key], let tensorOffset = args[1].int,
            let shape = args[2].items?.compactMap(\.int), let strides = args[3].items?.compactMap(\.int),
            shape.count == strides.count
        else {
            throw EngineError.badFile(
                path: path, problem: "has a tensor whose storage, offset, size or stride is unreadable")
        }
        guard let values = storage.bytes.withUnsafeBytes({ SafetensorsFile.floats($0, dtype: storage.dtype) })
        else {
            return nil  // an integer or boolean tensor (a step count, a mask): not a weight
        }
        // A legacy view of a larger storage: (view key, element offset, size) after the count.
        let viewOffset = (id.items?.count ?? 0) > 5 ? (id.items?[5].items?[1].int ?? 0) : 0
        let offset = tensorOffset + viewOffset
        var last = offset
        for (n, s) in zip(shape, strides) where n > 0 { last += (n - 1) * s }
        guard offset >= 0, strides.allSatisfy({ $0 >= 0 }), shape.elementCount == 0 || last < values.count
        else {
            throw EngineError.badFile(
                path: path,
                problem: "has a tensor \(shape) (strides \(strides), offset \(offset)) "
                    + "outside its storage of \(values.count) elements")
        }
        return HostTensor(shape, stridedGather(values, shape: shape, strides: strides, offset: offset))
    }

    /// The dict at `key` of the saved dict (or the saved dict itself for nil) as name → tensor,
    /// skipping entries that are not tensors; nil if there is no such dict.
    public func stateDict(_ key: String? = nil) throws -> [String: HostTensor]? {
        guard let box = (key.map { root.container?[$0] } ?? root)?.container else { return nil }
        var tensors: [String: HostTensor] = [:]
        for (name, value) in box.entries {
            if let name = name.string, let tensor = try tensor(value) { tensors[name] = tensor }
        }
        return tensors
    }
}
