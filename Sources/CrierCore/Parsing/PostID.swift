/// Post ids name files in `sent/` and rows in the journal, so they are kept to safe characters.
public enum PostID {
    /// Why `id` is not acceptable, or nil when it is.
    public static func problem(_ id: String) -> String? {
        if id.isEmpty || id.count > 128 { return "'\(id)' must be 1 to 128 characters" }
        if id.hasPrefix(".") || id.hasPrefix("-") { return "'\(id)' must not start with '.' or '-'" }
        let allowed = id.unicodeScalars.allSatisfy {
            ($0.value >= 48 && $0.value <= 57) || ($0.value >= 65 && $0.value <= 90) || ($0.value >= 97 && $0.value <= 122)
                || $0 == "-" || $0 == "_" || $0 == "."
        }
        return allowed ? nil : "'\(id)' may contain only letters a-z, digits, '-', '_' and '.'; rename the file or set `id:`"
    }
}
