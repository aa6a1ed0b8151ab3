import CrierCore
import Foundation
import FuzzSupport

/// PostParser on arbitrary bytes named `fuzz.md`: never crashes, hangs or balloons; an accepted
/// post satisfies `Oracles.check(_: Post)`, a rejected one names its problems by line.
private let parser = PostParser(timeZone: TimeZone(identifier: "Europe/Berlin")!,
                                knownChannels: ["ops", "team", "announcements", "fosstodon"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let file = data(bytes, size)
    do {
        let post = try parser.parse(file, fileName: "fuzz.md")
        Oracles.check(post)
    } catch {
        Oracles.check(error, lineCount: Oracles.lineCount(file))
    }
    return 0
}
