import CrierReceiver

/// An error answer of the fake Bot API, before it is written out.
struct TelegramFakeRefusal: Error, @unchecked Sendable {
    var code: Int
    var description: String
    var parameters: [String: Any]?

    init(_ code: Int, _ description: String, parameters: [String: Any]? = nil) {
        self.code = code
        self.description = description
        self.parameters = parameters
    }

    var reply: HTTPReply { TelegramFakeServer.error(code, description, parameters: parameters) }
}
