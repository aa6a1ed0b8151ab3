/// Everything crier knows about one platform, as data: the keys its channel config takes, how its
/// text is counted and written (`PlatformRules`), its published posting budget, its duplicate
/// policy, what media it takes, and whether this build can deliver to it.
///
/// Each platform's descriptor lives in its own folder, `Platforms/<Name>/<Name>Platform.swift`, with
/// the source of every number beside it, and its adapter beside it. Adding a platform means adding
/// that folder, a `Platform` case and one line in `all`; the compiler then names the two exhaustive
/// switches to extend by one line each (`Platform.tableIndex` below and
/// `PlatformAdapters.adapter(for:)`) — no table of facts is edited elsewhere. Code two platforms
/// share lives in `Platforms/Graph` (Meta's Graph API: Threads, Instagram, Facebook's photos) and
/// `Platforms/OAuth` (token grants); the seam's types are the files at the top of `Platforms/`.
public struct PlatformDescriptor: Sendable, Equatable {
    public var platform: Platform
    /// Channel keys holding secret references (`token`, `app_password`, ...).
    public var secretKeys: [String]
    /// Further plain channel settings (`room`, `chat`, `media_base_url`, ...).
    public var settingKeys: [String]
    /// Keys a channel must give, as alternatives: one of these groups must be complete (Matrix:
    /// `room` + `token`, or `room` + `user` + `password`). Empty: nothing beyond the common keys.
    public var requiredKeys: [[String]]
    /// Length, counting, text format, threads, facets, media counts and alt text.
    public var rules: PlatformRules
    /// The published budget, applied unless the channel's `limits:` override it
    /// (`ChannelLimits.merging(_:)`). Every social platform keeps `maxInFlight` 1 so a channel's
    /// posts go out in order; numbers are per account (or per chat or channel where the platform
    /// says so).
    public var limits: ChannelLimits
    /// The near-duplicate guard unless the channel's `duplicates:` say otherwise.
    public var duplicates: DuplicateSettings
    /// Media types and sizes the platform takes; nil: crier checks none (webhooks).
    public var media: MediaLimits?
    /// The `url` a channel gets when it names none (the platform's public API root); nil: `url` is
    /// required.
    public var defaultURL: String?

    public init(platform: Platform, secretKeys: [String] = [], settingKeys: [String] = [], requiredKeys: [[String]] = [],
                rules: PlatformRules, limits: ChannelLimits, duplicates: DuplicateSettings, media: MediaLimits?, defaultURL: String? = nil) {
        self.platform = platform
        self.secretKeys = secretKeys
        self.settingKeys = settingKeys
        self.requiredKeys = requiredKeys
        self.rules = rules
        self.limits = limits
        self.duplicates = duplicates
        self.media = media
        self.defaultURL = defaultURL
    }

    /// The secrets a channel that gives `given` (its secret and setting keys) still lacks to complete
    /// its first way to connect that lacks only secrets — a channel set up before its account, a
    /// credential gap (`crier check` refuses it, the preview plans it with placeholders). Nil when a
    /// way is complete, or when every way lacks a plain setting too.
    public func missingSecrets(given: Set<String>) -> [String]? {
        guard !requiredKeys.isEmpty, !requiredKeys.contains(where: { $0.allSatisfy(given.contains) }) else { return nil }
        return requiredKeys.first { $0.allSatisfy { given.contains($0) || secretKeys.contains($0) } }
            .map { $0.filter { !given.contains($0) } }
    }

    /// The descriptor of `platform` (array-backed: the renderer asks for every variant).
    public static func of(_ platform: Platform) -> PlatformDescriptor {
        byPlatform[platform.tableIndex]
    }

    /// Every platform's descriptor, one line per platform folder.
    public static let all: [PlatformDescriptor] = [
        WebhookPlatform.descriptor,
        MastodonPlatform.descriptor,
        BlueskyPlatform.descriptor,
        XPlatform.descriptor,
        ThreadsPlatform.descriptor,
        LinkedInPlatform.descriptor,
        FacebookPlatform.descriptor,
        InstagramPlatform.descriptor,
        TelegramPlatform.descriptor,
        DiscordPlatform.descriptor,
        SlackPlatform.descriptor,
        MatrixPlatform.descriptor,
    ]

    /// `all` in `Platform.allCases` order.
    private static let byPlatform: [PlatformDescriptor] = Platform.allCases.map { platform in
        guard let descriptor = all.first(where: { $0.platform == platform }) else {
            preconditionFailure("PlatformDescriptor.all has no descriptor for \(platform)")
        }
        return descriptor
    }
}

extension Platform {
    /// The position in `allCases`, for array-backed tables.
    var tableIndex: Int {
        switch self {
        case .webhook: 0
        case .mastodon: 1
        case .bluesky: 2
        case .x: 3
        case .threads: 4
        case .linkedin: 5
        case .facebook: 6
        case .instagram: 7
        case .telegram: 8
        case .discord: 9
        case .slack: 10
        case .matrix: 11
        }
    }
}
