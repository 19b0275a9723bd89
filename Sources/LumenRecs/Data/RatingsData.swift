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
        // FNV-1a of "user␟item␟value␟" per rating, summed. The users' prefixes are hashed once
        // and each distinct value's text made once (the per-rating strings took a second on 5 M).
        let prime: UInt64 = 0x100_0000_01b3
        func feed(_ h: inout UInt64, _ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                h ^= UInt64(byte)
                h = h &* prime
            }
            h ^= 0x1f
            h = h &* prime
        }
        let userState = users.ids.map { id -> UInt64 in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            feed(&h, id.utf8)
            return h
        }
        let itemBytes = items.ids.map { Array($0.utf8) }
        var valueBytes: [UInt32: [UInt8]] = [:]
        var combined: UInt64 = 0
        for r in ratings {
            var h = userState[Int(r.user)]
            feed(&h, itemBytes[Int(r.item)])
            let key = r.value.bitPattern
            if valueBytes[key] == nil { valueBytes[key] = Array(String(r.value).utf8) }
            feed(&h, valueBytes[key]!)
            combined = combined &+ h
        }
        return String(combined, radix: 16) + "-\(ratings.count)"
    }
}

extension RatingsData {
    /// `other`'s ratings (a held-out file read on its own) re-indexed onto this set's users and
    /// items; a line naming a user or item this set lacks is counted in `skipped`, not kept.
    public func aligned(_ other: RatingsData) -> (ratings: [Rating], skipped: Int) {
        var out: [Rating] = []
        out.reserveCapacity(other.ratings.count)
        var skipped = 0
        for r in other.ratings {
            guard let u = users.denseIndex(of: other.users[Int(r.user)]),
                let i = items.denseIndex(of: other.items[Int(r.item)])
            else {
                skipped += 1
                continue
            }
            out.append(Rating(user: u, item: i, value: r.value, timestamp: r.timestamp))
        }
        return (out, skipped)
    }
}
