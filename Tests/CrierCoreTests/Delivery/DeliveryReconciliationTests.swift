import CrierCore
import Foundation
import Testing

/// The rule for new posts and edits: what gets a delivery, what is cancelled, what is left alone.
@Suite struct DeliveryReconciliationTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    func reconcile(_ records: inout [DeliveryKey: DeliveryRecord], channels: [DeliveryReconciliation.ChannelParts],
                   busy: Set<DeliveryKey> = [], rescheduled: Bool = false) -> [DeliveryKey] {
        var next = 0
        return DeliveryReconciliation.reconcile(records: &records, busy: busy, postID: "p", channels: channels, rescheduled: rescheduled,
                                                scheduledAt: now, now: now,
                                                plannedDue: { _, index in now.addingTimeInterval(Double(index) * 60) },
                                                newID: { next += 1; return "d_\(next)" })
    }

    func key(_ channel: String, _ part: Int) -> DeliveryKey { DeliveryKey(post: "p", channel: channel, part: part) }

    @Test func aNewPostGetsOneDeliveryPerChannelAndPartStaggeredInPostOrder() {
        var records: [DeliveryKey: DeliveryRecord] = [:]
        let created = reconcile(&records, channels: [.init(name: "x", partCount: 2), .init(name: "a", partCount: 1)])
        #expect(created == [key("x", 1), key("x", 2), key("a", 1)])
        #expect(records[key("x", 1)]?.dueAt == now)
        #expect(records[key("a", 1)]?.dueAt == now.addingTimeInterval(60), "the second channel is staggered")
        #expect(records[key("x", 2)]?.dueAt == now, "later parts follow their first part")
    }

    @Test func anEditCancelsWhatItRemovedAndNeverTouchesWhatIsSentBusyOrInDoubt() {
        var records: [DeliveryKey: DeliveryRecord] = [:]
        _ = reconcile(&records, channels: [.init(name: "x", partCount: 4), .init(name: "a", partCount: 1)])
        records[key("x", 1)]?.apply(.sent(nil, httpStatus: 200), at: now)
        records[key("x", 3)]?.progress = DeliveryProgress(done: ["prepare"], uncertainStep: "publish")
        let created = reconcile(&records, channels: [.init(name: "x", partCount: 1)], busy: [key("x", 2)])
        #expect(created.isEmpty)
        #expect(records[key("x", 1)]?.status == .sent)
        #expect(records[key("x", 2)]?.status == .pending, "in flight: left alone")
        #expect(records[key("x", 3)]?.status == .pending, "in doubt: it may be on the platform")
        #expect(records[key("x", 4)]?.status == .cancelled)
        #expect(records[key("a", 1)]?.status == .cancelled)
    }

    @Test func anUnsendableChannelFailsAtOnceWithTheRenderersReason() {
        var records: [DeliveryKey: DeliveryRecord] = [:]
        _ = reconcile(&records, channels: [.init(name: "x", partCount: 1, unsendable: "too long for x: 311/280 (long: reject)")])
        #expect(records[key("x", 1)]?.status == .failed)
        #expect(records[key("x", 1)]?.error == "too long for x: 311/280 (long: reject)")
    }

    @Test func aNewTimeReplansOnlyUnstartedFirstParts() {
        var records: [DeliveryKey: DeliveryRecord] = [:]
        _ = reconcile(&records, channels: [.init(name: "x", partCount: 1), .init(name: "a", partCount: 1)])
        records[key("a", 1)]?.progress = DeliveryProgress().completing("upload-media[1]", values: ["media[1]": "m1"])
        records[key("x", 1)]?.dueAt = now.addingTimeInterval(999)
        records[key("a", 1)]?.dueAt = now.addingTimeInterval(999)
        _ = reconcile(&records, channels: [.init(name: "x", partCount: 1), .init(name: "a", partCount: 1)], rescheduled: true)
        #expect(records[key("x", 1)]?.dueAt == now)
        #expect(records[key("a", 1)]?.dueAt == now.addingTimeInterval(999), "a delivery under way keeps its place")
    }
}
