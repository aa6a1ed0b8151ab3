import CrierCore
import Foundation
import FuzzSupport

/// The Markdown subset parser and every platform's writer, counter, thread splitter and truncator:
/// a post built from the input (options from the first two bytes; then body, a variant and tags
/// separated by NUL) rendered for every `Platform` twice — once through `PostRenderer.render(_:targets:)`
/// (the shared cache the engine uses), once per channel through `PartsPlanner` — which must agree, and
/// a variant without errors must fit its limit.
///
/// Byte 0: bits 0-1 `long` (thread, truncate, reject, none), bit 2 number thread parts, bit 3
/// require alt, bit 4 a link, bit 5 media (two images, one without alt), bit 6 a length limit of
/// 1 + byte 1, bit 7 the second text is a variant (else a tag).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(bytes, size)
    let flags = input.byte()
    let limitByte = input.byte()
    let pieces = input.restText().split(separator: "\u{0}", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
    let body = pieces.first ?? ""
    var variants: [String: String] = [:]
    var tags = Array(pieces.dropFirst())
    if flags & 0x80 != 0, let variant = tags.first {
        variants["mastodon"] = variant
        variants["ch-bluesky"] = variant
        tags.removeFirst()
    }
    let long: LongPolicy? = [LongPolicy.thread, .truncate, .reject, nil][Int(flags & 0x03)]
    let post = Post(id: "fuzz", file: "fuzz.md", channels: .all, tags: tags,
                    link: flags & 0x10 != 0 ? "https://example.com/a/long/path/to/the/release-notes?v=2" : nil,
                    media: flags & 0x20 != 0 ? [PostMedia(file: "media/a.png", alt: "A screenshot"), PostMedia(file: "media/b.png")] : [],
                    long: long, variants: variants, body: body)

    var targets: [RenderTarget] = []
    var channels: [ChannelConfig] = []
    for platform in Platform.allCases {
        let channel = ChannelConfig(name: "ch-\(platform.rawValue)", platform: platform, url: "https://example.com",
                                    lengthLimit: flags & 0x40 != 0 ? 1 + Int(limitByte) : nil, long: .truncate,
                                    requireAlt: flags & 0x08 != 0, numberThreadParts: flags & 0x04 != 0)
        channels.append(channel)
        targets.append(RenderTarget(channel: channel.name, platform: platform,
                                    options: PartsPlanner.options(for: post, channel: channel, defaults: PostDefaults())))
    }
    let together = PostRenderer.render(post, targets: targets)
    for (channel, shared) in zip(channels, together) {
        let alone = PartsPlanner.variant(for: post, channel: channel, defaults: PostDefaults())
        invariant(alone == shared, "\(channel.platform): rendering alone differs from rendering with the others")
        Oracles.check(alone)
    }
    return 0
}
