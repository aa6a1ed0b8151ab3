/// Telegram's `parse_mode: HTML` rules, as strictly as the Bot API applies them
/// (https://core.telegram.org/bots/api#html-style): only the listed tags, properly nested; every
/// `<`, `>` and `&` that is not part of a tag or entity escaped; named entities only `&lt;`,
/// `&gt;`, `&amp;` and `&quot;`, numeric ones any. The length limits apply to the visible text.
enum TelegramHTMLCheck {
    static let tags: Set<String> = ["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
                                    "blockquote", "tg-emoji"]

    /// The visible text, or the Bot API's "can't parse entities" description.
    static func visibleText(_ html: String) -> Result<String, TelegramHTMLProblem> {
        var visible = ""
        var stack: [String] = []
        let scalars = Array(html.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "<":
                guard let close = scalars[index...].firstIndex(of: ">") else {
                    return .failure(TelegramHTMLProblem("Unclosed start tag at byte offset \(index)"))
                }
                let inner = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
                if inner.hasPrefix("/") {
                    let name = String(inner.dropFirst()).lowercased()
                    guard stack.last == name else {
                        return .failure(TelegramHTMLProblem("Unexpected end tag \"\(name)\" at byte offset \(index)"))
                    }
                    stack.removeLast()
                } else {
                    let name = String(inner.prefix { $0 != " " }).lowercased()
                    guard tags.contains(name) else {
                        return .failure(TelegramHTMLProblem("Unsupported start tag \"\(name)\" at byte offset \(index)"))
                    }
                    if name == "a", !inner.contains("href=\"") {
                        return .failure(TelegramHTMLProblem("Can't find end of href at byte offset \(index)"))
                    }
                    stack.append(name)
                }
                index = close + 1
            case ">":
                return .failure(TelegramHTMLProblem("Character '>' is reserved and must be escaped at byte offset \(index)"))
            case "&":
                guard let semicolon = scalars[index...].prefix(12).firstIndex(of: ";") else {
                    return .failure(TelegramHTMLProblem("Character '&' is reserved and must be escaped at byte offset \(index)"))
                }
                let entity = String(String.UnicodeScalarView(scalars[(index + 1)..<semicolon]))
                switch entity {
                case "lt": visible += "<"
                case "gt": visible += ">"
                case "amp": visible += "&"
                case "quot": visible += "\""
                default:
                    guard entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()), let decoded = Unicode.Scalar(code) else {
                        return .failure(TelegramHTMLProblem("Unsupported HTML entity \"&\(entity);\" at byte offset \(index)"))
                    }
                    visible.unicodeScalars.append(decoded)
                }
                index = semicolon + 1
            default:
                visible.unicodeScalars.append(scalar)
                index += 1
            }
        }
        if let open = stack.last { return .failure(TelegramHTMLProblem("Can't find end tag corresponding to start tag \"\(open)\"")) }
        return .success(visible)
    }
}
