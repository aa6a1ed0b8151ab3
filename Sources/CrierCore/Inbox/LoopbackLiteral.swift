import Glibc

/// A loopback address written as a literal: IPv4 in 127.0.0.0/8, or `::1` (brackets allowed).
/// Anything else — another address, a name, `0.0.0.0` — is not one, so a listener built on this can
/// never be reached from another machine. Shared by `crier receive` and the tests' loopback server.
public enum LoopbackLiteral: Sendable {
    case ipv4(in_addr)
    /// `bare` is the literal without brackets.
    case ipv6(in6_addr, bare: String)

    public init?(_ host: String) {
        var ipv4 = in_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 {
            guard withUnsafeBytes(of: &ipv4, { $0[0] }) == 127 else { return nil }
            self = .ipv4(ipv4)
            return
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var ipv6 = in6_addr()
        guard inet_pton(AF_INET6, bare, &ipv6) == 1,
              withUnsafeBytes(of: &ipv6, { bytes in bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1 })
        else { return nil }
        self = .ipv6(ipv6, bare: bare)
    }
}
