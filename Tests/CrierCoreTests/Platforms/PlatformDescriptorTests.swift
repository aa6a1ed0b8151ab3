@testable import CrierCore
import Testing

@Suite struct PlatformDescriptorTests {
    @Test func everyPlatformHasOneDescriptorThatNamesIt() {
        #expect(PlatformDescriptor.all.count == Platform.allCases.count)
        #expect(Set(PlatformDescriptor.all.map(\.platform)) == Set(Platform.allCases))
        for (index, platform) in Platform.allCases.enumerated() {
            #expect(platform.tableIndex == index, "\(platform)")
            let descriptor = PlatformDescriptor.of(platform)
            #expect(descriptor.platform == platform)
            #expect(descriptor.rules.platform == platform, "the rules row of \(platform) names another platform")
        }
    }

    @Test(arguments: Platform.allCases)
    func keysAreConsistent(_ platform: Platform) {
        let descriptor = PlatformDescriptor.of(platform)
        let secrets = Set(descriptor.secretKeys)
        let settings = Set(descriptor.settingKeys)
        #expect(secrets.count == descriptor.secretKeys.count, "a secret key is listed twice")
        #expect(settings.count == descriptor.settingKeys.count, "a setting key is listed twice")
        #expect(secrets.isDisjoint(with: settings), "secret and setting: \(secrets.intersection(settings))")
        let common = Set(ConfigParser.channelKeys)
        #expect(secrets.isDisjoint(with: common) && settings.isDisjoint(with: common),
                "a platform key shadows a key every channel has")
        for group in descriptor.requiredKeys {
            #expect(!group.isEmpty)
            for key in group {
                #expect(secrets.contains(key) || settings.contains(key), "required `\(key)` is neither a secret nor a setting")
            }
        }
        for key in descriptor.secretKeys + descriptor.settingKeys {
            #expect(key.allSatisfy { $0.isLowercase || $0 == "_" }, "`\(key)` is not a snake_case key")
        }
    }

    @Test(arguments: Platform.allCases)
    func mediaLimitsAreWellFormed(_ platform: Platform) {
        let descriptor = PlatformDescriptor.of(platform)
        guard let media = descriptor.media else {
            #expect(platform == .webhook, "only webhooks send no media bytes")
            return
        }
        for type in media.imageTypes ?? [] { #expect(type.hasPrefix("image/"), "\(type)") }
        for type in media.videoTypes ?? [] { #expect(type.hasPrefix("video/"), "\(type)") }
        for bytes in [media.maxImageBytes, media.maxVideoBytes, media.maxOtherBytes, media.maxImagePixels].compactMap({ $0 }) {
            #expect(bytes > 0)
        }
        for (type, bytes) in media.maxBytesByType {
            #expect(media.accepts(type), "a limit for \(type), which \(platform) does not take")
            #expect(bytes > 0)
        }
    }

    @Test func onlyWebhooksAllowNearDuplicatesAndTakeNoMediaLimits() {
        for descriptor in PlatformDescriptor.all {
            let webhook = descriptor.platform == .webhook
            #expect(descriptor.duplicates == DuplicateSettings(policy: webhook ? .allow : .hold))
            #expect(descriptor.media == nil || !webhook)
        }
    }

    @Test func channelConfigStartsFromTheDescriptor() {
        for platform in Platform.allCases {
            let channel = ChannelConfig(name: "c", platform: platform, url: "https://example.com")
            #expect(channel.limits == PlatformDescriptor.of(platform).limits)
            #expect(channel.duplicates == PlatformDescriptor.of(platform).duplicates)
        }
    }

    @Test func platformKeysAreKnownAndRequiredOnesReported() {
        let result = ConfigParser.parse("""
            channels:
              fosstodon:
                platform: mastodon
                url: https://fosstodon.org
                token: env:MASTODON_TOKEN
                visibility: unlisted
              bare:
                platform: mastodon
                url: https://fosstodon.org
              room:
                platform: matrix
                url: https://matrix.example.org
                user: crier
            """)
        let text = result.problems.map(\.description).joined(separator: "\n")
        #expect(!text.contains("channels.fosstodon.token: unknown key"))
        #expect(!text.contains("channels.fosstodon.visibility: unknown key"))
        #expect(!text.contains("channels.fosstodon.token: is required"))
        #expect(text.contains("channels.bare.token: is required for mastodon"))
        #expect(text.contains("channels.room: matrix needs `room` and `token`, or `room`, `user` and `password`"))
        #expect(!text.contains("delivery is not available"), "a platform without an adapter is a warning, not a problem")
    }
}
