/// A delegation's path pattern, matched as python-tuf does: pattern and target path are split at `/`
/// and must have as many segments, each segment matched like Python's `fnmatch.fnmatchcase` —
/// `*` any run of characters, `?` one character, `[abc]`, `[a-z]`, `[!abc]` a class, anything else
/// literally, case-sensitive. So `*` never crosses a `/`: `app/*/*` covers `app/1.2.0/app.tar.gz`.
enum TUFPathPattern {
    /// Whether `path` matches `pattern`.
    static func matches(_ path: String, pattern: String) -> Bool {
        let pathSegments = path.split(separator: "/", omittingEmptySubsequences: false)
        let patternSegments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard pathSegments.count == patternSegments.count else { return false }
        return zip(pathSegments, patternSegments).allSatisfy { segment, segmentPattern in
            matchesSegment(Array(segment.unicodeScalars), tokens(Array(segmentPattern.unicodeScalars)))
        }
    }

    private enum Token {
        case any
        case one
        case literal(Unicode.Scalar)
        case set(ranges: [ClosedRange<Unicode.Scalar>], negated: Bool)

        func accepts(_ scalar: Unicode.Scalar) -> Bool {
            switch self {
            case .any, .one: true
            case .literal(let expected): scalar == expected
            case .set(let ranges, let negated): ranges.contains { $0.contains(scalar) } != negated
            }
        }
    }

    /// The pattern as tokens; a `[` without its closing `]` is a literal `[`, as in Python.
    private static func tokens(_ pattern: [Unicode.Scalar]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < pattern.count {
            let scalar = pattern[index]
            index += 1
            switch scalar {
            case "*":
                if case .any? = tokens.last { continue }
                tokens.append(.any)
            case "?":
                tokens.append(.one)
            case "[":
                var end = index
                if end < pattern.count, pattern[end] == "!" { end += 1 }
                if end < pattern.count, pattern[end] == "]" { end += 1 }
                while end < pattern.count, pattern[end] != "]" { end += 1 }
                guard end < pattern.count else {
                    tokens.append(.literal("["))
                    continue
                }
                var content = Array(pattern[index..<end])
                index = end + 1
                let negated = content.first == "!"
                if negated { content.removeFirst() }
                tokens.append(.set(ranges: ranges(content), negated: negated))
            default:
                tokens.append(.literal(scalar))
            }
        }
        return tokens
    }

    /// The members of a class body: single characters and `a-z` ranges (a reversed range matches nothing).
    private static func ranges(_ content: [Unicode.Scalar]) -> [ClosedRange<Unicode.Scalar>] {
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        var index = 0
        while index < content.count {
            let low = content[index]
            if index + 2 < content.count, content[index + 1] == "-" {
                let high = content[index + 2]
                if low <= high { ranges.append(low...high) }
                index += 3
            } else {
                ranges.append(low...low)
                index += 1
            }
        }
        return ranges
    }

    /// Matches with backtracking to the last `*` only, which is linear in practice.
    private static func matchesSegment(_ text: [Unicode.Scalar], _ tokens: [Token]) -> Bool {
        var textIndex = 0, tokenIndex = 0
        var star: (token: Int, text: Int)?
        while textIndex < text.count {
            if tokenIndex < tokens.count, case .any = tokens[tokenIndex] {
                star = (tokenIndex, textIndex)
                tokenIndex += 1
            } else if tokenIndex < tokens.count, tokens[tokenIndex].accepts(text[textIndex]) {
                tokenIndex += 1
                textIndex += 1
            } else if let last = star {
                star = (last.token, last.text + 1)
                tokenIndex = last.token + 1
                textIndex = last.text + 1
            } else {
                return false
            }
        }
        while tokenIndex < tokens.count, case .any = tokens[tokenIndex] { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }
}
