/// Post ids name files in `sent/` and rows in the journal, so they are kept to safe characters.
public enum PostID {
    /// Why `id` is not acceptable, or nil when it is.
    public static func problem(_ id: String) -> String? {
        // Characters are counted only when there are more than 128 bytes (never more characters than bytes).
        if id.isEmpty || (id.utf8.count > 128 && id.count > 128) { return "'\(id)' must be 1 to 128 characters" }
        if id.hasPrefix(".") || id.hasPrefix("-") { return "'\(id)' must not start with '.' or '-'" }
        // Every allowed character is ASCII, so the bytes decide (a non-ASCII scalar's bytes are all ≥ 0x80).
        let allowed = id.utf8.allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122)
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
        return allowed ? nil : "'\(id)' may contain only letters a-z, digits, '-', '_' and '.'; rename the file or set `id:`"
    }

    /// The id a file name gives when the post sets no `id:`: its stem, made safe — letters folded to
    /// lowercase ASCII (`ü` → `u`), every other run of characters one `-` (`Launch day ünïcödé ✓.md` →
    /// `launch-day-unicode`). Empty when nothing usable is left (the caller then asks for `id:`).
    public static func fromFileName(_ fileName: String) -> String {
        let stem = PostFileFormat.stem(of: fileName)
        if problem(stem) == nil { return stem }
        let folded = stem.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var slug = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            let isSafe = (scalar.value >= 48 && scalar.value <= 57) || (scalar.value >= 97 && scalar.value <= 122)
                || scalar == "_" || scalar == "."
            if isSafe {
                if pendingDash, !slug.isEmpty { slug.append("-") }
                pendingDash = false
                slug.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        while slug.hasPrefix(".") { slug.removeFirst() }
        return String(slug.prefix(128))
    }
}
