/// The shape of a bot token from @BotFather: the bot's numeric id, a colon, and a secret of
/// letters, digits, `_` and `-` (`123456789:AAE…`). It goes into the URL path, so anything else
/// would make a broken URL.
public enum TelegramToken {
    /// What is wrong with `token`, or nil when it has the shape of a bot token.
    public static func problem(_ token: String) -> String? {
        let parts = token.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let valid = parts.count == 2 && !parts[0].isEmpty && parts[0].allSatisfy(\.isASCII) && parts[0].allSatisfy(\.isNumber)
            && !parts[1].isEmpty && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        return valid ? nil : "this is not a Telegram bot token; @BotFather gives one like 123456789:AAE… (digits, a colon, then letters, digits, _ and -)"
    }
}
