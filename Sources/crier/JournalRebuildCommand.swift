import ArgumentParser
import CrierDaemon
import Foundation

struct JournalRebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild a deleted or damaged journal from the receipts in sent/, failed/ and cancelled/.",
        discussion: """
            Delivered posts keep their delivery ids and status (dropping one again is refused, as \
            before), and sends of the last two days count against the throttles again. Posts still \
            pending in the queue stay pending; what they sent before the journal was lost is not \
            known. Stop the daemon first.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Rebuild although a journal exists (a damaged one): it is moved aside, not deleted.")
    var replace = false

    func run() throws {
        let config = global.configWithoutSecrets()
        let summary: JournalRebuild.Summary
        do {
            summary = try JournalRebuild.rebuild(layout: global.layout(config: config), config: config, replace: replace)
        } catch {
            throw UserFacingFailure(error.message)
        }
        if let aside = summary.replacedJournal { print("moved the old journal to \(aside)") }
        let posts = [JournalPost.State.sent, .failed, .cancelled].map { "\(summary.posts[$0] ?? 0) \($0.rawValue)" }
        print("rebuilt the journal from the receipts: \(posts.joined(separator: ", ")) posts, \(summary.deliveries) deliveries; "
              + "\(summary.recentSends) sends of the last two days count against the throttles")
        for skipped in summary.skipped { print("skipped \(skipped)") }
    }
}
