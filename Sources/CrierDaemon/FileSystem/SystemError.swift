import Glibc

/// A failed system call: which call, on what, and errno in words.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var call: String
    public var path: String
    public var errno: Int32

    public init(call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    public var description: String {
        "\(call) \(path): \(String(cString: strerror(errno)))"
    }
}

/// Runs a system call, retrying on EINTR, and turns -1 into a `SystemError`.
@discardableResult
func systemCall<T: FixedWidthInteger>(_ name: String, _ path: String, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code != EINTR { throw SystemError(call: name, path: path, errno: code) }
    }
}
