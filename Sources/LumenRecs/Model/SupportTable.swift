import LumenNumerics

extension RankingTrainer {
    /// Every user's neighbour count behind E_uj for every item, counted once before training:
    /// with the item basis, how many of item j's k neighbours the user interacted with; with the
    /// user basis, how many of the user's k neighbours interacted with j. Neighbourhoods are fixed
    /// while training, so the counts are too, and an epoch's weights become table reads instead of
    /// k look-ups per drawn item (the item basis) or a walk over every neighbour's items per user
    /// (the user basis). Built only where users × items fits `maxEntries`; larger data sets
    /// count per user as they go (`ShareLookup`).
    struct SupportTable: Sendable {
        let items: Int
        let counts: [UInt16]

        /// 2^25 entries: 64 MB of counts (MovieLens-100k needs 1.6 M).
        static let maxEntries = 1 << 25

        init?(ratings: RatingMatrix, neighborhood: UserNeighborhood, workers: Int, limit: Int = maxEntries) {
            let (users, items) = (ratings.userCount, ratings.itemCount)
            let (entries, overflow) = users.multipliedReportingOverflow(by: items)
            guard !overflow, entries <= limit, neighborhood.k <= Int(UInt16.max) else { return nil }
            var counts = [UInt16](repeating: 0, count: entries)
            counts.withUnsafeMutableBufferPointer { buffer in
                let table = SharedPointer(buffer.baseAddress!)
                // Each worker fills the rows of its own users.
                _ = Parallel.map(workers) { w in
                    var lookup = ShareLookup(items: items)
                    for u in Parallel.share(users, part: w, of: workers) {
                        Self.fill(
                            table.base + u * items,
                            user: u,
                            ratings: ratings,
                            neighborhood: neighborhood,
                            lookup: &lookup
                        )
                    }
                    return 0
                }
            }
            (self.items, self.counts) = (items, counts)
        }

        /// User u's row of counts.
        static func fill(
            _ row: UnsafeMutablePointer<UInt16>,
            user u: Int,
            ratings: RatingMatrix,
            neighborhood: UserNeighborhood,
            lookup: inout ShareLookup
        ) {
            switch neighborhood.basis {
            case .items:
                // Row j counts the items of u among j's neighbours: every item u interacted with
                // adds one to each row that lists it.
                for i in ratings.items(of: u) {
                    for r in neighborhood.reverseOffsets[Int(i)]..<neighborhood.reverseOffsets[Int(i) + 1] {
                        row[Int(neighborhood.reverseRows[r])] &+= 1
                    }
                }
            case .users:
                lookup.load(user: u, neighborhood: neighborhood, ratings: ratings)
                for i in lookup.touched { row[Int(i)] = UInt16(lookup.marks[Int(i)]) }
                lookup.clear()
            }
        }

        /// The user's row.
        @inline(__always)
        func row(_ u: Int) -> ArraySlice<UInt16> { counts[(u * items)..<((u + 1) * items)] }
    }
}
