/// The names of the configuration keys, and "did you mean" suggestions for misspelt ones.
enum ConfigurationKeys {
    /// Every key the file may hold.
    static var all: [String] { OTAConfiguration.keyTable.keys.sorted() }

    /// The known key closest to `key`, when it is close enough to be a likely typo.
    static func suggestion(for key: String) -> String? {
        let lowered = key.lowercased().replacingOccurrences(of: "-", with: "_")
        var best: (key: String, distance: Int)?
        for candidate in all {
            let distance = editDistance(lowered, candidate)
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best, best.distance <= max(2, best.key.count / 3) else { return nil }
        return best.key
    }

    /// Levenshtein distance between two strings.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
