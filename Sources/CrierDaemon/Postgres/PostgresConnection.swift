import CLibPQ
import Foundation
import Glibc

/// One libpq connection, used by one thread at a time (its owner confines it: a queue or a lock).
/// Statements take their parameters as text (`$1`, `$2` …) and return every row at once, as text
/// read through `PostgresRow`; crier's tables hold only text, integers, booleans and epoch seconds.
public final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    /// For messages: the URL without its password.
    public let displayURL: String

    /// Connects to `url` (a libpq URI or key=value string) with `password` (kept out of the URL so it
    /// never reaches a log line), failing after `connectTimeout` seconds.
    public init(url: String, password: String?, applicationName: String = "crier", connectTimeout: Int = 5) throws(PostgresError) {
        displayURL = Self.redacted(url)
        var keys = ["dbname", "application_name", "connect_timeout"]
        var values = [url, applicationName, String(max(1, connectTimeout))]
        if let password {
            keys.append("password")
            values.append(password)
        }
        let cKeys = keys.map { strdup($0) } + [nil]
        let cValues = values.map { strdup($0) } + [nil]
        defer {
            for pointer in cKeys { free(pointer) }
            for pointer in cValues { free(pointer) }
        }
        let connection: OpaquePointer? = cKeys.map { UnsafePointer($0) }.withUnsafeBufferPointer { keyBuffer in
            cValues.map { UnsafePointer($0) }.withUnsafeBufferPointer { valueBuffer in
                PQconnectdbParams(keyBuffer.baseAddress, valueBuffer.baseAddress, 1)
            }
        }
        guard let connection else { throw PostgresError("libpq could not allocate a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError("cannot connect to \(displayURL): \(message)")
        }
        handle = connection
        // Every time crier stores is epoch seconds; the session's own clock settings never matter,
        // but notices (e.g. "relation already exists, skipping") are not for crier's log.
        _ = try? execute("SET client_min_messages = warning")
    }

    deinit {
        PQfinish(handle)
    }

    /// Whether the connection still works as far as libpq knows (a failed statement on a dead
    /// socket marks it bad).
    public var isUsable: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Runs one statement with parameters and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) throws(PostgresError) -> [PostgresRow] {
        let texts = parameters.map { $0?.postgresText }
        let cValues = texts.map { $0.map { strdup($0) } ?? nil }
        defer { for pointer in cValues { free(pointer) } }
        let result: OpaquePointer? = cValues.map { UnsafePointer($0) }.withUnsafeBufferPointer { buffer in
            PQexecParams(handle, sql, Int32(texts.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        return try rows(of: result)
    }

    /// Runs one or more statements without parameters (schema changes, `BEGIN`/`COMMIT`).
    public func execute(_ sql: String) throws(PostgresError) {
        _ = try rows(of: PQexec(handle, sql))
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    public func transaction<T>(_ body: () throws(PostgresError) -> T) throws(PostgresError) -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if isUsable { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Starts listening on `channel` (an identifier crier chooses, never user input).
    public func listen(_ channel: String) throws(PostgresError) {
        try execute("LISTEN \(channel)")
    }

    /// Waits up to `timeout` seconds for notifications on the channels listened to and returns their
    /// channel names (empty on timeout). Throws when the connection broke.
    public func waitForNotifications(timeout: TimeInterval) throws(PostgresError) -> [String] {
        var received = try drainNotifications()
        guard received.isEmpty else { return received }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw PostgresError("the connection to \(displayURL) is closed") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(max(0, timeout) * 1000))
        if ready > 0 {
            guard PQconsumeInput(handle) == 1 else {
                throw PostgresError("the connection to \(displayURL) broke: \(String(cString: PQerrorMessage(handle)))")
            }
            received = try drainNotifications()
        }
        return received
    }

    private func drainNotifications() throws(PostgresError) -> [String] {
        var names: [String] = []
        while let notification = PQnotifies(handle) {
            names.append(String(cString: notification.pointee.relname))
            PQfreemem(notification)
        }
        return names
    }

    private func rows(of result: OpaquePointer?) throws(PostgresError) -> [PostgresRow] {
        guard let result else {
            throw PostgresError("no answer from \(displayURL): \(String(cString: PQerrorMessage(handle)))")
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return []
        case PGRES_TUPLES_OK:
            let count = PQntuples(result)
            let columns = PQnfields(result)
            var rows: [PostgresRow] = []
            rows.reserveCapacity(Int(count))
            for row in 0..<count {
                var values: [String?] = []
                values.reserveCapacity(Int(columns))
                for column in 0..<columns {
                    values.append(PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column)))
                }
                rows.append(PostgresRow(values: values))
            }
            return rows
        default:
            let message = String(cString: PQresultErrorMessage(result))
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            throw PostgresError(message.isEmpty ? String(cString: PQerrorMessage(handle)) : message, sqlState: state)
        }
    }

    /// `url` with any password in it replaced, for messages.
    public static func redacted(_ url: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: "(://[^:/@]+:)[^@]*@") else { return url }
        let range = NSRange(url.startIndex..., in: url)
        return regex.stringByReplacingMatches(in: url, range: range, withTemplate: "$1***@")
            .replacingOccurrences(of: #"password=\S+"#, with: "password=***", options: .regularExpression)
    }
}
