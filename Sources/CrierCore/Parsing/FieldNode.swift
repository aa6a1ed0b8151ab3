import Foundation
import Yams

/// A parsed YAML or JSON document reduced to what crier needs: scalars, lists and maps, each with the
/// 1-based line it started on. Post files and the config are validated against this one shape, so
/// errors point at the same lines whichever format the user wrote.
public indirect enum FieldNode: Sendable, Equatable {
    case scalar(String, line: Int)
    case null(line: Int)
    case list([FieldNode], line: Int)
    case map([FieldEntry], line: Int)

    public var line: Int {
        switch self {
        case .scalar(_, let line), .null(let line), .list(_, let line), .map(_, let line): return line
        }
    }

    /// A short description of the node's kind for "expected X, got Y" messages.
    public var kindName: String {
        switch self {
        case .scalar: return "a value"
        case .null: return "nothing"
        case .list: return "a list"
        case .map: return "a map"
        }
    }

    public subscript(key: String) -> FieldNode? {
        guard case .map(let entries, _) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }
}

/// One `key: value` of a map, with the line of its key.
public struct FieldEntry: Sendable, Equatable {
    public var key: String
    public var line: Int
    public var value: FieldNode

    public init(key: String, line: Int, value: FieldNode) {
        self.key = key
        self.line = line
        self.value = value
    }
}

extension FieldNode {
    /// The line of the first key or scalar that holds U+0000, depth first; nil when none does.
    public func lineOfFirstNUL() -> Int? {
        switch self {
        case .scalar(let text, let line): return text.utf8.contains(0) ? line : nil
        case .null: return nil
        case .list(let items, _):
            for item in items { if let line = item.lineOfFirstNUL() { return line } }
            return nil
        case .map(let entries, _):
            for entry in entries {
                if entry.key.utf8.contains(0) { return entry.line }
                if let line = entry.value.lineOfFirstNUL() { return line }
            }
            return nil
        }
    }

    /// Parses YAML text. `lineOffset` is added to every line (front matter starts below the `---`).
    public static func parseYAML(_ text: String, lineOffset: Int = 0) throws(FieldSyntaxError) -> FieldNode {
        try parseYAML(text, lineOffset: lineOffset, flat: true)
    }

    /// `flat: false` always goes through Yams (the tests compare the two paths).
    static func parseYAML(_ text: String, lineOffset: Int, flat: Bool) throws(FieldSyntaxError) -> FieldNode {
        // Refused before the parser sees it: aliases (which expand exponentially while composing)
        // and deep nesting (the composer recurses per level).
        try YAMLGuard.check(text, lineOffset: lineOffset)
        // The usual flat front matter, read directly (the same result; anything else is nil).
        if flat, let fields = FlatYAML.parse(text, lineOffset: lineOffset) { return fields }
        let node: Yams.Node?
        do {
            // The encoding is given: Yams's default reads the whole process environment every call.
            // The basic resolver (no rules): crier reads every scalar as text and parses it itself
            // (times, durations, numbers, null), so the default resolver's regular expressions,
            // run on every scalar to guess its type, were a quarter of parsing a post for nothing.
            // The constructor has no maps: composing nodes never constructs values, and
            // `Constructor.default` builds three dictionaries on every call.
            node = try Yams.compose(yaml: text, .basic, Constructor([:], [:], [:]), .utf8)
        } catch let error as YamlError {
            throw FieldSyntaxError(yamlError: error, lines: YAMLLineMap(text, lineOffset: lineOffset))
        } catch {
            throw FieldSyntaxError(line: nil, message: "\(error)")
        }
        guard let node else { return .map([], line: lineOffset + 1) }
        return try convert(node, lines: YAMLLineMap(text, lineOffset: lineOffset))
    }

    /// The plain (unquoted) scalars YAML reads as null.
    static func isPlainNull(_ value: String) -> Bool {
        switch value {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// At most this many values (scalars, lists, maps) in one file: far beyond any post or config,
    /// and a bound on the work of converting one, whatever its anchors, aliases or keys.
    public static let maxNodes = 100_000

    private static func convert(_ node: Yams.Node, lines: YAMLLineMap) throws(FieldSyntaxError) -> FieldNode {
        var budget = maxNodes
        return try convert(node, lines: lines, budget: &budget)
    }

    private static func convert(_ node: Yams.Node, lines: YAMLLineMap, budget: inout Int) throws(FieldSyntaxError) -> FieldNode {
        let line = lines.line(node.mark?.line ?? 0)
        budget -= 1
        guard budget >= 0 else {
            throw FieldSyntaxError(line: line, message: "more than \(maxNodes) values in one file; crier files need a few dozen")
        }
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain, isPlainNull(scalar.string) { return .null(line: line) }
            return .scalar(scalar.string, line: line)
        case .sequence(let sequence):
            var items: [FieldNode] = []
            for item in sequence { items.append(try convert(item, lines: lines, budget: &budget)) }
            return .list(items, line: line)
        case .mapping(let mapping):
            var entries: [FieldEntry] = []
            var keys: Set<String> = []
            for (key, value) in mapping {
                let keyLine = lines.line(key.mark?.line ?? 0)
                guard case .scalar(let keyScalar) = key else {
                    throw FieldSyntaxError(line: keyLine, message: "a key must be a plain word")
                }
                guard keys.insert(keyScalar.string).inserted else {
                    throw FieldSyntaxError(line: keyLine, message: "'\(keyScalar.string)' is given twice; keep one")
                }
                entries.append(FieldEntry(key: keyScalar.string, line: keyLine, value: try convert(value, lines: lines, budget: &budget)))
            }
            return .map(entries, line: line)
        case .alias:
            throw FieldSyntaxError(line: line, message: "YAML aliases are not supported here; write the value out")
        }
    }

    /// Parses JSON text. Foundation's parser has no positions, so each key's line is found by
    /// searching for `"key"` in the source after its parent's line: exact for the usual one-key-per-line
    /// layout, and never worse than pointing at the parent.
    public static func parseJSON(_ data: Data) throws(FieldSyntaxError) -> FieldNode {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw FieldSyntaxError(line: lineNumber(inMessage: text, of: data), message: "not valid JSON: \(text)")
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return convertJSON(object, line: 1, lines: lines)
    }

    private static func convertJSON(_ value: Any, line: Int, lines: [Substring]) -> FieldNode {
        switch value {
        case let dictionary as [String: Any]:
            var entries: [FieldEntry] = []
            for (key, item) in dictionary {
                let keyLine = lineOfKey(key, from: line, in: lines)
                entries.append(FieldEntry(key: key, line: keyLine, value: convertJSON(item, line: keyLine, lines: lines)))
            }
            entries.sort { ($0.line, $0.key) < ($1.line, $1.key) }
            return .map(entries, line: line)
        case let array as [Any]:
            return .list(array.map { convertJSON($0, line: line, lines: lines) }, line: line)
        case is NSNull:
            return .null(line: line)
        case let string as String:
            return .scalar(string, line: line)
        case let number as NSNumber:
            // Foundation boxes JSON true/false in a distinct NSNumber subclass.
            if String(describing: type(of: number)).contains("Boolean") {
                return .scalar(number.boolValue ? "true" : "false", line: line)
            }
            return .scalar(number.stringValue, line: line)
        default:
            return .scalar("\(value)", line: line)
        }
    }

    private static func lineOfKey(_ key: String, from line: Int, in lines: [Substring]) -> Int {
        let needle = "\"\(key)\""
        var index = max(0, line - 1)
        while index < lines.count {
            if lines[index].contains(needle) { return index + 1 }
            index += 1
        }
        return line
    }

    /// The line a JSON parser's message points at: `line N`, or `character N` (a byte offset, as
    /// Foundation on Linux reports it) turned into the line that holds it.
    static func lineNumber(inMessage message: String, of data: Data) -> Int? {
        if let range = message.range(of: "line ") {
            return Int(message[range.upperBound...].prefix { $0.isNumber })
        }
        guard let range = message.range(of: "character "),
              let offset = Int(message[range.upperBound...].prefix { $0.isNumber }) else { return nil }
        return data.prefix(max(0, offset)).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }
}

/// The file is not well-formed YAML or JSON at all.
public struct FieldSyntaxError: Error, Sendable, Equatable {
    public var line: Int?
    public var message: String

    public init(line: Int?, message: String) {
        self.line = line
        self.message = message
    }

    init(yamlError: YamlError, lines: YAMLLineMap) {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _):
            // A token the scanner could not finish (an unclosed quote, a key without ':') is the
            // user's mistake where the token starts; the end of the file is only where it noticed.
            self.init(problem: problem, context: context, noticedAt: mark, preferContext: true, lines: lines)
        case .parser(let context, let problem, let mark, _):
            // An unclosed `[` or `{` is wrong where it opens; in a block mapping the line noticed
            // (a key out of line) is the one to fix, and the mapping's start may be far above.
            let flow = context?.text.contains("flow") ?? false
            self.init(problem: problem, context: context, noticedAt: mark, preferContext: flow, lines: lines)
        case .composer(let context, let problem, let mark, _):
            self.init(problem: problem, context: context, noticedAt: mark, preferContext: false, lines: lines)
        default:
            self.init(line: nil, message: "not valid YAML: \(yamlError)")
        }
    }

    private init(problem: String, context: YamlError.Context?, noticedAt mark: Mark, preferContext: Bool, lines: YAMLLineMap) {
        let near = context.map { "\($0.text) " } ?? ""
        let message = "not valid YAML: \(near)\(problem)".trimmingCharacters(in: .whitespaces)
        let noticed = lines.line(mark.line)
        guard preferContext, let context, lines.line(context.mark.line) != noticed else {
            self.init(line: noticed, message: message)
            return
        }
        self.init(line: lines.line(context.mark.line), message: "\(message) (noticed at line \(noticed))")
    }
}
