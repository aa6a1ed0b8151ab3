import Foundation

/// One post on one channel: when it would go out and exactly what would be sent.
public struct PreviewDelivery: Sendable, Equatable, Encodable {
    public var channel: String
    public var platform: Platform
    /// The planned send time; nil when it will not be sent (an error, a paused channel, expired) or is
    /// not planned within the planner's horizon. The reason belongs in `warnings` or `errors`.
    public var at: Date?
    /// One part, or several for a thread, in send order.
    public var parts: [PreviewPart]
    /// Things to look at that do not stop the send: truncated, thread fallback, missing alt text,
    /// near-duplicate, quiet hours, paused channel.
    public var warnings: [String]
    /// Problems that stop this delivery (too long under `long: reject`, ...); each makes the preview
    /// exit with status 1.
    public var errors: [String]
    /// Each media file as this channel gets it (derived images with their size, pixels and bytes);
    /// empty for posts without media and channels that do not read them (webhooks).
    public var images: [PreviewImage] = []

    public init(channel: String, platform: Platform, at: Date? = nil, parts: [PreviewPart] = [],
                warnings: [String] = [], errors: [String] = []) {
        self.channel = channel
        self.platform = platform
        self.at = at
        self.parts = parts
        self.warnings = warnings
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey {
        case channel, platform, at, parts, warnings, errors, images
    }

    /// The docs/formats.md shape: `at` as RFC 3339 UTC (see `PreviewJSON.timestamp`) or an explicit
    /// null. `errors` and `images` are written only when there are some, so the shape is
    /// unchanged for every delivery without errors.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(channel, forKey: .channel)
        try container.encode(platform, forKey: .platform)
        try container.encode(at.map(PreviewJSON.timestamp), forKey: .at)
        try container.encode(parts, forKey: .parts)
        try container.encode(warnings, forKey: .warnings)
        if !errors.isEmpty {
            try container.encode(errors, forKey: .errors)
        }
        if !images.isEmpty {
            try container.encode(images, forKey: .images)
        }
    }
}
