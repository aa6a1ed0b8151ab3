import Foundation
import Testing
@testable import CrierCore

@Suite struct PlatformLimitsTests {
    @Test(arguments: [
        (Platform.mastodon, [RateWindow(count: 300, seconds: 10_800)]),
        (.bluesky, [RateWindow(count: 1_666, seconds: 3_600), RateWindow(count: 11_666, seconds: 86_400)]),
        (.x, [RateWindow(count: 17, seconds: 86_400)]),
        (.threads, [RateWindow(count: 250, seconds: 86_400)]),
        (.instagram, [RateWindow(count: 50, seconds: 86_400)]),
        (.telegram, [RateWindow(count: 20, seconds: 60)]),
        (.discord, [RateWindow(count: 30, seconds: 60)]),
        (.slack, [RateWindow(count: 1, seconds: 1)]),
        (.linkedin, [RateWindow(count: 150, seconds: 86_400)]),
        (.facebook, []),
        (.matrix, [RateWindow(count: 10, seconds: 50)]),
        (.webhook, []),
    ])
    func defaultWindows(platform: Platform, windows: [RateWindow]) {
        #expect(PlatformDescriptor.of(platform).limits.windows == windows)
    }

    @Test func socialPlatformsSendOneAtATimeWebhooksFifty() {
        for platform in Platform.allCases {
            let limits = PlatformDescriptor.of(platform).limits
            #expect(limits.maxInFlight == (platform == .webhook ? 50 : 1), "\(platform)")
            #expect(limits.jitter == 0 && limits.quiet == nil && limits.stagger == 0, "\(platform)")
        }
        #expect(PlatformDescriptor.of(.telegram).limits.minGap == 1)
        #expect(PlatformDescriptor.of(.mastodon).limits.minGap == 0)
    }

    @Test func unlimitedLimitsNothing() {
        #expect(ChannelLimits.unlimited == ChannelLimits(windows: [], minGap: 0, jitter: 0, quiet: nil, maxInFlight: 1, stagger: 0))
    }

    @Test func configuredFieldsWinUnconfiguredKeepTheDefault() {
        let configured = ChannelLimitOverrides(perHour: 10, perDay: 40, minGap: 300, jitter: 60, quiet: QuietHours.parse("23:00-07:00"))
        let mastodon = PlatformDescriptor.of(.mastodon).limits.merging(configured)
        // The platform's 300/3h stays; the configured windows are added.
        #expect(mastodon.windows == [.perHour(10), RateWindow(count: 300, seconds: 10_800), .perDay(40)])
        #expect(mastodon.minGap == 300)
        #expect(mastodon.jitter == 60)
        #expect(mastodon.quiet == QuietHours.parse("23:00-07:00"))
        #expect(mastodon.maxInFlight == 1)
        #expect(mastodon.stagger == 0)

        // A configured window replaces the default of the same length (a paid X tier).
        let x = PlatformDescriptor.of(.x).limits.merging(ChannelLimitOverrides(perDay: 100))
        #expect(x.windows == [.perDay(100)])

        // Nothing configured: the defaults unchanged.
        #expect(PlatformDescriptor.of(.telegram).limits.merging(ChannelLimitOverrides()) == PlatformDescriptor.of(.telegram).limits)

        let webhook = PlatformDescriptor.of(.webhook).limits.merging(ChannelLimitOverrides(perMinute: 120, maxInFlight: 4, stagger: 30))
        #expect(webhook.windows == [.perMinute(120)])
        #expect(webhook.maxInFlight == 4)
        #expect(webhook.stagger == 30)
        #expect(PlatformDescriptor.of(.telegram).limits.merging(ChannelLimitOverrides(minGap: 0)).minGap == 0)
    }

    @Test func windowDescriptions() {
        #expect(RateWindow.perMinute(10).description == "10/1m")
        #expect(RateWindow(count: 300, seconds: 10_800).description == "300/3h")
        #expect(RateWindow(count: 10, seconds: 50).description == "10/50s")
        #expect(RateWindow.perDay(17).description == "17/24h")
    }
}
