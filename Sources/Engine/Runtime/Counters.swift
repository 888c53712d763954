// Process-wide counters of kernel launches, bytes moved each way and CPU fallbacks, read by
// tests (residency) and benchmarks.
import Foundation

public final class Counters: @unchecked Sendable {
    public static let shared = Counters()

    public struct Snapshot: Equatable, Sendable {
        public var launches = 0
        public var bytesToDevice = 0
        public var bytesToHost = 0
        public var fallbacks = 0

        /// The counts accumulated between `earlier` and this snapshot.
        public func since(_ earlier: Snapshot) -> Snapshot {
            Snapshot(launches: launches - earlier.launches, bytesToDevice: bytesToDevice - earlier.bytesToDevice,
                     bytesToHost: bytesToHost - earlier.bytesToHost, fallbacks: fallbacks - earlier.fallbacks)
        }
    }

    private let lock = NSLock()
    private var current = Snapshot()

    public var snapshot: Snapshot { lock.withLock { current } }

    func addLaunch() { lock.withLock { current.launches += 1 } }
    func addUpload(_ bytes: Int) { lock.withLock { current.bytesToDevice += bytes } }
    func addDownload(_ bytes: Int) { lock.withLock { current.bytesToHost += bytes } }
    func addFallback() { lock.withLock { current.fallbacks += 1 } }
}
