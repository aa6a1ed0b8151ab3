import Foundation

/// The journal's view of one delivery: its stable id, its state and its history in numbers.
/// Transitions happen only through `apply(_:at:)` and `cancel(at:)`, so every rule about what may
/// follow what lives here.
public struct DeliveryRecord: Sendable, Equatable {
    public var id: String
    public var key: DeliveryKey
    public var status: DeliveryStatus
    public var attempts: Int
    /// When the next attempt is due (pending), or nil once final.
    public var dueAt: Date?
    /// When it became final.
    public var finishedAt: Date?
    /// The receiver's HTTP status of the last attempt, if it answered.
    public var httpStatus: Int?
    /// Why the last attempt failed (the platform's message for permanent failures); never secrets.
    public var error: String?
    public var remote: RemoteReference?
    /// How far its steps have come (multi-step platforms); `.start` for a delivery not yet begun.
    public var progress: DeliveryProgress

    public init(id: String, key: DeliveryKey, status: DeliveryStatus = .pending, attempts: Int = 0,
                dueAt: Date?, finishedAt: Date? = nil, httpStatus: Int? = nil, error: String? = nil,
                remote: RemoteReference? = nil, progress: DeliveryProgress = .start) {
        self.id = id
        self.key = key
        self.status = status
        self.attempts = attempts
        self.dueAt = dueAt
        self.finishedAt = finishedAt
        self.httpStatus = httpStatus
        self.error = error
        self.remote = remote
        self.progress = progress
    }

    /// Records the outcome of an attempt that was just made (or, for `.expired` without an attempt,
    /// the decision not to make one).
    public mutating func apply(_ outcome: AttemptOutcome, at now: Date) {
        precondition(status == .pending, "delivery \(id) is \(status.rawValue); only pending deliveries take outcomes")
        switch outcome {
        case .sent(let remote, let httpStatus):
            attempts += 1
            self.remote = remote
            self.httpStatus = httpStatus
            end(.sent, reason: nil, at: now)
        case .advanced(let httpStatus):
            attempts += 1
            dueAt = now
            error = nil
            self.httpStatus = httpStatus
        case .retry(let next, let reason, let httpStatus):
            attempts += 1
            dueAt = next
            error = reason
            self.httpStatus = httpStatus
        case .failed(let reason, let httpStatus):
            attempts += 1
            self.httpStatus = httpStatus
            end(.failed, reason: reason, at: now)
        case .expired(let reason, let attempted):
            if attempted { attempts += 1 }
            end(.expired, reason: reason, at: now)
        case .unknown(let reason):
            attempts += 1
            status = .unknown
            error = reason
            dueAt = nil
        }
    }

    /// The operator's answer for an `unknown` delivery (`crier resolve`): it did reach the platform
    /// (sent, with the URL they found), or it did not (pending again: the uncertain step is redone).
    public mutating func resolve(sent remote: RemoteReference?, at now: Date) {
        guard status == .unknown else { return }
        self.remote = remote
        progress.uncertainStep = nil
        end(.sent, reason: nil, at: now)
    }

    /// `crier resolve --not-sent` or `crier retry` on an `unknown` delivery: send the step again.
    public mutating func resolveNotSent(at now: Date) {
        guard status == .unknown else { return }
        status = .pending
        progress.uncertainStep = nil
        progress.stepAttempts = 0
        error = nil
        dueAt = now
    }

    /// Fails a pending delivery without an attempt: it cannot be sent as it is (a variant too long
    /// under `long: reject`, a channel no longer configured, a request that cannot be built).
    public mutating func refuse(at now: Date, reason: String) {
        guard status == .pending else { return }
        end(.failed, reason: reason, at: now)
    }

    /// Cancels a delivery that has not reached a final state; final ones are left as they are.
    /// An `unknown` delivery is left as it is: only the operator knows whether it went out.
    public mutating func cancel(at now: Date, reason: String) {
        guard status == .pending else { return }
        end(.cancelled, reason: reason, at: now)
    }

    private mutating func end(_ final: DeliveryStatus, reason: String?, at now: Date) {
        status = final
        error = reason
        dueAt = nil
        finishedAt = now
    }

    /// Puts a failed or expired delivery back in line (`crier retry`), keeping its id.
    public mutating func requeue(at now: Date) {
        guard status == .failed || status == .expired else { return }
        status = .pending
        attempts = 0
        dueAt = now
        finishedAt = nil
        error = nil
        httpStatus = nil
        progress.stepAttempts = 0
    }
}
