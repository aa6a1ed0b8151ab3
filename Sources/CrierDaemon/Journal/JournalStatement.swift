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
