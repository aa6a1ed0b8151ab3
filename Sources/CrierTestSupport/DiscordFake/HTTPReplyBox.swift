import CrierReceiver

/// An error answer carried through a `Result` while a fake reads a request body.
struct HTTPReplyBox: Error {
    var reply: HTTPReply
    init(_ reply: HTTPReply) { self.reply = reply }
}
