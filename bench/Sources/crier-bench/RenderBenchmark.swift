import CrierCore

/// Renders `posts` varied synthetic posts for every platform (the 11 social platforms and the generic
/// webhook) through the public API — `PostRenderer.render(_:targets:)`, the way the daemon and
/// `crier preview` render all channels of a post: it parses, writes, counts, and threads or truncates
/// the long ones. Returns how many variants were rendered and the wall time it took.
/// Target: ≥ 100,000 variants/s in a release build.
func runRenderBenchmark(posts: Int) -> (variants: Int, seconds: Double) {
    let corpus = RenderBenchmarkCorpus.posts(count: posts)
    let targets = Platform.allCases.map { RenderTarget(channel: $0.rawValue, platform: $0) }
    return RenderBenchmarkCorpus.time { checksum in
        var variants = 0
        for post in corpus {
            for variant in PostRenderer.render(post, targets: targets) {
                checksum &+= variant.parts.count &+ (variant.parts.first?.length ?? 0) &+ variant.errors.count
                variants += 1
            }
        }
        return variants
    }
}

/// The same work one variant at a time (`PostRenderer.render(_:channel:platform:options:)`), which
/// parses and writes the body again for every channel.
func runRenderBenchmarkOneByOne(posts: Int) -> (variants: Int, seconds: Double) {
    let corpus = RenderBenchmarkCorpus.posts(count: posts)
    let options = RenderOptions()
    return RenderBenchmarkCorpus.time { checksum in
        var variants = 0
        for post in corpus {
            for platform in Platform.allCases {
                let variant = PostRenderer.render(post, channel: platform.rawValue, platform: platform, options: options)
                checksum &+= variant.parts.count &+ (variant.parts.first?.length ?? 0) &+ variant.errors.count
                variants += 1
            }
        }
        return variants
    }
}

/// Deterministic synthetic posts: short and long, ASCII and not, with links, tags, media and variants.
enum RenderBenchmarkCorpus {
    static func time(_ body: (inout Int) -> Int) -> (variants: Int, seconds: Double) {
        var checksum = 0
        let clock = ContinuousClock()
        let start = clock.now
        let variants = body(&checksum)
        let elapsed = clock.now - start
        if checksum == Int.min { print("unreachable \(checksum)") }  // keeps the work observable
        return (variants, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    static let sentences = [
        "We just shipped v2 of crier, with *faster* builds and **fewer** surprises.",
        "Read the [release notes](https://example.com/notes/v2_(final)) before upgrading.",
        "Thanks to @alice@mastodon.social and @bob.bsky.social for the reviews! 🎉",
        "Große Änderungen: schnellere Builds für alle Plattformen.",
        "新しいバージョンをリリースしました。ぜひお試しください。",
        "Family 👨‍👩‍👧‍👦, flags 🇩🇪🇫🇷, skin tones 👍🏽 and keycaps 1️⃣ all count right.",
        "See example.com/changelog or `crier preview --json` for details.",
        "شكراً لكل من ساهم في هذا الإصدار.",
        "Bugs fixed: snake_case_names no longer turn italic, & <tags> are escaped.",
    ]

    static func posts(count: Int) -> [Post] {
        (0..<count).map { i in
            let sentenceCount = [1, 2, 3, 5, 8, 14][i % 6]
            var paragraphs: [String] = []
            var current: [String] = []
            for k in 0..<sentenceCount {
                current.append(sentences[(i + k * 7) % sentences.count])
                if current.count == 3 { paragraphs.append(current.joined(separator: " ")); current = [] }
            }
            if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
            if i % 5 == 0 { paragraphs.append("- first point\n- second point with https://example.org/x") }
            let tags = i % 3 == 0 ? [] : ["release", "open source", "swift"].prefix(1 + i % 3).map { $0 }
            let media = i % 4 == 0 ? [PostMedia(file: "media/\(i).png", alt: "Screenshot \(i)")] : []
            let variants = i % 7 == 0 ? ["x": "Short text for X #\(i) https://example.com/\(i)"] : [:]
            return Post(id: "post-\(i)", file: "post-\(i).md", channels: .all, tags: tags,
                        link: i % 2 == 0 ? "https://example.com/posts/\(i)" : nil, media: media,
                        long: i % 11 == 0 ? .truncate : nil, variants: variants,
                        body: paragraphs.joined(separator: "\n\n"))
        }
    }
}
