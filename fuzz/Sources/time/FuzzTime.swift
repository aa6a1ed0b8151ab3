import CrierCore
import Foundation
import FuzzSupport

/// Durations, times, quiet hours, weekly slots and Retry-After values as people (and receivers)
/// write them. Whatever the text: no crash or hang; an accepted duration or wait is finite and not
/// negative, and formats; an accepted time is finite.
private let zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Pacific/Chatham"]
    .map { TimeZone(identifier: $0)! }
private let now = Date(timeIntervalSince1970: 1_800_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(bytes, size)
    let zone = zones[Int(input.byte()) % zones.count]
    let text = input.restText()

    if let seconds = DurationParser.seconds(text) {
        invariant(isSaneSeconds(seconds), "DurationParser accepted \(text.debugDescription) as \(seconds)")
        _ = DurationParser.format(seconds)
        _ = TimestampFormat.string(now.addingTimeInterval(seconds))
    }
    if let date = TimeParser.parse(text, timeZone: zone) {
        invariant(date.timeIntervalSince1970.isFinite, "TimeParser gave a date that is not finite")
        _ = TimestampFormat.string(date)
    }
    if KnownFindings.retryAfterIsSafe(text), let wait = RetryAfter.seconds(text, now: now) {
        invariant(isSaneSeconds(wait), "RetryAfter accepted \(text.debugDescription) as \(wait)")
    }
    if let quiet = QuietHours.parse(text) {
        let allowed = quiet.firstAllowed(atOrAfter: now, timeZone: zone)
        invariant(allowed >= now, "quiet hours moved a send into the past")
        _ = quiet.contains(now, timeZone: zone)
    }
    let entries = text.split(separator: ",").map { String($0) }
    if entries.count <= 16, case .success(let slots) = WeeklySlots.parse(entries) {
        if let next = slots.next(after: now, timeZone: zone) {
            invariant(next > now, "the next slot is not after now")
        }
        _ = slots.slots(after: now, timeZone: zone, limit: 3)
    }
    return 0
}
