import Foundation
import Testing

/// The real PostgreSQL that `scripts/postgres.sh start` runs on loopback, found through
/// `$CRIER_PG_ENV` or `.build-postgres/postgres.env` beside the package; and the few things a test
/// does with it from the outside: a fresh database of its own (`createDatabase()`), and a pause.
///
/// ```swift
/// let database = try PostgresServer.running().createDatabase()
/// defer { database.drop() }
/// ```
public struct PostgresServer: Sendable {
    /// crier's own database as a libpq URI without the password: `postgres://crier@127.0.0.1:PORT/crier`.
    public var url: String
    /// The password of role `crier` (LOGIN, CREATEDB).
    public var password: String
    /// The superuser through the server's socket (no password: the socket is its owner's and root's).
    public var adminURL: String
    public var host: String
    public var port: Int
    public var user: String
    /// The `psql` client to run (the server's own, else the one on PATH).
    public var psql: String
    /// The cluster's data directory, for `scripts/postgres.sh pause`.
    public var dataDirectory: String
    /// Where the values came from.
    public var environmentFile: String

    public static let startHint = "start the test PostgreSQL with `scripts/postgres.sh start` (scripts/test.sh and .ci/run do it for you)"

    /// Whether the running tests must have the server: `CRIER_PG_REQUIRED=1`, set by scripts/test.sh.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["CRIER_PG_REQUIRED"] == "1" }

    /// `$CRIER_PG_ENV`, else `.build-postgres/postgres.env` beside the package.
    public static var environmentPath: String {
        ProcessInfo.processInfo.environment["CRIER_PG_ENV"] ?? packageRoot + "/.build-postgres/postgres.env"
    }

    /// The running server. When there is none: with `CRIER_PG_REQUIRED=1` (scripts/test.sh, so CI)
    /// the test fails with an error that says how to start one; without it (a developer running some
    /// other filter) the test is cancelled — reported as skipped — with the same hint.
    public static func running(sourceLocation: SourceLocation = #_sourceLocation) throws -> PostgresServer {
        switch locate() {
        case .success(let server):
            return server
        case .failure(let unavailable):
            guard isRequired else { try Test.cancel(Comment(rawValue: unavailable.description), sourceLocation: sourceLocation) }
            // Thrown, it is the test's one issue ("Caught error: no PostgreSQL: … start it with …").
            throw unavailable
        }
    }

    /// True when a server answers (no issue recorded): for `.enabled(if:)` traits and benchmarks.
    public static var available: Bool {
        if case .success = locate() { return true }
        return false
    }

    /// Why there is no server to use.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The server described by the env file, once it answers a query through its admin URL.
    public static func locate() -> Result<PostgresServer, Unavailable> {
        let path = environmentPath
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .failure(Unavailable(description: "no PostgreSQL: \(path) is missing; \(startHint)"))
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let url = values["CRIER_PG_URL"], let password = values["CRIER_PG_PASSWORD"], let adminURL = values["CRIER_PG_ADMIN_URL"],
              let port = values["CRIER_PG_PORT"].flatMap(Int.init) else {
            return .failure(Unavailable(description: "\(path) lacks CRIER_PG_URL, _PASSWORD, _ADMIN_URL or _PORT; \(startHint)"))
        }
        let psql = values["CRIER_PG_PSQL"].flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil } ?? "psql"
        let server = PostgresServer(url: url, password: password, adminURL: adminURL, host: values["CRIER_PG_HOST"] ?? "127.0.0.1", port: port,
                                    user: values["CRIER_PG_USER"] ?? "crier", psql: psql, dataDirectory: values["CRIER_PG_DATA"] ?? "",
                                    environmentFile: path)
        do {
            try server.admin("SELECT 1")
        } catch {
            return .failure(Unavailable(description: "the PostgreSQL in \(path) (\(url)) does not answer (\(error)); \(startHint)"))
        }
        return .success(server)
    }

    /// A new, empty database `crier_t_<random>` owned by `crier`, for one test: drop it when done.
    public func createDatabase() throws -> PostgresDatabase {
        let name = "crier_t_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try admin("CREATE DATABASE \(name) OWNER \(user)")
        return PostgresDatabase(name: name, url: "postgres://\(user)@\(host):\(port)/\(name)", password: password, server: self)
    }

    /// Runs `sql` as the superuser in the `postgres` database; its output (tuples only, unaligned).
    @discardableResult
    public func admin(_ sql: String) throws -> String {
        try Self.psql(psql, url: adminURL, password: nil, sql: sql)
    }

    /// Stops the server for `seconds`, then starts it again on the same data and port
    /// (`scripts/postgres.sh pause`), in the background: the returned process ends once it is back.
    public func pause(seconds: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.packageRoot + "/scripts/postgres.sh")
        process.arguments = ["pause", String(seconds)]
        var environment = ProcessInfo.processInfo.environment
        environment["CRIER_PG_ENV"] = environmentFile
        if !dataDirectory.isEmpty { environment["CRIER_PG_DIR"] = dataDirectory }
        process.environment = environment
        try process.run()
        return process
    }

    /// A failed `psql` run: its exit status and standard error.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// One `psql` run: `sql` against `url` (the password through `PGPASSWORD`, never an argument);
    /// standard output, or a failure naming the exit status and standard error.
    static func psql(_ executable: String, url: String, password: String?, sql: String, timeout: TimeInterval = 60) throws -> String {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        environment["PGCONNECT_TIMEOUT"] = "5"
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Both pipes are drained while it runs, so a long answer cannot block it.
        let collected = DispatchGroup()
        final class Box: @unchecked Sendable {
            // Confinement: written by one reader each, read after the group is done.
            var output = Data()
            var error = Data()
        }
        let box = Box()
        DispatchQueue.global().async(group: collected) { box.output = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: collected) { box.error = error.fileHandleForReading.readDataToEndOfFile() }
        if collected.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw Failure(description: "psql did not finish within \(Int(timeout)) s: \(sql)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: box.error, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "psql exited with \(process.terminationStatus): \(message)")
        }
        return String(decoding: box.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The directory holding Package.swift, found from this file's path.
    public static var packageRoot: String {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory.path }
            directory.deleteLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath
    }
}
