import ArgumentParser
import CrierCore
import CrierDaemon
import Foundation

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Who did what: the history of one post, or of the queue (oldest first).",
        discussion: """
            Every change of a post's state with its actor: who dropped or edited the file (its owner), who \
            approved, rejected, cancelled, retried, resolved, paused or resumed (the person behind the command), \
            and crier for sends, failures and expiries. --json prints one object per line (docs/formats.md; installed: /usr/share/doc/crier/docs/formats.md.gz).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A post id (default: every post).")
    var post: String?

    @Option(help: "Only lines since this time (ISO 8601, 'YYYY-MM-DD HH:MM' in the configured time zone, or a duration ago: 7d).")
    var since: String?

    @Option(help: "At most this many lines (the newest).")
    var limit: Int = 1000

    @Flag(help: "One JSON object per line.")
    var json = false

    func run() throws {
        let config = global.configWithoutSecrets()
        let timeZone = config?.timeZone ?? TimeZone(identifier: "UTC")!
        var start: Date?
        if let since {
            if let ago = DurationParser.seconds(since) {
                start = Date().addingTimeInterval(-ago)
            } else if let date = TimeParser.parse(since, timeZone: timeZone) {
                start = date
            } else {
                throw UserFacingFailure("--since '\(since)': expected a time (2026-11-22T08:00Z, '2026-11-22 08:00') or a duration (7d, 12h)")
            }
        }
        let layout = global.layout(config: config)
        guard layout.journalExists else {
            throw UserFacingFailure("no journal in \(layout.state) yet: nothing has happened in \(layout.root)")
        }
        let lines: [HistoryEvent]
        do {
            lines = try JournalStore.open(layout).history(postID: post, since: start, limit: limit)
        } catch {
            throw UserFacingFailure("\(error)")
        }
        for event in lines {
            print(json ? HistoryFormat.json(event) : HistoryFormat.line(event))
        }
    }
}
