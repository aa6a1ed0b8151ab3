import CrierCore
import Foundation
import FuzzSupport

/// ConfigParser.parse on arbitrary text: never crashes, hangs or balloons. An accepted config has
/// sane durations everywhere (the daemon adds them to dates and turns them into timers and libcurl
/// timeouts), and each of its channels can plan a post and compute its retry backoff.
private let post = Post(id: "fuzz", file: "fuzz.md", channels: .all, tags: ["release", "swift"],
                        link: "https://example.com/v2",
                        body: "We just shipped **v2**. *Faster* builds, [notes](https://example.com/notes) #crier")
private let start = Date(timeIntervalSince1970: 1_800_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: data(bytes, size), as: UTF8.self)
    let result = ConfigParser.parse(text)
    for problem in result.problems + result.warnings {
        invariant(!problem.message.isEmpty, "a config problem without a message")
        _ = problem.description
    }
    guard let config = result.config else {
        invariant(!result.problems.isEmpty, "no config and no problem")
        return 0
    }
    if let expire = config.defaults.expire { invariant(isSaneSeconds(expire), "defaults.expire \(expire)") }
    invariant(isSaneSeconds(config.defaults.stagger), "defaults.stagger \(config.defaults.stagger)")
    let delivery = config.delivery
    for (name, value) in [("connect_timeout", delivery.connectTimeout), ("timeout", delivery.timeout),
                          ("rescan", delivery.rescanInterval), ("drain_timeout", delivery.drainTimeout),
                          ("settle_time", delivery.settleTime)] {
        invariant(isSaneSeconds(value), "delivery.\(name) \(value)")
    }
    for channel in config.channels {
        let retry = channel.retry
        for (name, value) in [("base", retry.baseDelay), ("max_delay", retry.maxDelay), ("max_retry_after", retry.maxRetryAfter)] {
            invariant(isSaneSeconds(value), "\(channel.name) retry.\(name) \(value)")
        }
        for attempt in 1...max(1, min(retry.maxAttempts, 100)) {
            let wait = retry.backoff(afterAttempt: attempt, randomFraction: 0.999)
            invariant(isSaneSeconds(wait), "\(channel.name) backoff after attempt \(attempt): \(wait)")
        }
        let limits = channel.limits
        for (name, value) in [("min_gap", limits.minGap), ("jitter", limits.jitter), ("stagger", limits.stagger)] {
            invariant(isSaneSeconds(value), "\(channel.name) limits.\(name) \(value)")
        }
        for window in limits.windows { invariant(isSaneSeconds(window.seconds), "\(channel.name) window \(window)") }
        let zone = channel.timeZone ?? config.timeZone
        if let quiet = limits.quiet { _ = quiet.firstAllowed(atOrAfter: start, timeZone: zone) }
        if let slots = channel.slots { _ = slots.next(after: start, timeZone: zone) }
        Oracles.check(PartsPlanner.variant(for: post, channel: channel, defaults: config.defaults))
    }
    return 0
}
