import LumenNumerics

/// Train/test splits of a ratings set.
public enum RatingsSplit: Sendable, Equatable {
    /// A random `testFraction` of all ratings goes to test.
    case random(testFraction: Double, seed: UInt64)
    /// For every user with more than `n` ratings, `n` random ratings go to test.
    case leaveNOut(n: Int, seed: UInt64)
    /// The latest `testFraction` of ratings by timestamp go to test.
    case temporal(testFraction: Double)

    /// Splits the ratings; fails when either side would be empty.
    public func apply(to ratings: [Rating]) throws(RecsError) -> (train: [Rating], test: [Rating]) {
        guard !ratings.isEmpty else { throw .emptyData("nothing to split") }
        var train: [Rating] = []
        var test: [Rating] = []
        switch self {
        case .random(let fraction, let seed):
            guard fraction > 0, fraction < 1 else {
                throw .invalidOption("test fraction must be in (0, 1), got \(fraction)")
            }
            var generator = SeededGenerator(seed: seed)
            var order = Array(ratings.indices)
            order.shuffle(using: &generator)
            let cut = Int((Double(ratings.count) * fraction).rounded())
            test = order.prefix(cut).map { ratings[$0] }
            train = order.dropFirst(cut).map { ratings[$0] }
        case .leaveNOut(let n, let seed):
            guard n >= 1 else { throw .invalidOption("leave-n-out needs n ≥ 1") }
            var generator = SeededGenerator(seed: seed)
            var byUser: [Int32: [Int]] = [:]
            for (i, r) in ratings.enumerated() { byUser[r.user, default: []].append(i) }
            var isTest = [Bool](repeating: false, count: ratings.count)
            for user in byUser.keys.sorted() {
                var indices = byUser[user]!
                guard indices.count > n else { continue }
                indices.shuffle(using: &generator)
                for i in indices.prefix(n) { isTest[i] = true }
            }
            for (i, r) in ratings.enumerated() {
                if isTest[i] { test.append(r) } else { train.append(r) }
            }
        case .temporal(let fraction):
            guard fraction > 0, fraction < 1 else {
                throw .invalidOption("test fraction must be in (0, 1), got \(fraction)")
            }
            let sorted = ratings.enumerated().sorted {
                ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset)
            }.map(\.element)
            let cut = sorted.count - Int((Double(sorted.count) * fraction).rounded())
            train = Array(sorted.prefix(cut))
            test = Array(sorted.dropFirst(cut))
        }
        guard !train.isEmpty else { throw .emptyData("the split left no training ratings") }
        guard !test.isEmpty else { throw .emptyData("the split left no test ratings") }
        return (train, test)
    }
}
