import Foundation

/// One line of a post's history (`crier log`): who did what, when. Actors are people (the file's
/// owner for `queued`, the person behind a command) or `crier` for what the daemon decided.
public struct HistoryEvent: Sendable, Equatable {
    public var at: Date
    public var postID: String?
    public var channel: String?
    public var actor: String
    /// `queued`, `edited`, `approved`, `rejected`, `approval-withdrawn`, `sent`, `failed`, `expired`,
    /// `unknown`, `cancelled`, `retried`, `resolved`, `paused`, `resumed`.
    public var action: String
    public var detail: String?

    public init(at: Date, postID: String?, channel: String? = nil, actor: String, action: String, detail: String? = nil) {
        self.at = at
        self.postID = postID
        self.channel = channel
        self.actor = actor
        self.action = action
        self.detail = detail
    }
}
