/// How a ratings file is read beyond its layout: the rating scale and what to do with a
/// (user, item) pair rated twice.
public struct RatingsOptions: Sendable, Equatable {
    /// The scale ratings lie on; nil infers it (`RatingScale.infer`).
    public var scale: RatingScale?
    /// What a second rating of the same (user, item) pair does.
    public var duplicates: DuplicatePolicy
    /// Ratings, or implicit interactions whose optional third column is a positive weight.
    public var feedback: FeedbackKind = .explicit
    /// Keep only ratings at or above this, as implicit interactions of weight 1.
    public var positiveThreshold: Float?
    /// When set, ids must already be in these maps (the id lists of factors trained elsewhere);
    /// a line naming any other user or item is refused with its line number.
    public var knownIDs: KnownIDs?

    public init(scale: RatingScale? = nil, duplicates: DuplicatePolicy = .error) {
        self.scale = scale
        self.duplicates = duplicates
    }
}

/// The user and item id lists a ratings file must keep to.
public struct KnownIDs: Sendable, Equatable {
    public var users: IDMap
    public var items: IDMap
    /// Names the id files in errors.
    public var userSource: String
    public var itemSource: String

    public init(users: IDMap, items: IDMap, userSource: String = "the user ids", itemSource: String = "the item ids") {
        (self.users, self.items, self.userSource, self.itemSource) = (users, items, userSource, itemSource)
    }
}

/// What a second rating of the same (user, item) pair does.
public enum DuplicatePolicy: String, Sendable, CaseIterable {
    /// Refuse the file, naming both lines.
    case error
    /// Keep the rating read last.
    case last
    /// Keep the mean of the pair's ratings.
    case mean
    /// Add the weights (implicit feedback: repeated plays or purchases).
    case sum
}

/// The closed range ratings lie on, e.g. 1…5 stars.
public struct RatingScale: Sendable, Equatable, CustomStringConvertible {
    public var min: Float
    public var max: Float

    /// A scale with finite `min < max`; nil otherwise.
    public init?(min: Float, max: Float) {
        guard min.isFinite, max.isFinite, min < max else { return nil }
        (self.min, self.max) = (min, max)
    }

    /// Parses `MIN..MAX` (e.g. `1..5`, `0.5..5`).
    public init?(parsing text: String) {
        let parts = text.split(separator: "..", omittingEmptySubsequences: false)
        guard parts.count == 2, let lo = Float(parts[0]), let hi = Float(parts[1]) else { return nil }
        self.init(min: lo, max: hi)
    }

    public func contains(_ value: Float) -> Bool { value >= min && value <= max }

    public var description: String { "\(Self.format(min))..\(Self.format(max))" }

    private static func format(_ v: Float) -> String { v == v.rounded() ? String(Int(v)) : String(v) }

    /// The scales public rating data use, tightest first.
    static let common: [RatingScale] = [
        (0, 1), (1, 5), (0.5, 5), (0, 5), (1, 10), (0, 10), (1, 100), (0, 100),
    ].map { RatingScale(min: $0.0, max: $0.1)! }

    /// The tightest common scale that holds every value and whose ends the values come near (a
    /// 1–5 set is not on 0–100); failing that, the tightest one holding all but 1 % of them, so that a
    /// stray 1000 or −5 among stars is reported against that scale instead of redefining it;
    /// failing that, the values' own range.
    static func infer(_ values: [Float]) -> RatingScale? {
        guard let lo = values.min(), let hi = values.max() else { return nil }
        func reachesEnds(_ scale: RatingScale, _ inside: [Float]) -> Bool {
            let span = scale.max - scale.min
            guard let a = inside.min(), let b = inside.max() else { return false }
            return a - scale.min <= 0.25 * span && scale.max - b <= 0.25 * span
        }
        if let all = common.first(where: { scale in values.allSatisfy(scale.contains) && reachesEnds(scale, values) }) {
            return all
        }
        // 1 % of the values may stray (one of them in a file of 10 to 199).
        let needed = values.count - Swift.max(values.count / 100, values.count >= 10 ? 1 : 0)
        for scale in common {
            let inside = values.filter(scale.contains)
            if inside.count >= needed && reachesEnds(scale, inside) { return scale }
        }
        return RatingScale(min: lo, max: hi) ?? RatingScale(min: lo, max: lo + 1)
    }
}
