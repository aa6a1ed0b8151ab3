/// Why Telegram cannot parse a message's HTML (the part after "can't parse entities: ").
struct TelegramHTMLProblem: Error, Sendable, Equatable {
    var description: String
    init(_ description: String) { self.description = description }
}
