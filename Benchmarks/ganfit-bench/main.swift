// ganfit-bench: the op benchmark as its own executable (the same as `ganfit-gpu bench`).
// Usage: ganfit-bench [--device auto|cpu|opencl|opencl:N] [--json] [--all] [--filter TEXT]...
import Engine
import Foundation

var device: String?
var json = false, all = false
var filters: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--device": device = arguments.popFirst()
    case "--json": json = true
    case "--all": all = true
    case "--filter": arguments.popFirst().map { filters.append($0) }
    default:
        FileHandle.standardError.write(Data("usage: ganfit-bench [--device D] [--json] [--all] [--filter TEXT]...\n".utf8))
        exit(2)
    }
}
do {
    let backend = try DeviceChoice.resolve(flag: device).makeBackend()
    try BenchmarkReport.run(OpCases.matching(filters, in: OpCases.benchmark() + (all ? OpCases.all : [])),
                            on: backend, json: json)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(2)
}
