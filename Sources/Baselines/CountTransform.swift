import Foundation

/// The scale a model is fitted on. Counts are fitted after the Anscombe transform because their
/// variance grows with their mean; on the transformed scale the noise is close to unit variance,
/// so one σ serves quiet nights and busy days alike.
public enum CountTransform: String, Codable, Sendable, Equatable {
    case identity
    case anscombe

    private static let offset = 3.0 / 8.0
    /// The transformed value of a zero count: the lowest point the transformed scale can reach.
    public static let anscombeZero = 2 * offset.squareRoot()

    public func forward(_ y: Double) -> Double {
        switch self {
        case .identity: return y
        case .anscombe: return 2 * (max(y, 0) + Self.offset).squareRoot()
        }
    }

    /// The algebraic inverse. It is used for the expected value as well as the band edges because
    /// a monotone transform maps quantiles onto quantiles: the inverse of the fitted centre is the
    /// predictive median, and the inverse of each edge is the matching quantile. Everything below
    /// the image of zero maps to zero, so count bands never go negative.
    public func inverse(_ z: Double) -> Double {
        switch self {
        case .identity: return z
        case .anscombe:
            guard z > Self.anscombeZero else { return 0 }
            return max(0, (z / 2) * (z / 2) - Self.offset)
        }
    }

    /// Whether every value is a non-negative integer, which is when the count path is valid.
    public static func looksLikeCounts(_ values: [Double]) -> Bool {
        !values.isEmpty && values.allSatisfy { $0 >= 0 && $0.isFinite && $0 == $0.rounded() }
    }
}
