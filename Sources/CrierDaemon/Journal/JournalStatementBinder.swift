import Foundation
import GRDBSQLite

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
