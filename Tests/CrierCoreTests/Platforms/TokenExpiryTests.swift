import CrierCore
import Foundation
import Testing

@Suite struct TokenExpiryTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func onlyTokensThatCannotBeRefreshedAndExpireWithinAWeekWarn() {
        let inTenDays = ChannelSession(values: ["access_token": "a"], expiresAt: now.addingTimeInterval(10 * 86_400))
        let inSixDays = ChannelSession(values: ["access_token": "a"], expiresAt: now.addingTimeInterval(6 * 86_400 + 60))
        let refreshable = ChannelSession(values: ["access_token": "a", "refresh_token": "r"], expiresAt: now.addingTimeInterval(60))
        let expired = ChannelSession(values: ["access_token": "a"], expiresAt: now.addingTimeInterval(-1))
        #expect(TokenExpiry.warning(channel: "li", session: inTenDays, now: now) == nil)
        #expect(TokenExpiry.warning(channel: "li", session: inSixDays, now: now)?.contains("(in 6 days) and cannot be refreshed") == true)
        #expect(TokenExpiry.warning(channel: "x", session: refreshable, now: now) == nil)
        #expect(TokenExpiry.warning(channel: "li", session: expired, now: now)?.contains("expired at") == true)
        #expect(TokenExpiry.warning(channel: "m", session: ChannelSession(values: ["access_token": "a"]), now: now) == nil)
    }
}
