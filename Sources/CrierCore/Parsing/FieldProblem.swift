/// One thing wrong with a field of a post file or the config: where it is and what to do about it.
public struct FieldProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line in the file, when known.
    public var line: Int?
    /// Dotted path of the field, e.g. `channels.ops.url` or `media[1].alt`; empty for the whole file.
    public var field: String
    /// What is wrong and what to do, as one sentence.
    public var message: String

    public init(line: Int?, field: String, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }

    /// `line 4: at: not a time …` — the file name is added by whoever knows it.
    public var description: String {
        let place = line.map { "line \($0): " } ?? ""
        let name = field.isEmpty ? "" : "\(field): "
        return "\(place)\(name)\(message)"
    }
}

extension Array where Element == FieldProblem {
    /// By line, as a reader goes through the file; problems of the same line keep their order, and
    /// those without a line (the file as a whole) come last.
    public func sortedByLine() -> [FieldProblem] {
        enumerated().sorted { left, right in
            let (a, b) = (left.element.line ?? Int.max, right.element.line ?? Int.max)
            return a != b ? a < b : left.offset < right.offset
        }.map(\.element)
    }
}
