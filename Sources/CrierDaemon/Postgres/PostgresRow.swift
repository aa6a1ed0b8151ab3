import Foundation

/// One result row as libpq's text format gives it, read by column position.
public struct PostgresRow: Sendable {
    public let values: [String?]

    public subscript(_ index: Int) -> String? { values[index] }

    public func string(_ index: Int) -> String { values[index] ?? "" }
    public func int(_ index: Int) -> Int? { values[index].flatMap { Int($0) } }
    public func int64(_ index: Int) -> Int64? { values[index].flatMap { Int64($0) } }
    public func double(_ index: Int) -> Double? { values[index].flatMap { Double($0) } }
    /// An epoch-seconds column as a date.
    public func date(_ index: Int) -> Date? { double(index).map(Date.init(timeIntervalSince1970:)) }
    public func bool(_ index: Int) -> Bool { values[index] == "t" || values[index] == "true" }
}
