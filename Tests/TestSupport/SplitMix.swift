import Foundation

/// SplitMix64: tiny, seedable and identical on every platform, so synthetic test data are fixed
/// for a seed. Shared by the test targets (never by the product, whose generator has its own).
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal, by Box–Muller.
    public mutating func gaussian() -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Knuth's method: fine for the small means tests use.
    public mutating func poisson(_ mean: Double) -> Double {
        let limit = exp(-mean)
        var k = 0.0, p = 1.0
        repeat {
            k += 1
            p *= uniform()
        } while p > limit
        return k - 1
    }
}
