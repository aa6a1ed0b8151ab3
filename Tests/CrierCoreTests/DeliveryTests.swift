import CrierCore
import Foundation
import CrierTestSupport
import Testing

@Suite struct StepClassifierTests {
    let now = Date(timeIntervalSince1970: 1_000_000)
    let classifier = StepClassifier(policy: RetryPolicy(maxAttempts: 4, baseDelay: 10, maxDelay: 60))
    let send = StepRequest(name: "send", request: OutgoingRequest(url: "http://127.0.0.1:9/"), repeatSafe: true)

    /// A one-step delivery whose adapter leaves every non-2xx to the generic rules (as webhooks do).
    func classify(_ result: TransportResult, attempt: Int = 1, expiresAt: Date? = nil, random: Double = 0.5) -> AttemptOutcome {
        classifier.classify(result, of: send, answer: { (200..<300).contains($0.status) ? .sent(nil) : .standard },
                            progress: DeliveryProgress(stepAttempts: attempt - 1), now: now, expiresAt: expiresAt,
                            randomFraction: random).outcome
    }

    @Test(arguments: [200, 201, 202, 204])
    func successIsSent(_ status: Int) {
        #expect(classify(.success(TransportResponse(status: status))) == .sent(nil, httpStatus: status))
    }

    @Test(arguments: [408, 425, 429, 500, 502, 503, 504])
    func transientStatusesRetry(_ status: Int) {
        guard case .retry(let at, let reason, let code) = classify(.success(TransportResponse(status: status))) else {
            Issue.record("expected retry for \(status)")
            return
        }
        #expect(at == now.addingTimeInterval(7.5))
        #expect(reason.hasPrefix("HTTP \(status)"))
        #expect(code == status)
    }

    @Test(arguments: [400, 401, 403, 404, 410, 422])
    func otherClientErrorsFailAtOnceWithTheReceiversMessage(_ status: Int) {
        let body = Data(#"{"error":"Validation failed: Text character limit of 500 exceeded"}"#.utf8)
        #expect(classify(.success(TransportResponse(status: status, body: body)))
                == .failed(reason: "HTTP \(status): Validation failed: Text character limit of 500 exceeded", httpStatus: status))
    }

    @Test func redirectsFailWithAHint() {
        let outcome = classify(.success(TransportResponse(status: 301, headers: [HTTPHeader("Location", "https://new/")])))
        guard case .failed(let reason, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("update the channel url"))
    }

    @Test func networkErrorsRetryButInvalidRequestsFail() {
        guard case .retry = classify(.failure(TransportError(kind: .connect, message: "refused"))) else { Issue.record("connect"); return }
        guard case .retry = classify(.failure(TransportError(kind: .timeout, message: "slow"))) else { Issue.record("timeout"); return }
        #expect(classify(.failure(TransportError(kind: .invalidRequest, message: "bad url"))) == .failed(reason: "invalidRequest: bad url", httpStatus: nil))
    }

    @Test func honoursRetryAfterSecondsAndDates() {
        let seconds = classify(.success(TransportResponse(status: 429, headers: [HTTPHeader("Retry-After", "120")])))
        guard case .retry(let at, _, _) = seconds else { Issue.record("\(seconds)"); return }
        #expect(at == now.addingTimeInterval(120))
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: Date(timeIntervalSince1970: 784_111_717)) == 60)
        #expect(RetryAfter.seconds("Sunday, 06-Nov-94 08:49:37 GMT", now: Date(timeIntervalSince1970: 784_111_717)) == 60)
        #expect(RetryAfter.seconds("Sun Nov  6 08:49:37 1994", now: Date(timeIntervalSince1970: 784_111_717)) == 60)
        #expect(RetryAfter.seconds("soon", now: now) == nil)
    }

    @Test func givesUpAfterMaxAttempts() {
        let outcome = classify(.success(TransportResponse(status: 503)), attempt: 4)
        guard case .failed(let reason, let status) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.hasPrefix("gave up after 4 attempts"))
        #expect(status == 503)
    }

    @Test func expiresWhenTheNextTryWouldBeTooLate() {
        let outcome = classify(.success(TransportResponse(status: 503)), expiresAt: now.addingTimeInterval(5))
        guard case .expired(let reason, let attempted) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.hasPrefix("expired"))
        #expect(attempted)
    }

    @Test func backoffDoublesWithinJitterBoundsAndCaps() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 10, maxDelay: 60)
        #expect(policy.backoff(afterAttempt: 1, randomFraction: 0) == 5)
        #expect(policy.backoff(afterAttempt: 1, randomFraction: 1) == 10)
        #expect(policy.backoff(afterAttempt: 2, randomFraction: 0.5) == 15)
        #expect(policy.backoff(afterAttempt: 3, randomFraction: 1) == 40)
        #expect(policy.backoff(afterAttempt: 9, randomFraction: 1) == 60)
        #expect(policy.backoff(afterAttempt: 9, randomFraction: 0) == 30)
    }
}

@Suite struct DeliveryRecordTests {
    let now = Date(timeIntervalSince1970: 1_000)
    func record() -> DeliveryRecord {
        DeliveryRecord(id: "d_1", key: DeliveryKey(post: "p", channel: "c", part: 1), dueAt: now)
    }

    @Test func retryThenSent() {
        var record = record()
        record.apply(.retry(at: now.addingTimeInterval(30), reason: "HTTP 503: busy", httpStatus: 503), at: now)
        #expect(record.status == .pending)
        #expect(record.attempts == 1)
        #expect(record.dueAt == now.addingTimeInterval(30))
        record.apply(.sent(RemoteReference(id: "9", url: nil), httpStatus: 200), at: now.addingTimeInterval(30))
        #expect(record.status == .sent)
        #expect(record.attempts == 2)
        #expect(record.error == nil)
        #expect(record.dueAt == nil)
        #expect(record.remote?.id == "9")
        #expect(record.id == "d_1", "the id never changes")
    }

    @Test func expiryWithoutAttemptDoesNotCount() {
        var record = record()
        record.apply(.expired(reason: "expired", attempted: false), at: now)
        #expect(record.status == .expired)
        #expect(record.attempts == 0)
    }

    @Test func cancelLeavesFinalRecordsAlone() {
        var sent = record()
        sent.apply(.sent(nil, httpStatus: 200), at: now)
        sent.cancel(at: now, reason: "x")
        #expect(sent.status == .sent)
        var pending = record()
        pending.cancel(at: now, reason: "deleted")
        #expect(pending.status == .cancelled)
    }

    @Test func requeueKeepsTheID() {
        var record = record()
        record.apply(.failed(reason: "HTTP 400", httpStatus: 400), at: now)
        record.requeue(at: now.addingTimeInterval(60))
        #expect(record.status == .pending)
        #expect(record.attempts == 0)
        #expect(record.id == "d_1")
    }

    @Test func postOutcome() {
        #expect(PostOutcome.of([DeliveryStatus.sent, .sent]) == .sent)
        #expect(PostOutcome.of([DeliveryStatus.sent, .pending]) == nil)
        #expect(PostOutcome.of([DeliveryStatus.sent, .expired]) == .failed)
        #expect(PostOutcome.of([DeliveryStatus.sent, .cancelled]) == .cancelled)
        #expect(PostOutcome.of([DeliveryStatus.failed, .cancelled]) == .failed)
    }

    @Test func deliveryIDsAreUniqueAndWellFormed() {
        let ids = (0..<1000).map { _ in DeliveryID.make() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.hasPrefix("d_") && $0.count == 26 })
    }

    @Test func receiptWritesExplicitNulls() throws {
        var record = record()
        record.apply(.sent(RemoteReference(id: "11345", url: "https://m/11345"), httpStatus: 200), at: Date(timeIntervalSince1970: 1_795_334_400.412))
        let receipt = Receipt(post: "launch", file: "launch.md", records: [record])
        let object = try JSONSerialization.jsonObject(with: receipt.encoded()) as! [String: Any]
        let delivery = (object["deliveries"] as! [[String: Any]])[0]
        #expect(object["post"] as? String == "launch")
        #expect(object["outcome"] as? String == "sent")
        #expect(delivery["status"] as? String == "sent")
        #expect(delivery["at"] as? String == "2026-11-22T08:00:00.412Z")
        #expect(delivery["remote_id"] as? String == "11345")
        #expect(delivery["error"] is NSNull)
    }
}

@Suite struct DueQueueTests {
    let t0 = Date(timeIntervalSince1970: 0)

    @Test func popsInDueOrderAndBreaksTiesByKey() {
        var queue = DueQueue<String>()
        queue.schedule("c", at: t0.addingTimeInterval(3))
        queue.schedule("b", at: t0.addingTimeInterval(1))
        queue.schedule("a", at: t0.addingTimeInterval(1))
        #expect(queue.nextDue() == t0.addingTimeInterval(1))
        #expect(queue.popDue(now: t0.addingTimeInterval(2)) == ["a", "b"])
        #expect(queue.popDue(now: t0.addingTimeInterval(2)) == [])
        #expect(queue.popDue(now: t0.addingTimeInterval(3)) == ["c"])
        #expect(queue.nextDue() == nil)
    }

    @Test func rescheduleAndCancelSupersedeOldEntries() {
        var queue = DueQueue<String>()
        queue.schedule("a", at: t0.addingTimeInterval(1))
        queue.schedule("b", at: t0.addingTimeInterval(2))
        queue.schedule("a", at: t0.addingTimeInterval(5))
        queue.cancel("b")
        #expect(queue.count == 1)
        #expect(queue.nextDue() == t0.addingTimeInterval(5))
        #expect(queue.popDue(now: t0.addingTimeInterval(10)) == ["a"])
    }

    @Test func popRespectsTheLimit() {
        var queue = DueQueue<Int>()
        for index in 0..<10 { queue.schedule(index, at: t0) }
        #expect(queue.popDue(now: t0, limit: 3) == [0, 1, 2])
        #expect(queue.count == 7)
    }

    @Test func keysArrivingWhileTheirInstantIsWorkedThroughStillGoInKeyOrder() {
        var queue = DueQueue<String>()
        for key in ["b", "d", "f"] { queue.schedule(key, at: t0) }
        #expect(queue.popDue(now: t0, limit: 1) == ["b"])
        queue.schedule("a", at: t0)  // before what was handed out already: next anyway
        queue.schedule("e", at: t0)
        queue.schedule("c", at: t0)  // out of order among the late arrivals
        #expect(queue.popDue(now: t0, limit: 2) == ["a", "c"])
        queue.cancel("e")
        queue.schedule("d", at: t0.addingTimeInterval(1))  // moved later
        #expect(queue.popDue(now: t0) == ["f"])
        #expect(queue.nextDue() == t0.addingTimeInterval(1))
        #expect(queue.popDue(now: t0.addingTimeInterval(1)) == ["d"])
        #expect(queue.count == 0)
    }

    /// Against a plain model (every key's due time; pop = sort by time, then key): random schedules,
    /// reschedules, cancels and pops with limits, on few distinct instants so ties abound.
    @Test func agreesWithASortedModelUnderRandomOperations() {
        var random = FastRandom(seed: 7)
        for _ in 0..<20 {
            var queue = DueQueue<String>()
            var model: [String: Date] = [:]
            var now = t0
            for _ in 0..<2_000 {
                let key = "k\(Int.random(in: 0..<60, using: &random))"
                switch Int.random(in: 0..<10, using: &random) {
                case 0..<5:
                    let due = now.addingTimeInterval(Double(Int.random(in: -1...3, using: &random)))
                    queue.schedule(key, at: due)
                    model[key] = due
                case 5:
                    queue.cancel(key)
                    model[key] = nil
                case 6:
                    now.addTimeInterval(1)
                default:
                    let limit = Int.random(in: 1...5, using: &random)
                    let expected = model.filter { $0.value <= now }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
                        .prefix(limit).map(\.key)
                    for key in expected { model[key] = nil }
                    #expect(queue.popDue(now: now, limit: limit) == expected)
                }
                #expect(queue.count == model.count)
                #expect(queue.nextDue() == model.values.min())
            }
        }
    }
}

@Suite struct FastRandomTests {
    @Test func matchesTheReferenceXoshiro256StarStarStream() {
        // The reference implementation's first outputs for the state {1, 2, 3, 4}.
        var generator = FastRandom(seeds: 1, 2, 3, 4)
        #expect((0..<4).map { _ in generator.next() } == [11_520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    @Test func aNumberSeedGivesTheSameStreamEveryTime() {
        var first = FastRandom(seed: 7)
        var again = FastRandom(seed: 7)
        var other = FastRandom(seed: 8)
        let stream = (0..<8).map { _ in first.next() }
        #expect((0..<8).map { _ in again.next() } == stream)
        #expect((0..<8).map { _ in other.next() } != stream)
        #expect(Set(stream).count == 8)
    }

    @Test func systemSeededGeneratorsGiveDistinctDeliveryIDs() {
        var first = FastRandom()
        var second = FastRandom()
        var ids = Set<String>()
        for _ in 0..<10_000 {
            ids.insert(DeliveryID.make(using: &first))
            ids.insert(DeliveryID.make(using: &second))
        }
        #expect(ids.count == 20_000)
    }
}
