import Glibc

/// A failed system call: which call, on what (a path, or empty), and errno in words.
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
        path.isEmpty ? "\(call): \(String(cString: strerror(errno)))" : "\(call) \(path): \(String(cString: strerror(errno)))"
    }
}
