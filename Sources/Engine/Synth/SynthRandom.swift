// The synthetic faces' random numbers: SplitMix64, the same sequence on every platform and
// Swift version for a seed (the standard library's generators promise neither).
import Foundation

struct SynthRandom: RandomNumberGenerator {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(state: seed) }

    /// The stream of face `index` under `seed`: faces do not shift each other's numbers.
    init(seed: UInt64, stream index: Int) {
        var mixer = SplitMix64(state: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1)))
        generator = SplitMix64(state: mixer.next())
    }

    mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) / Double(1 << 53)
    }

    /// Normal with mean 0 and standard deviation `sd` (Box–Muller).
    mutating func normal(_ sd: Double = 1) -> Double {
        let u = 1 - uniform(0, 1)
        let v = uniform(0, 1)
        return sd * (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
    }

    /// An index in 0..<count.
    mutating func index(_ count: Int) -> Int { Int(next() % UInt64(count)) }
}
