/// Escaping for the HTML that Telegram (parse_mode HTML) and Matrix (`formatted_body`) receive.
enum HTMLText {
    /// `&`, `<`, `>` (and `"` for attribute values) as entities — Telegram's documented set
    /// (https://core.telegram.org/bots/api#html-style).
    static func escape(_ text: String, attribute: Bool = false) -> String {
        UTF8Text.replacingBytes(text) { c in
            switch c {
            case 0x26: "&amp;"
            case 0x3C: "&lt;"
            case 0x3E: "&gt;"
            case 0x22 where attribute: "&quot;"
            default: nil
            }
        }
    }

    /// A styled run as nested tags; `strong`/`em` or `b`/`i` depending on the dialect.
    static func styled(_ text: String, _ style: MarkdownStyle, bold: String, italic: String) -> String {
        var out = escape(text)
        if style.contains(.code) { return "<code>" + out + "</code>" }
        if style.contains(.italic) { out = "<\(italic)>" + out + "</\(italic)>" }
        if style.contains(.bold) { out = "<\(bold)>" + out + "</\(bold)>" }
        return out
    }
}
