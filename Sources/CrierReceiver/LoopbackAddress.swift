import CrierCore
import Glibc

/// A loopback IP address to listen on, and socket-address plumbing around it.
enum LoopbackAddress {
    case ipv4(in_addr)
    case ipv6(in6_addr)

    /// Parses `host`, an IPv4 literal in 127.0.0.0/8 or `::1` (brackets allowed); refuses anything else.
    init(parsing host: String) throws(LoopbackHTTPServerError) {
        switch LoopbackLiteral(host) {
        case .ipv4(let address): self = .ipv4(address)
        case .ipv6(let address, _): self = .ipv6(address)
        case nil: throw .notLoopback(host: host)
        }
    }

    var family: Int32 {
        switch self {
        case .ipv4: return AF_INET
        case .ipv6: return AF_INET6
        }
    }

    /// The host part of a URL: `127.0.0.1` or `[::1]`.
    var urlHost: String {
        switch self {
        case .ipv4(var address): return Self.text(family: AF_INET, &address)
        case .ipv6(var address): return "[\(Self.text(family: AF_INET6, &address))]"
        }
    }

    /// Calls `body` with this address and `port` as a `sockaddr`.
    func withSocketAddress<Result>(port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        switch self {
        case .ipv4(let address):
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = port.bigEndian
            socketAddress.sin_addr = address
            return withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .ipv6(let address):
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = port.bigEndian
            socketAddress.sin6_addr = address
            return withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }

    /// `ip:port` (or `[ip]:port` for IPv6) of a peer address filled in by `accept`.
    static func peerDescription(_ storage: UnsafePointer<sockaddr_storage>) -> String {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            return storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var address = pointer.pointee.sin_addr
                return "\(text(family: AF_INET, &address)):\(UInt16(bigEndian: pointer.pointee.sin_port))"
            }
        case AF_INET6:
            return storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                var address = pointer.pointee.sin6_addr
                return "[\(text(family: AF_INET6, &address))]:\(UInt16(bigEndian: pointer.pointee.sin6_port))"
            }
        default:
            return "unknown"
        }
    }

    private static func text<Address>(family: Int32, _ address: inout Address) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let converted = withUnsafeBytes(of: &address) { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard converted != nil else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
