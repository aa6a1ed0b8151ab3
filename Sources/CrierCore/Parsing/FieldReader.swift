import Foundation

/// Reads typed values out of a `FieldNode` map and collects every problem instead of stopping at the
/// first, so `crier check` and rejected files list everything that needs fixing at once.
public struct FieldReader {
    public private(set) var problems: [FieldProblem] = []

    public init() {}

    public mutating func report(_ node: FieldNode?, _ field: String, _ message: String) {
        problems.append(FieldProblem(line: node?.line, field: field, message: message))
    }

    public mutating func report(line: Int?, _ field: String, _ message: String) {
        problems.append(FieldProblem(line: line, field: field, message: message))
    }

    /// The entries of a map, reporting keys outside `known` (with a "did you mean" where one is close).
    public mutating func entries(_ node: FieldNode, _ field: String, known: [String]) -> [FieldEntry] {
        guard case .map(let entries, _) = node else {
            report(node, field, "expected a map of `key: value` lines, got \(node.kindName)")
            return []
        }
        for entry in entries where !known.contains(entry.key) {
            let path = field.isEmpty ? entry.key : "\(field).\(entry.key)"
            let suggestion = FieldReader.closest(to: entry.key, in: known).map { "; did you mean '\($0)'?" } ?? ""
            report(line: entry.line, path, "unknown key\(suggestion) (known keys: \(known.joined(separator: ", ")))")
        }
        return entries
    }

    public mutating func string(_ node: FieldNode?, _ field: String) -> String? {
        guard let node else { return nil }
        switch node {
        case .scalar(let value, _): return value
        case .null: return nil
        default:
            report(node, field, "expected a single value, got \(node.kindName)")
            return nil
        }
    }

    public mutating func nonEmptyString(_ node: FieldNode?, _ field: String) -> String? {
        guard let value = string(node, field) else { return nil }
        let trimmed = value.crierTrimmingWhitespace()
        if trimmed.isEmpty {
            report(node, field, "must not be empty")
            return nil
        }
        return trimmed
    }

    public mutating func int(_ node: FieldNode?, _ field: String, range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, field) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            report(node, field, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
            return nil
        }
        return value
    }

    public mutating func bool(_ node: FieldNode?, _ field: String) -> Bool? {
        guard let text = string(node, field) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report(node, field, "expected true or false, got '\(text)'")
            return nil
        }
    }

    public mutating func duration(_ node: FieldNode?, _ field: String) -> TimeInterval? {
        guard let text = string(node, field) else { return nil }
        guard let seconds = DurationParser.seconds(text) else {
            report(node, field, "expected a duration like 90s, 5m, 2h, 1d or 1h30m, got '\(text)'")
            return nil
        }
        return seconds
    }

    /// A list of strings; a single value is accepted as a one-element list.
    public mutating func stringList(_ node: FieldNode?, _ field: String) -> [String]? {
        guard let node else { return nil }
        switch node {
        case .null: return []
        case .scalar(let value, _): return [value]
        case .list(let items, _):
            var values: [String] = []
            values.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                // Scalars directly: the item's field name is only made for a problem.
                switch item {
                case .scalar(let value, _): values.append(value)
                case .null: break
                default: if let value = string(item, "\(field)[\(index + 1)]") { values.append(value) }
                }
            }
            return values
        case .map:
            report(node, field, "expected a list like [a, b], got a map")
            return nil
        }
    }

    public mutating func enumValue<E: RawRepresentable & CaseIterable>(_ node: FieldNode?, _ field: String, as: E.Type) -> E? where E.RawValue == String {
        guard let text = string(node, field) else { return nil }
        guard let value = E(rawValue: text.lowercased()) else {
            let options = E.allCases.map(\.rawValue).joined(separator: " | ")
            report(node, field, "expected one of \(options), got '\(text)'")
            return nil
        }
        return value
    }

    /// The known word nearest to `word` by edit distance, when it is plausibly a typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let best = candidates.map { ($0, editDistance(word.lowercased(), $0)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(1, word.count / 3) else { return nil }
        return best.0
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    /// neighbouring letters (the commonest typo) each cost 1.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
