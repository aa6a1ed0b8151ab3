import CrierCore
import Foundation

/// Checks shared by the targets: what a parsed post, a parse error and a rendered variant promise.
public enum Oracles {
    /// A post the parser accepted is one the engine can plan: an id, text, sane times.
    public static func check(_ post: Post) {
        invariant(!post.id.isEmpty, "accepted a post with an empty id")
        if let at = post.at { invariant(at.timeIntervalSince1970.isFinite, "accepted an `at` that is not finite") }
        if let expire = post.expire {
            invariant(isSaneSeconds(expire), "accepted expire: \(expire) (the engine adds it to a date and formats it)")
            // What the engine does with it: the expiry instant, formatted for receipts and logs.
            _ = TimestampFormat.string((post.at ?? Date(timeIntervalSince1970: 1_800_000_000)).addingTimeInterval(expire))
        }
        _ = post.body(forChannel: "ops", platform: .webhook)
    }

    /// A rejected post names its problems, each on a line of the file (or none).
    public static func check(_ error: PostFileError, lineCount: Int) {
        invariant(!error.problems.isEmpty, "a parse error without problems")
        for problem in error.problems {
            invariant(!problem.message.isEmpty, "a problem without a message")
            if let line = problem.line {
                invariant(line >= 1 && line <= lineCount + 1, "problem on line \(line) of a \(lineCount)-line file: \(problem)")
            }
        }
        _ = error.description
    }

    /// A variant the renderer says can be sent fits the limit it was measured against.
    public static func check(_ variant: RenderedVariant) {
        for part in variant.parts {
            invariant(part.length >= 0, "negative length")
            if variant.errors.isEmpty, let limit = part.limit {
                invariant(part.length <= limit,
                          "\(variant.platform) part of length \(part.length) over its limit \(limit) without an error: \(part.text.debugDescription)")
            }
        }
    }

    /// Lines in a text as the parsers count them (LF; a final line without LF counts).
    public static func lineCount(_ data: Data) -> Int {
        data.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    }
}
