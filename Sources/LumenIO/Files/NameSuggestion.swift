/// "Did you mean …?" for names a user typed: a column, an option, a command.
public enum NameSuggestion {
    /// The name closest to `name` by edit distance (case-insensitive), if it is close enough to be a typo: at most
    /// a third of the longer name's length away (at least one edit allowed), or one name a prefix of the other
    /// (`--output` for `--out`). Only the first 5000 names count.
    public static func nearest(_ name: String, in names: [String]) -> String? {
        let target = Array(name.lowercased())
        var best: (distance: Int, name: String)?
        for candidate in names.prefix(5000) where candidate != name {
            let other = Array(candidate.lowercased())
            var previous = Array(0...other.count)
            for (i, a) in target.enumerated() {
                var row = [i + 1] + [Int](repeating: 0, count: other.count)
                for (j, b) in other.enumerated() {
                    row[j + 1] = min(previous[j + 1] + 1, row[j] + 1, previous[j] + (a == b ? 0 : 1))
                }
                previous = row
            }
            let d = previous[other.count]
            let prefix =
                min(target.count, other.count) >= 3 && (target.starts(with: other) || other.starts(with: target))
            let close = d <= max(1, max(target.count, other.count) / 3) || prefix
            if close, d < (best?.distance ?? .max) { best = (d, candidate) }
        }
        return best?.name
    }
}
