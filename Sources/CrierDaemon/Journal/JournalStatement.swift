import Foundation
import GRDB
import GRDBSQLite

/// One of the journal's hot statements (a delivery or post upsert, many per group commit), run with
/// its values bound straight through the SQLite C API. GRDB's `execute(arguments:)` boxes every value
/// in a `DatabaseValue` array first, which was a third of the journal writer's time; the statement
/// itself is still prepared and cached by GRDB. Only plain INSERT/UPDATE statements inside GRDB's
/// own transaction go through here (no transaction effects for GRDB to track).
struct JournalStatement {
    let statement: Statement

    /// Binds the values `bind` hands to the binder, in order, and runs the statement once. Returns
    /// how many rows it changed.
    @discardableResult
    func execute(_ bind: (inout JournalStatementBinder) -> Void) throws -> Int {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        var binder = JournalStatementBinder(handle: handle)
        bind(&binder)
        let code = sqlite3_step(handle)
        let stepError = code == SQLITE_DONE ? nil : String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        if let stepError {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: stepError, sql: statement.sql)
        }
        return Int(sqlite3_changes(sqlite3_db_handle(handle)))
    }
}

/// Binds values to a statement's parameters 1, 2, 3, … in call order.
struct JournalStatementBinder {
    let handle: OpaquePointer
    private var index: Int32 = 1

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    /// SQLite copies the text (`SQLITE_TRANSIENT`), so the Swift string may go away after the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func text(_ value: String?) {
        if var value {
            value.withUTF8 { bytes in
                if let base = bytes.baseAddress, !bytes.isEmpty {
                    _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        sqlite3_bind_text(handle, index, $0, Int32(bytes.count), Self.transient)
                    }
                } else {
                    _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)  // empty text, not NULL
                }
            }
        } else {
            sqlite3_bind_null(handle, index)
        }
        index += 1
    }

    mutating func integer(_ value: Int?) {
        if let value { sqlite3_bind_int64(handle, index, Int64(value)) } else { sqlite3_bind_null(handle, index) }
        index += 1
    }

    mutating func date(_ value: Date?) {
        if let value { sqlite3_bind_double(handle, index, value.timeIntervalSince1970) } else { sqlite3_bind_null(handle, index) }
        index += 1
    }
}
