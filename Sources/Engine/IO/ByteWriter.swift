// Little-endian binary output built in memory (PLY, safetensors), written whole with AtomicWrite.
import Foundation

struct ByteWriter {
    var data = Data()

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    mutating func append(_ values: [Float]) { for v in values { append(v.bitPattern) } }
    mutating func append(_ values: [Double]) { for v in values { append(v.bitPattern) } }
    mutating func append(text: String) { data.append(contentsOf: Array(text.utf8)) }
}
