import CrierCore
import FlyingSocks
import Glibc

/// An address `crier receive` may listen on: IPv4 in 127.0.0.0/8, or `::1` (brackets allowed).
/// Anything else is refused, so the receiver can never be reached from another machine.
struct LoopbackHost: Sendable, Equatable {
    /// The address as text, without brackets: `127.0.0.1`, `::1`.
    let address: String
    let isIPv6: Bool

    init(parsing host: String) throws(WebhookReceiverError) {
        switch LoopbackLiteral(host) {
        case .ipv4: (address, isIPv6) = (host, false)
        case .ipv6(_, let bare): (address, isIPv6) = (bare, true)
        case nil: throw .notLoopback(host: host)
        }
    }

    /// The host part of a URL: `127.0.0.1` or `[::1]`.
    var urlHost: String { isIPv6 ? "[\(address)]" : address }

    /// The socket address for `port` (0: the kernel picks a free one).
    func socketAddress(port: UInt16) throws -> any SocketAddress {
        isIPv6 ? try sockaddr_in6.inet6(ip6: address, port: port) : try sockaddr_in.inet(ip4: address, port: port)
    }
}
