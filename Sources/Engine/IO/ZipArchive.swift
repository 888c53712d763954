// A reader of uncompressed (stored) zip archives, as torch.save writes them since PyTorch 1.6:
// the central directory found from the end-of-directory record, each entry's data located
// through its local header.
import Foundation

struct ZipArchive {
    let path: String
    let data: Data
    /// Each entry's name and its data's byte range in the file.
    let entries: [(name: String, range: Range<Int>)]

    init(_ path: String, data: Data) throws {
        (self.path, self.data) = (path, data)
        func bad(_ problem: String) -> EngineError {
            .badFile(path: path, problem: problem + " (expected a zip archive)")
        }
        func u16(_ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        // The end-of-central-directory record: 22 bytes plus a comment of at most 65,535.
        let lowest = Swift.max(0, data.count - 22 - 65_535)
        guard
            let end = stride(from: data.count - 22, through: lowest, by: -1).first(where: {
                u32($0) == 0x0605_4B50
            })
        else { throw bad("no end-of-central-directory record") }
        let (count, directory) = (u16(end + 10), u32(end + 16))
        guard count != 0xFFFF, directory != 0xFFFF_FFFF else {
            throw bad(
                "it is a zip64 archive (over 4 GiB or 65,535 entries), which this reader does not handle")
        }
        var entries: [(String, Range<Int>)] = []
        var at = directory
        for _ in 0..<count {
            guard at + 46 <= data.count, u32(at) == 0x0201_4B50 else {
                throw bad("a broken central directory at \(at)")
            }
            let (method, size, nameLength) = (u16(at + 10), u32(at + 20), u16(at + 28))
            let (extraLength, commentLength, local) = (u16(at + 30), u16(at + 32), u32(at + 42))
            guard at + 46 + nameLength <= data.count else {
                throw bad("a central entry past the end of the file")
            }
            let name = String(decoding: data[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            guard method == 0 else {
                throw bad("entry '\(name)' is compressed (method \(method)); only stored entries are read")
            }
            guard local + 30 <= data.count, u32(local) == 0x0403_4B50 else {
                throw bad("entry '\(name)' has no local header")
            }
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            guard start + size <= data.count else {
                throw bad("entry '\(name)' runs past the end of the file")
            }
            entries.append((name, start..<(start + size)))
            at += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The data of the entry named `name`, or nil.
    func entry(_ name: String) -> Data? {
        entries.first { $0.name == name }.map { data.subdata(in: $0.range) }
    }
}
