#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The address in `$NOTIFY_SOCKET`, parsed the way `sd_notify(3)` does (without libsystemd).
///
/// * `/run/systemd/notify` — a filesystem socket. The sockaddr carries the path plus its
///   terminating NUL (the kernel accepts it with or without; libsystemd sends it).
/// * `@name` — a Linux abstract socket. The `@` becomes a NUL byte and the sockaddr length is
///   `offsetof(sun_path) + 1 + name.count`, with no trailing NUL: abstract names are length-delimited,
///   so an extra NUL would name a *different* socket.
///
/// Anything else (empty, relative, `vsock:` of newer systemd, too long for `sun_path`) is rejected.
struct NotifySocketAddress: Sendable, Equatable {
    /// The bytes copied into `sun_path`; for an abstract socket the first byte is 0.
    let pathBytes: [UInt8]
    /// True for `@name` addresses.
    let isAbstract: Bool

    /// Capacity of `sockaddr_un.sun_path` (108 on Linux).
    static let sunPathCapacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    /// Byte offset of `sun_path` inside `sockaddr_un` (2 on Linux).
    static let sunPathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)
        ?? MemoryLayout<sa_family_t>.size

    init?(_ value: String) {
        var bytes = Array(value.utf8)
        guard let first = bytes.first, !bytes.contains(0) else { return nil }
        switch first {
        case UInt8(ascii: "@"):
            guard bytes.count >= 2, bytes.count <= Self.sunPathCapacity else { return nil }
            bytes[0] = 0
            isAbstract = true
        case UInt8(ascii: "/"):
            // Room for the terminating NUL.
            guard bytes.count < Self.sunPathCapacity else { return nil }
            isAbstract = false
        default:
            return nil
        }
        pathBytes = bytes
    }

    /// The `socklen_t` to pass to `sendto(2)` together with `makeSockaddr()`.
    var sockaddrLength: socklen_t {
        socklen_t(Self.sunPathOffset + pathBytes.count + (isAbstract ? 0 : 1))
    }

    /// A zero-filled `sockaddr_un` with `sun_family = AF_UNIX` and the path bytes in place.
    func makeSockaddr() -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        return address
    }
}
