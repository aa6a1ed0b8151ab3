/// A post rendered for one channel: its parts (more than one for a thread), and what went wrong.
public struct RenderedVariant: Sendable, Equatable {
    public var channel: String
    public var platform: Platform
    /// In send order; a thread's later parts reply to the previous one. Present even when `errors` is
    /// not empty, so a preview can show what was measured.
    public var parts: [RenderedPart]
    /// Sent anyway, but worth a look ("truncated", "thread not possible on slack; truncated").
    public var warnings: [String]
    /// Non-empty: this channel cannot be sent. Each message says what to change.
    public var errors: [String]

    public init(channel: String, platform: Platform, parts: [RenderedPart], warnings: [String] = [],
                errors: [String] = []) {
        self.channel = channel
        self.platform = platform
        self.parts = parts
        self.warnings = warnings
        self.errors = errors
    }
}
