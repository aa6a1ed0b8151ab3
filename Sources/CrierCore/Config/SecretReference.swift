/// Where a secret comes from. Config files hold references, never values (an inline value is
/// accepted with a warning, for quick experiments).
public enum SecretReference: Sendable, Equatable, CustomStringConvertible {
    /// `env:NAME` — an environment variable of the daemon.
    case environment(String)
    /// `file:/path` — the whole file, trailing newline removed.
    case file(String)
    /// `credential:NAME` — `$CREDENTIALS_DIRECTORY/NAME`, as systemd's `LoadCredential=` provides.
    case credential(String)
    /// A value written into the config itself.
    case inline(String)

    public init(_ text: String) {
        if text.hasPrefix("env:") {
            self = .environment(String(text.dropFirst(4)))
        } else if text.hasPrefix("file:") {
            self = .file(String(text.dropFirst(5)))
        } else if text.hasPrefix("credential:") {
            self = .credential(String(text.dropFirst(11)))
        } else {
            self = .inline(text)
        }
    }

    /// Safe to print: names the source, never the value.
    public var description: String {
        switch self {
        case .environment(let name): return "env:\(name)"
        case .file(let path): return "file:\(path)"
        case .credential(let name): return "credential:\(name)"
        case .inline: return "an inline value"
        }
    }
}
