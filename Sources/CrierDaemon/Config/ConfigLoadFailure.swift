import CrierCore

/// Everything wrong with a config file, each problem with its line: what `crier check` prints and
/// what a refused reload logs.
public struct ConfigLoadFailure: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problems: [FieldProblem]

    public var description: String {
        problems.map { problem in
            let place = problem.line.map { "\(path):\($0)" } ?? path
            let field = problem.field.isEmpty ? "" : "\(problem.field): "
            return "\(place): \(field)\(problem.message)"
        }.joined(separator: "\n")
    }
}
