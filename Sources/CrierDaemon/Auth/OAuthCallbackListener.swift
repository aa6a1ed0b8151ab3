import Foundation
import Glibc

/// The loopback end of an OAuth redirect (RFC 8252 §7.3): listens on `127.0.0.1:PORT` for the
/// browser's `GET /callback?code=…&state=…`, and at the same time reads a line from the terminal, so
/// a user on another machine (over SSH) can paste the address the browser was sent to instead.
///
/// Hand-written rather than on FlyingFox (which `crier receive` uses) because it must wait on a
/// socket *and* standard input in one `poll()`, for exactly one request, without an async runtime.
public final class OAuthCallbackListener: Sendable {
    public let port: Int
    private let listener: Int32

    /// What arrived first: the query of the browser's redirect, or a line the user pasted.
    public enum Arrival: Sendable, Equatable {
        case redirect(query: String)
        case pasted(String)
        case inputClosed
        case timedOut
    }

    /// Binds `127.0.0.1:port` (0: any free port).
    public init(port: Int) throws(DaemonError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DaemonError("cannot open a socket for the OAuth redirect: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port)).bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw DaemonError("cannot listen on 127.0.0.1:\(port) for the OAuth redirect: \(reason); "
                              + "pick another port with --port (and register http://127.0.0.1:PORT/callback with the app)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
    }

    deinit {
        close(listener)
    }

    public var redirectURI: String { "http://127.0.0.1:\(port)/callback" }

    /// Waits for the redirect or a pasted line on `input` (a descriptor; -1 for none), up to `timeout`.
    /// Requests for other paths (a browser's `/favicon.ico`) are answered 404 and waited past.
    public func wait(input: Int32, timeout: TimeInterval) -> Arrival {
        let deadline = Date().addingTimeInterval(timeout)
        var pending = Data()
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return .timedOut }
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: input, events: Int16(POLLIN), revents: 0)]
            // Interrupted, the loop computes the remaining time again (a retry with the same
            // timeout would wait too long), so the poll is tried once per turn.
            let ready = poll(&descriptors, nfds_t(input >= 0 ? 2 : 1), Int32(min(remaining, 3600) * 1000))
            if ready < 0 {
                if errno == EINTR { continue }
                return .timedOut
            }
            if descriptors[0].revents != 0, let query = acceptOne() { return .redirect(query: query) }
            if input >= 0, descriptors[1].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = (try? SystemCall.retrying("read") { read(input, &buffer, buffer.count) }) ?? -1
                if count <= 0 { return pending.isEmpty ? .inputClosed : .pasted(String(decoding: pending, as: UTF8.self)) }
                pending.append(contentsOf: buffer[0..<count])
                if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    if !line.isEmpty { return .pasted(line) }
                    pending.removeSubrange(...newline)
                }
            }
        }
    }

    /// Accepts one connection and reads its request head; answers it. Returns the query of a
    /// `GET /callback`, nil for anything else.
    private func acceptOne() -> String? {
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return nil }
        defer { close(connection) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while head.count < 16_384, head.range(of: Data("\r\n\r\n".utf8)) == nil {
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { break }
            head.append(contentsOf: buffer[0..<count])
        }
        let requestLine = String(decoding: head.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = requestLine.split(separator: " ")
        guard parts.count >= 2, parts[0] == "GET", parts[1] == "/callback" || parts[1].hasPrefix("/callback?") else {
            respond(connection, status: "404 Not Found", text: "crier: this address only takes the OAuth redirect (/callback).")
            return nil
        }
        let target = String(parts[1])
        respond(connection, status: "200 OK", text: "crier has the answer; you can close this tab and go back to the terminal.")
        return target.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
    }

    private func respond(_ connection: Int32, status: String, text: String) {
        let body = Data("\(text)\n".utf8)
        let head = "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Data(head.utf8) + body
        _ = bytes.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
    }
}
