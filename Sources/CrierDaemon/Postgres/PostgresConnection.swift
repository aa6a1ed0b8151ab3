import CLibPQ
import Foundation
import Glibc

/// One libpq connection, used by one thread at a time (its owner confines it: a queue or a lock).
/// Statements take their parameters as text (`$1`, `$2` …; `Data` as binary) and return every row at
/// once, as text read through `PostgresRow` (or as bytes, `queryBytes`, for the posts' media).
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
        try rows(of: execute(sql, parameters, binaryResult: false))
    }

    /// Runs one statement and returns its rows' columns as bytes, as PostgreSQL's binary format gives
    /// them: a `bytea` column's bytes, a `text` column's UTF-8 (for large binary values, which the
    /// text format would double as hexadecimal).
    public func queryBytes(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) throws(PostgresError) -> [[Data?]] {
        let result = try execute(sql, parameters, binaryResult: true)
        defer { PQclear(result) }
        try check(result)
        var rows: [[Data?]] = []
        for row in 0..<PQntuples(result) {
            rows.append((0..<PQnfields(result)).map { column in
                guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else { return nil }
                return Data(bytes: value, count: Int(PQgetlength(result, row, column)))
            })
        }
        return rows
    }

    /// Sends one statement: text parameters in PostgreSQL's text format, `Data` ones as binary
    /// (a `bytea` parameter goes as its bytes, not as hexadecimal text twice its size).
    private func execute(_ sql: String, _ parameters: [(any PostgresEncodable)?], binaryResult: Bool) throws(PostgresError) -> OpaquePointer {
        var values: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        defer { for pointer in values { free(pointer) } }
        for parameter in parameters {
            if let bytes = parameter as? Data {
                let buffer = malloc(max(1, bytes.count))!.assumingMemoryBound(to: CChar.self)
                bytes.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { memcpy(buffer, base, bytes.count) }
                }
                values.append(buffer)
                lengths.append(Int32(bytes.count))
                formats.append(1)
            } else {
                values.append(parameter.map { strdup($0.postgresText) } ?? nil)
                lengths.append(0)
                formats.append(0)
            }
        }
        let result: OpaquePointer? = values.map { UnsafePointer($0) }.withUnsafeBufferPointer { buffer in
            PQexecParams(handle, sql, Int32(values.count), nil, buffer.baseAddress, lengths, formats, binaryResult ? 1 : 0)
        }
        guard let result else {
            throw PostgresError("no answer from \(displayURL): \(String(cString: PQerrorMessage(handle)))")
        }
        return result
    }

    /// Runs one or more statements without parameters (schema changes, `BEGIN`/`COMMIT`).
    public func execute(_ sql: String) throws(PostgresError) {
        _ = try rows(of: PQexec(handle, sql))
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    /// - Parameter begin: the statement that opens it (`BEGIN ISOLATION LEVEL REPEATABLE READ` for
    ///   several reads that must see one snapshot).
    public func transaction<T>(begin: String = "BEGIN", _ body: () throws(PostgresError) -> T) throws(PostgresError) -> T {
        try execute(begin)
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
        try check(result)
        guard PQresultStatus(result) == PGRES_TUPLES_OK else { return [] }
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
    }

    /// Throws the server's error if the statement failed.
    private func check(_ result: OpaquePointer) throws(PostgresError) {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_TUPLES_OK:
            return
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
