import Glibc

/// Why a `LoopbackHTTPServer` could not be created.
public enum LoopbackHTTPServerError: Error, Equatable, CustomStringConvertible {
    /// `host` is not a loopback IP address literal (127.0.0.0/8 or ::1).
    case notLoopback(host: String)
    /// A socket call failed while setting up the listener on `address`.
    case socketSetup(call: String, address: String, errno: Int32)

    public var description: String {
        switch self {
        case .notLoopback(let host):
            return "refusing to listen on \"\(host)\": only loopback addresses are allowed (127.0.0.0/8 or ::1)"
        case .socketSetup(let call, let address, let code):
            return "\(call) for \(address) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
