/// Mastodon's own mention pattern, for counting a status the way its `StatusLengthValidator` does
/// (a remote mention counts as its local part, `@user`): `Account::MENTION_RE`,
/// `(?<![=/[:word:]])@((USERNAME_RE)(?:@[[:word:]]+([.-]+[[:word:]]+)*)?)` with
/// `USERNAME_RE = [a-z0-9_]+([.-]+[a-z0-9_]+)*` (case-insensitive), and the check of
/// `Extractor.extract_mentions_or_lists_with_indices`: a match followed by twitter-text's
/// `end_mention_match` (`@`, `＠`, a Latin accent, or `://`) is not a mention.
/// mastodon/mastodon `app/models/account.rb`, `app/lib/extractor.rb`,
/// `app/validators/status_length_validator.rb`. The domain may be any word characters, with or
/// without a dot (`@user@localhost`, `@user@bücher.de`). Ranges are UTF-8 bytes.
enum MastodonMention {
    struct Match: Equatable {
        /// `@user@domain`, all of it.
        var range: Range<Int>
        /// The end of `@user`.
        var localEnd: Int
        var isRemote: Bool { localEnd < range.upperBound }
    }

    static func matches(in text: String) -> [Match] {
        UTF8Text.withBytes(text) { matches(in: $0) }
    }

    static func matches(in b: UTF8Text.Bytes) -> [Match] {
        var result: [Match] = []
        var i = 0
        while i < b.count {
            guard b[i] == 0x40 else { i += 1; continue }
            if let before = UTF8Text.scalar(b, before: i), before == "=" || before == "/" || isWord(before) {
                i += 1
                continue
            }
            guard let localEnd = username(b, from: i + 1) else { i += 1; continue }
            var end = localEnd
            if localEnd < b.count, b[localEnd] == 0x40, let domainEnd = domain(b, from: localEnd + 1) { end = domainEnd }
            if endsMention(b, at: end) {
                // Not a mention; Ruby's scan goes on after the match.
                i = end
                continue
            }
            result.append(Match(range: i..<end, localEnd: localEnd))
            i = end
        }
        return result
    }

    /// `[a-z0-9_]+([.-]+[a-z0-9_]+)*`: the end, or nil when no username starts here.
    static func username(_ b: UTF8Text.Bytes, from start: Int) -> Int? {
        func isName(_ c: UInt8) -> Bool { UTF8Text.isASCIIAlnum(c) || c == 0x5F }
        var j = start
        while j < b.count, isName(b[j]) { j += 1 }
        guard j > start else { return nil }
        while true {
            var k = j
            while k < b.count, b[k] == 0x2E || b[k] == 0x2D { k += 1 }
            guard k > j, k < b.count, isName(b[k]) else { return j }
            while k < b.count, isName(b[k]) { k += 1 }
            j = k
        }
    }

    /// `[[:word:]]+([.-]+[[:word:]]+)*`: the end, or nil.
    static func domain(_ b: UTF8Text.Bytes, from start: Int) -> Int? {
        func word(at index: Int) -> Int? {
            guard index < b.count else { return nil }
            let (scalar, length) = UTF8Text.scalar(b, at: index)
            return isWord(scalar) ? length : nil
        }
        var j = start
        while let length = word(at: j) { j += length }
        guard j > start else { return nil }
        while true {
            var k = j
            while k < b.count, b[k] == 0x2E || b[k] == 0x2D { k += 1 }
            guard k > j, word(at: k) != nil else { return j }
            while let length = word(at: k) { k += length }
            j = k
        }
    }

    /// Onigmo's `[[:word:]]` on Unicode strings: Letter, Mark, Decimal_Number, Connector_Punctuation.
    static func isWord(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return UTF8Text.isASCIIAlnum(UInt8(s.value)) || s.value == 0x5F }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return false
        }
    }

    /// twitter-text's `end_mention_match`: `\A(?:[@＠]|[latin accents]|://)`.
    static func endsMention(_ b: UTF8Text.Bytes, at index: Int) -> Bool {
        guard index < b.count else { return false }
        if b[index] == 0x3A, index + 2 < b.count, b[index + 1] == 0x2F, b[index + 2] == 0x2F { return true }
        let (scalar, _) = UTF8Text.scalar(b, at: index)
        switch scalar.value {
        case 0x40, 0xFF20: return true
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0xFF, 0x100...0x24F, 0x253, 0x254, 0x256, 0x257, 0x259, 0x25B, 0x263, 0x268, 0x26F,
             0x272, 0x289, 0x28B, 0x2BB, 0x300...0x36F, 0x1E00...0x1EFF:
            return true
        default:
            return false
        }
    }
}
