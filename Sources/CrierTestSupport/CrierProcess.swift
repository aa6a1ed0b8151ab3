import Foundation
import Glibc

/// The real `crier` binary as a subprocess, for end-to-end tests.
public final class CrierProcess: @unchecked Sendable {
    // Confinement: used from the test's own thread only.
    public let process = Process()
    private let errorPipe = Pipe()
    private let outputPipe = Pipe()
    private var collectedError = Data()
    /// Standard error reached its end (the process and any child holding it are gone).
    private var errorEnded = false
    private let lock = NSLock()
    /// The exit status, once `waitForExit` saw the end (the way to read it: see `Process.waitForExit`).
    public private(set) var exitStatus: Int32?

    /// The built binary: `$CRIER_BINARY`, else `.build/debug/crier` (or release) beside the package.
    public static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["CRIER_BINARY"] { return path }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            for configuration in ["debug", "release"] {
                let candidate = directory.appendingPathComponent(".build/\(configuration)/crier").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
            directory.deleteLastPathComponent()
        }
        return "crier"
    }

    public init(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) {
        process.executableURL = URL(fileURLWithPath: Self.binaryPath)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        env["JOURNAL_STREAM"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardError = errorPipe
        process.standardOutput = outputPipe
        errorPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            // End of file: stop watching now. Left in place, the handler fires again and again on
            // EOF, and its dispatch source outlives the pipe's descriptor when the handle is freed
            // (a crash in libdispatch's event loop, seen once in CI).
            if data.isEmpty { handle.readabilityHandler = nil }
            guard let self else { return }
            self.lock.lock()
            self.collectedError.append(data)
            if data.isEmpty { self.errorEnded = true }
            self.lock.unlock()
        }
    }

    deinit {
        // Cancel the watch before the pipe's handle (and its descriptor) goes away.
        errorPipe.fileHandleForReading.readabilityHandler = nil
    }

    public func start() throws {
        try process.run()
    }

    /// Runs to completion (bounded by `timeout`), returning the exit status and standard output.
    public static func run(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> (status: Int32, output: String, error: String) {
        let child = CrierProcess(arguments, environment: environment)
        try child.start()
        let output = child.outputPipe.fileHandleForReading.readDataToEndOfFile()
        guard child.waitForExit(timeout: timeout) else {
            child.kill(SIGKILL)
            return (-1, String(decoding: output, as: UTF8.self), child.standardError)
        }
        // The last lines of standard error arrive through the readability handler, which may run
        // after the process is gone: wait (bounded) for its end of file, so no line is missed.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !child.lock.withLock({ child.errorEnded }) { usleep(5_000) }
        return (child.exitStatus ?? -1, String(decoding: output, as: UTF8.self), child.standardError)
    }

    /// Reads standard output to its end (call after `start()`).
    public func readOutput() -> String {
        String(decoding: outputPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    public var standardError: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: collectedError, as: UTF8.self)
    }

    public func kill(_ signal: Int32) {
        Glibc.kill(process.processIdentifier, signal)
    }

    @discardableResult
    public func waitForExit(timeout: TimeInterval) -> Bool {
        if exitStatus == nil { exitStatus = process.waitForExit(timeout: timeout) }
        return exitStatus != nil
    }

    /// Waits until standard error contains `text`.
    @discardableResult
    public func waitForLog(_ text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if standardError.contains(text) { return true }
            usleep(20_000)
        }
        return false
    }
}
