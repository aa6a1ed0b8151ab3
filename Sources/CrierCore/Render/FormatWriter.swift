/// Rendered text, plus the HTML twin Matrix sends as `formatted_body`.
struct WrittenText: Equatable {
    var text: String
    var html: String?

    /// The body, a blank line, then the tail (hashtags and link).
    func appending(_ tail: WrittenText?) -> WrittenText {
        guard let tail, !tail.text.isEmpty else { return self }
        guard !text.isEmpty else { return tail }
        return WrittenText(text: text + "\n\n" + tail.text, html: html.map { $0 + (tail.html ?? "") })
    }
}

/// Picks the writer for a platform's `TextFormat`: the one switch between the rules table and the writers.
enum FormatWriter {
    static func body(_ document: MarkdownDocument, format: TextFormat) -> WrittenText {
        switch format {
        case .plain, .markdown: return WrittenText(text: PlainTextWriter.write(document))
        case .slackMrkdwn: return WrittenText(text: SlackWriter.write(document))
        case .telegramHTML: return WrittenText(text: TelegramHTMLWriter.write(document))
        case .discordMarkdown: return WrittenText(text: DiscordWriter.write(document))
        case .linkedInLittle: return WrittenText(text: LinkedInLittleWriter.write(document))
        case .matrix:
            let written = MatrixWriter.write(document)
            return WrittenText(text: written.body, html: written.html)
        }
    }

    /// Hashtags (where `hashtags` is not empty) and the link, in the platform's format; nil if neither.
    static func tail(hashtags: [String], link: String?, format: TextFormat) -> WrittenText? {
        guard !hashtags.isEmpty || link != nil else { return nil }
        switch format {
        case .plain, .markdown: return WrittenText(text: PlainTextWriter.tail(hashtags: hashtags, link: link))
        case .slackMrkdwn: return link.map { WrittenText(text: SlackWriter.tail(link: $0)) }
        case .telegramHTML: return WrittenText(text: TelegramHTMLWriter.tail(hashtags: hashtags, link: link))
        case .discordMarkdown: return link.map { WrittenText(text: DiscordWriter.tail(link: $0)) }
        case .linkedInLittle: return WrittenText(text: LinkedInLittleWriter.tail(hashtags: hashtags, link: link))
        case .matrix: return MatrixWriter.tail(link: link).map { WrittenText(text: $0.body, html: $0.html) }
        }
    }
}
