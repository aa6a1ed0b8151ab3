/// Looks at YAML text before it is parsed, for what would make parsing itself explode: an alias
/// (`*name`) of an anchor (`&name`) defined in the same text — nested aliases ("billion laughs")
/// expand exponentially while the document is composed, so a file of a few hundred bytes takes
/// tens of gigabytes — and flow collections (`[`, `{`) nested deeper than `maxFlowDepth` (the
/// composer recurses once per level).
///
/// crier's files never need aliases, so any alias of a defined anchor is refused with its line,
/// before anything is built. The scan is linear and deliberately knows no YAML context (quotes,
/// comments, block scalars, where a node may start): a context it misread could hide an alias from
/// it — YAML lets a flow value follow a quoted key's colon directly (`{"a":&a [x]}`), which a
/// "starts a word" rule once missed — so it takes every `&name` and `*name`, wherever it stands, as
/// an anchor or alias. Text that has both `&x` and `*x` for the same `x` is therefore refused even
/// inside quotes or words, which ordinary posts never do; `Tom & Jerry`, `R&D`, `*Faster* builds`
/// or `&amp;` alone are fine. `FieldNode`'s budget of values per file stands behind it.
public enum YAMLGuard {
    public static let maxFlowDepth = 64

    /// Throws for text that must not be handed to the YAML parser.
    public static func check(_ text: String, lineOffset: Int = 0) throws(FieldSyntaxError) {
        var anchors: Set<[UInt8]> = []
        var depth = 0
        var line = 1
        let bytes = text.utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
            case UInt8(ascii: "&"), UInt8(ascii: "*"):
                var end = bytes.index(after: index)
                while end < bytes.endIndex, !endsName(bytes[end]) { end = bytes.index(after: end) }
                let name = Array(bytes[bytes.index(after: index)..<end])
                if !name.isEmpty {
                    if byte == UInt8(ascii: "&") {
                        anchors.insert(name)
                    } else if anchors.contains(name) {
                        throw FieldSyntaxError(line: line + lineOffset, message:
                            "YAML aliases (*\(String(decoding: name, as: UTF8.self))) are not allowed in crier files: write the value out")
                    }
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxFlowDepth {
                    throw FieldSyntaxError(line: line + lineOffset, message:
                        "lists and maps are nested more than \(maxFlowDepth) levels deep; crier files need a few at most")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            default:
                break
            }
            index = bytes.index(after: index)
        }
    }

    /// Anchor names end at white space and flow indicators.
    private static func endsName(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "{")
            || byte == UInt8(ascii: "}")
    }
}
