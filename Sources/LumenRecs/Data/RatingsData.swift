/// One observed rating with dense user and item indices.
public struct Rating: Sendable, Equatable {
    public var user: Int32
    public var item: Int32
    public var value: Float
    public var timestamp: Int64

    public init(user: Int32, item: Int32, value: Float, timestamp: Int64 = 0) {
        self.user = user
        self.item = item
        self.value = value
        self.timestamp = timestamp
    }
}

/// A ratings data set: the ratings plus the maps back to external ids and optional item titles.
public struct RatingsData: Sendable {
    /// Users, by dense index.
    public var users: IDMap
    /// Items, by dense index.
    public var items: IDMap
    /// Every rating.
    public var ratings: [Rating]
    /// Title of each item when metadata was given (same order as `items`).
    public var titles: [String?]
    /// The scale the ratings lie on, declared or inferred when loaded (nil: their own range).
    public var scale: RatingScale?
    /// Whether `scale` was inferred from the ratings rather than declared.
    public var scaleInferred = false
    /// Ratings on a scale, or implicit interaction weights.
    public var feedback: FeedbackKind = .explicit

    public init(users: IDMap, items: IDMap, ratings: [Rating], titles: [String?]? = nil) {
        self.users = users
        self.items = items
        self.ratings = ratings
        self.titles = titles ?? [String?](repeating: nil, count: items.count)
    }

    /// The rating scale's ends: the declared or inferred scale, else the smallest and largest rating.
    public var ratingRange: (min: Float, max: Float) {
        if let scale { return (scale.min, scale.max) }
        var lo = Float.infinity
        var hi = -Float.infinity
        for r in ratings {
            lo = min(lo, r.value)
            hi = max(hi, r.value)
        }
        return ratings.isEmpty ? (0, 0) : (lo, hi)
    }

    /// The same users and items with another set of ratings (for splits).
    public func with(ratings: [Rating]) -> RatingsData {
        var data = RatingsData(users: users, items: items, ratings: ratings, titles: titles)
        (data.scale, data.scaleInferred, data.feedback) = (scale, scaleInferred, feedback)
        return data
    }

    /// A 64-bit FNV-1a digest of the ratings (ids, values, order-independent) identifying the data.
    public var fingerprint: String {
        var combined: UInt64 = 0
        for r in ratings {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for part in [users[Int(r.user)], items[Int(r.item)], String(r.value)] {
                for byte in part.utf8 {
                    h ^= UInt64(byte)
                    h = h &* 0x100_0000_01b3
                }
                h ^= 0x1f
                h = h &* 0x100_0000_01b3
            }
            combined = combined &+ h
        }
        return String(combined, radix: 16) + "-\(ratings.count)"
    }
}
