import CrierCore
import Foundation

/// The engine's view of each channel's session (`ChannelSession`): the stored one, whether a session
/// step (a login, a refresh) is under way, and the deliveries waiting for it. One session step per
/// channel at a time: a hundred posts due at once after a token expired cost one refresh, not a
/// hundred logins (which platforms lock accounts for).
final class SessionBook {
    private var sessions: [String: ChannelSession] = [:]
    /// The delivery running each channel's session step.
    private var renewing: [String: DeliveryKey] = [:]
    private var waiters: [String: [DeliveryKey]] = [:]
    /// Expiry warnings already given (channel and expiry), once per token per daemon run.
    private var warnedExpiries: Set<String> = []

    func restore(_ stored: [String: ChannelSession]) {
        sessions = stored
    }

    /// Takes the sessions a command stored (`crier auth`, `crier check --online`) where they are newer
    /// than the engine's.
    func adopt(_ stored: [String: ChannelSession]) {
        for (channel, session) in stored where session.generation > (sessions[channel]?.generation ?? -1) {
            sessions[channel] = session
        }
    }

    func session(for channel: String) -> ChannelSession {
        sessions[channel] ?? .none
    }

    /// Takes `session` as the channel's next generation; returns what to journal.
    func store(_ session: ChannelSession, for channel: String) -> ChannelSession {
        var next = session
        next.generation = (sessions[channel]?.generation ?? 0) + 1
        next.needsRenewal = false
        next.isPlaceholder = false
        sessions[channel] = next
        return next
    }

    /// A step sent with generation `generation` was refused as expired: the session needs renewal,
    /// unless a newer one was stored meanwhile.
    func markExpired(_ channel: String, generation: Int) {
        guard var session = sessions[channel], session.generation == generation else {
            if sessions[channel] == nil, generation == 0 {
                // A session configured outright (a token in crier.yml) and refused: nothing stored to renew.
                sessions[channel] = ChannelSession(needsRenewal: true)
            }
            return
        }
        session.needsRenewal = true
        sessions[channel] = session
    }

    /// Warnings for tokens that cannot be refreshed and expire within a week, each given once.
    func newExpiryWarnings(now: Date) -> [(channel: String, message: String)] {
        var result: [(channel: String, message: String)] = []
        for (channel, session) in sessions.sorted(by: { $0.key < $1.key }) {
            guard let message = TokenExpiry.warning(channel: channel, session: session, now: now) else { continue }
            let expired = session.expiresAt.map { $0 <= now } ?? false
            guard warnedExpiries.insert("\(channel)@\(session.expiresAt?.timeIntervalSince1970 ?? 0)@\(expired)").inserted else { continue }
            result.append((channel, message))
        }
        return result
    }

    /// Claims the channel for `key`'s session step; false if another delivery's is under way (then
    /// `wait`).
    func beginRenewal(of channel: String, by key: DeliveryKey) -> Bool {
        if let holder = renewing[channel] { return holder == key }
        renewing[channel] = key
        return true
    }

    func wait(_ key: DeliveryKey, for channel: String) {
        waiters[channel, default: []].append(key)
    }

    /// Ends `key`'s session step on the channel (nothing if `key` holds none); returns the
    /// deliveries that waited for it.
    func endRenewal(of channel: String, by key: DeliveryKey) -> [DeliveryKey] {
        guard renewing[channel] == key else { return [] }
        renewing[channel] = nil
        return waiters.removeValue(forKey: channel) ?? []
    }
}
