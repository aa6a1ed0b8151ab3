import Glibc

/// The one place crier retries a system call that a signal interrupted (`EINTR`) and turns `errno`
/// into a typed `SystemError` naming the call and what it was made on.
///
/// `close(2)` is the exception, everywhere: it is never retried, because Linux releases the
/// descriptor even when interrupted, and a retry could close one another thread has just been given.
public enum SystemCall {
    /// Calls `body` until it succeeds or fails with something other than `EINTR`; `failed` says
    /// which results are failures (with `errno` set).
    @discardableResult
    public static func retrying<Result>(
        _ call: String, on subject: String = "", _ body: () -> Result, failed: (Result) -> Bool
    ) throws(SystemError) -> Result {
        while true {
            let result = body()
            guard failed(result) else { return result }
            let code = errno
            if code != EINTR { throw SystemError(call: call, path: subject, errno: code) }
        }
    }

    /// The common shape: a call that returns -1 on failure.
    @discardableResult
    public static func retrying<Result: FixedWidthInteger & SignedInteger>(
        _ call: String, on subject: String = "", _ body: () -> Result
    ) throws(SystemError) -> Result {
        try retrying(call, on: subject, body, failed: { $0 == -1 })
    }
}
