// SHA-256 (FIPS 180-4) of bytes and of files, read in chunks: model provenance and batch output names.
import CSHA256
import Foundation

public struct SHA256 {
    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab,
        0x5be0_cd19,
    ]
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        pending.append(contentsOf: bytes)
        length += UInt64(bytes.count)
        let whole = pending.count / 64 * 64
        guard whole > 0 else { return }
        pending.withUnsafeBufferPointer { compress($0, blocks: whole / 64) }
        pending.removeFirst(whole)
    }

    /// The digest as 64 lowercase hexadecimal digits (the message is padded; `self` is spent).
    public mutating func hexDigest() -> String {
        let bits = length * 8
        var tail: [UInt8] = [0x80] + [UInt8](repeating: 0, count: (119 - pending.count % 64) % 64)
        tail += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * $0)) }
        update(tail)
        return state.map { String(format: "%08x", $0) }.joined()
    }

    /// The digest of `bytes` as hexadecimal.
    public static func hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hash = SHA256()
        hash.update(bytes)
        return hash.hexDigest()
    }

    /// The digest of the file at `path`, read 4 MB at a time; errors name the file.
    public static func hex(file path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw EngineError.badFile(path: path, problem: "cannot be opened to compute its SHA-256")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { hash.update(chunk) }
        return hash.hexDigest()
    }

    /// The whole blocks of `bytes` (the rounds are C: Sources/CSHA256).
    private mutating func compress(_ bytes: UnsafeBufferPointer<UInt8>, blocks: Int) {
        guard blocks > 0 else { return }
        state.withUnsafeMutableBufferPointer { sha256_blocks($0.baseAddress!, bytes.baseAddress!, blocks) }
    }
}
