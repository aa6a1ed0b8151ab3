/// A `slots:` entry that could not be read; the message quotes the entry and says what is accepted.
public struct SlotParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The entry as written, e.g. "mon-fry 09:00".
    public var entry: String
    /// Its position in the `slots:` list, from 0.
    public var index: Int
    /// What is wrong with it, e.g. "'fry' is not a day; ...".
    public var reason: String

    public init(entry: String, index: Int, reason: String) {
        self.entry = entry
        self.index = index
        self.reason = reason
    }

    public var description: String { "slot '\(entry)': \(reason)" }
}
