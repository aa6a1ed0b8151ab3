/// Why a post file cannot be accepted: every problem found, each with its line.
public struct PostFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// Sorted by line (`FieldProblem.sortedByLine`).
    public var problems: [FieldProblem]

    public init(file: String, problems: [FieldProblem]) {
        self.file = file
        self.problems = problems.sortedByLine()
    }

    public init(file: String, line: Int? = nil, field: String = "", message: String) {
        self.init(file: file, problems: [FieldProblem(line: line, field: field, message: message)])
    }

    /// One line per problem: `launch.md:4: at: not a time …`.
    public var description: String {
        problems.map { problem in
            let place = problem.line.map { "\(file):\($0)" } ?? file
            let field = problem.field.isEmpty ? "" : "\(problem.field): "
            return "\(place): \(field)\(problem.message)"
        }.joined(separator: "\n")
    }
}
