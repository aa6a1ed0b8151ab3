@testable import CrierCore
import Foundation
import Testing

@Suite struct BlueskyRecordKeyTests {
    @Test func encodesTheSpecsExampleShapeAndIsValid() {
        // atproto.com/specs/tid: 13 characters of base32-sortable; the top bit is 0.
        #expect(BlueskyRecordKey.encode(0) == "2222222222222")
        // 13 characters hold 65 bits: the value sits in the low 64, so the first character holds 4 bits.
        #expect(BlueskyRecordKey.encode(UInt64(1) << 62) == "6222222222222")
        #expect(BlueskyRecordKey.encode((UInt64(1) << 63) - 1).hasPrefix("b"), "the largest first character with the top bit 0")
        #expect(BlueskyRecordKey.isValidTID("3jzfcijpj2z2a"), "the spec's example")
        #expect(!BlueskyRecordKey.isValidTID("3jzfcijpj2z2"), "too short")
        #expect(!BlueskyRecordKey.isValidTID("kjzfcijpj2z2a"), "top bit set")
        #expect(!BlueskyRecordKey.isValidTID("3jzfcijpj2z21"), "1 is not in the alphabet")
    }

    @Test func isDerivedFromTheDeliveryAloneAndSortsByTimeThenPart() {
        let at = Date(timeIntervalSince1970: 1_796_000_000.123456)
        let key = BlueskyRecordKey.tid(deliveryID: "d_abc", scheduledAt: at, part: 1)
        #expect(BlueskyRecordKey.isValidTID(key))
        #expect(key == BlueskyRecordKey.tid(deliveryID: "d_abc", scheduledAt: at, part: 1), "the same on every try")
        #expect(key != BlueskyRecordKey.tid(deliveryID: "d_abd", scheduledAt: at, part: 1), "another delivery, another key")
        let part2 = BlueskyRecordKey.tid(deliveryID: "d_xyz", scheduledAt: at, part: 2)
        #expect(key < part2, "thread parts sort in order")
        #expect(key < BlueskyRecordKey.tid(deliveryID: "d_abc", scheduledAt: at.addingTimeInterval(1), part: 1))
        // The timestamp is the scheduled time in microseconds (plus the part).
        let value = key.utf8.reduce(UInt64(0)) { $0 << 5 | UInt64(BlueskyRecordKey.alphabet.firstIndex(of: $1)!) }
        #expect(value >> 10 == UInt64((at.timeIntervalSince1970 * 1_000_000).rounded(.down)) + 1)
    }
}
