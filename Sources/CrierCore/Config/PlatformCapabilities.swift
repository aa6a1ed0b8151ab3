/// What each platform's channel config takes, and whether this build can deliver to it. Data, not
/// code: a platform adapter added later adds a row here.
public struct PlatformCapabilities: Sendable, Equatable {
    /// Keys holding secret references.
    public var secretKeys: [String]
    /// Secret keys that must be present.
    public var requiredSecrets: [String]
    /// Further plain settings.
    public var settingKeys: [String]
    /// Whether an adapter exists in this build.
    public var deliverable: Bool

    public static func of(_ platform: Platform) -> PlatformCapabilities {
        switch platform {
        case .webhook:
            return PlatformCapabilities(secretKeys: ["secret"], requiredSecrets: [], settingKeys: [], deliverable: true)
        default:
            return PlatformCapabilities(secretKeys: [], requiredSecrets: [], settingKeys: [], deliverable: false)
        }
    }
}
