/// Renders a post for one channel: picks the body (a variant for the channel or platform wins), turns
/// its Markdown into the platform's text format, adds hashtags and the link, counts the result the way
/// the platform counts, and applies the `long:` policy and the media rules (counts and alt text, and,
/// where the intake read the files, their types and sizes). Pure: no I/O, no clock.
public enum PostRenderer {
    /// One channel's variant of `post`.
    public static func render(_ post: Post, channel: String, platform: Platform, options: RenderOptions) -> RenderedVariant {
        render(post, channel: channel, platform: platform, options: options, cache: RenderCache())
    }

    /// Every target's variant of `post`, in order — the same results as rendering each on its own, but a
    /// body shared by several targets is parsed, written and counted once.
    public static func render(_ post: Post, targets: [RenderTarget]) -> [RenderedVariant] {
        let cache = RenderCache()
        return targets.map { render(post, channel: $0.channel, platform: $0.platform, options: $0.options, cache: cache) }
    }

    static func render(_ post: Post, channel: String, platform: Platform, options: RenderOptions,
                       cache: RenderCache) -> RenderedVariant {
        let rules = PlatformDescriptor.of(platform).rules
        let source = cache.source(post.body(forChannel: channel, platform: platform))
        var limit = options.limit ?? rules.limit
        // Mastodon counts the content warning (`spoiler_text`) toward the limit (StatusLengthValidator).
        if platform == .mastodon, let warning = post.contentWarning, let full = limit { limit = max(1, full - warning.count) }
        if !post.media.isEmpty, let caption = rules.captionLimit { limit = min(limit ?? caption, caption) }
        let policy = post.long ?? options.long

        var (warnings, errors) = MediaRules.check(post.media, rules: rules, channel: channel,
                                                  requireAlt: options.requireAlt)
        if post.contentWarning != nil, platform != .mastodon {
            warnings.append("content_warning: \(platform.rawValue) has no content warnings; the post goes out without it (only Mastodon shows it)")
        }
        if let items = post.mediaItems {
            let found = MediaLimitCheck.check(items, descriptor: .of(platform), channel: channel,
                                                crops: post.media.map(\.crop))
            warnings += found.warnings
            errors += found.errors
        }
        var context = Context(channel: channel, rules: rules, limit: limit, policy: policy, cache: cache)

        let texts: [WrittenText]
        if rules.format == .markdown {
            texts = context.webhook(source)
        } else {
            texts = context.formatted(source, post: post, numberParts: options.numberThreadParts)
        }
        warnings += context.warnings
        errors += context.errors

        if source.isEmpty && post.link == nil && post.media.isEmpty {
            errors.append("nothing to send to \(channel): the post has no text, link or media")
        }
        if let max = rules.maxHashtags {
            let count = texts.reduce(0) { $0 + Hashtag.matches(in: $1.text).count }
            if count > max {
                errors.append("\(platform.rawValue) allows at most \(max) hashtags, \(channel) would get \(count): "
                              + "remove some tags or #words")
            }
        }
        if let max = rules.maxMentions {
            let count = texts.reduce(0) { $0 + Mention.matches(in: $1.text).count }
            if count > max {
                errors.append("\(platform.rawValue) allows at most \(max) @mentions, \(channel) would get \(count): "
                              + "remove some")
            }
        }

        let parts = texts.map { written in
            RenderedPart(text: written.text, length: context.length(of: written.text), limit: limit,
                         formattedHTML: written.html,
                         facets: rules.facets ? BlueskyFacetBuilder.facets(for: written.text) : [])
        }
        return RenderedVariant(channel: channel, platform: platform, parts: parts, warnings: warnings, errors: errors)
    }

    /// Hashtags for `tags` (camel-cased), skipping ones the body already has and duplicates.
    static func hashtags(for tags: [String], body: String) -> [String] {
        hashtags(for: tags, bodyHashtags: bodyHashtags(body))
    }

    /// The hashtags a body already has, lower-cased.
    static func bodyHashtags(_ body: String) -> Set<String> {
        guard UTF8Text.containsByte(body, where: { $0 == 0x23 || $0 == 0xEF }) else { return [] }
        return Set(Hashtag.tags(in: body).map { $0.lowercased() })
    }

    static func hashtags(for tags: [String], bodyHashtags: Set<String>) -> [String] {
        guard !tags.isEmpty else { return [] }
        var seen = bodyHashtags
        var result: [String] = []
        for tag in tags {
            guard let hashtag = Hashtag.fromTag(tag), seen.insert(hashtag.lowercased()).inserted else { continue }
            result.append(hashtag)
        }
        return result
    }

    /// The post's link unless the body already contains it.
    static func appendedLink(_ link: String?, body: String) -> String? {
        guard let link = link?.crierTrimmingWhitespace(), !link.isEmpty else { return nil }
        if UTF8Text.contains(body, link) { return nil }
        if link.hasSuffix("/"), UTF8Text.contains(body, link.dropLast()) { return nil }
        return link
    }
}

/// One render's state: the channel, its rules and limit, and what went wrong.
private struct Context {
    let channel: String
    let rules: PlatformRules
    let limit: Int?
    let policy: LongPolicy
    var warnings: [String] = []
    var errors: [String] = []

    let cache: RenderCache

    init(channel: String, rules: PlatformRules, limit: Int?, policy: LongPolicy, cache: RenderCache) {
        self.channel = channel
        self.rules = rules
        self.limit = limit
        self.policy = policy
        self.cache = cache
    }

    var name: String { rules.platform.rawValue }
    var label: String { channel == name ? channel : "\(channel) (\(name))" }

    /// The last text measured and its length: the whole text is usually measured to decide it fits,
    /// and then reported as the part's length.
    private var memo: (text: String, length: Int)?

    mutating func length(of text: String) -> Int {
        if let memo, UTF8Text.sameBytes(memo.text, text) { return memo.length }
        let length = cache.length(of: text, rules: rules)
        memo = (text, length)
        return length
    }

    mutating func fits(_ text: String) -> Bool {
        if let maxBytes = rules.maxBytes, text.utf8.count > maxBytes { return false }
        guard let limit else { return true }
        return length(of: text) <= limit
    }

    /// "too long for x: 311/280 (long: reject)", or the byte count where that is what overflows.
    func tooLong(_ text: String) -> String {
        let length = TextLength.count(text, rules: rules)
        var measured = "\(length)/\(limit.map(String.init) ?? "–")"
        if let maxBytes = rules.maxBytes, limit.map({ length <= $0 }) ?? true {
            measured = "\(text.utf8.count)/\(maxBytes) UTF-8 bytes"
        }
        return "too long for \(label): \(measured) (long: \(policy.rawValue))"
    }

    /// The webhook gets the body Markdown as written; tags and link travel as their own JSON fields.
    mutating func webhook(_ source: String) -> [WrittenText] {
        let whole = WrittenText(text: source)
        if fits(source) { return [whole] }
        if policy == .reject {
            errors.append(tooLong(source) + " — shorten the post or add a `variants: \(channel):` text")
            return [whole]
        }
        if policy == .thread { warnings.append("long: thread is not possible on \(name) (no replies); truncated instead") }
        let (limit, rules) = (self.limit, self.rules)
        guard let cut = Truncator.truncate(source, fits: { TextLength.fits($0, limit: limit, rules: rules) }) else {
            errors.append(tooLong(source) + " and cannot be truncated at a word boundary")
            return [whole]
        }
        warnings.append("truncated")
        return [WrittenText(text: cut)]
    }

    mutating func formatted(_ source: String, post: Post, numberParts: Bool) -> [WrittenText] {
        let document = cache.document(source)
        let hashtags = rules.hashtags && !post.tags.isEmpty
            ? PostRenderer.hashtags(for: post.tags, bodyHashtags: cache.bodyHashtags(source)) : []
        let link = PostRenderer.appendedLink(post.link, body: source)
        let body = cache.body(source, format: rules.format)
        let tail = FormatWriter.tail(hashtags: hashtags, link: link, format: rules.format)
        let whole = body.appending(tail)
        if fits(whole.text) { return [whole] }

        switch policy {
        case .reject:
            errors.append(tooLong(whole.text) + " — shorten the post, add a `variants: \(channel):` text, "
                          + "or use long: thread or truncate")
            return [whole]
        case .thread where rules.threads:
            do {
                let parts = try ThreadSplitter.split(body: body.text, tail: tail?.text ?? "", limit: limit,
                                                     rules: rules, number: numberParts)
                warnings.append("split into a thread of \(parts.count)")
                return parts.map { WrittenText(text: $0) }
            } catch {
                errors.append(tooLong(whole.text) + " and cannot be split: \(error.message)")
                return [whole]
            }
        case .thread:
            warnings.append("long: thread is not possible on \(name) (no replies); truncated instead")
        case .truncate:
            break
        }
        // Truncate the body; keep the link, and the hashtags if they still fit.
        for (tail, dropsHashtags) in [(tail, false), (FormatWriter.tail(hashtags: [], link: link, format: rules.format), true)] {
            if dropsHashtags && hashtags.isEmpty { break }
            let (format, limit, rules) = (rules.format, self.limit, self.rules)
            let fitsDocument = { (d: MarkdownDocument) in
                TextLength.fits(FormatWriter.body(d, format: format).appending(tail).text, limit: limit, rules: rules)
            }
            if let cut = Truncator.truncate(document, fits: fitsDocument) {
                warnings.append("truncated")
                if dropsHashtags { warnings.append("hashtags dropped to make room") }
                return [FormatWriter.body(cut, format: format).appending(tail)]
            }
        }
        errors.append(tooLong(whole.text) + " and the link and hashtags leave no room for the text")
        return [whole]
    }
}
