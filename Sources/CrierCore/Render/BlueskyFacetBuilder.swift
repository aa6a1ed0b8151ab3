/// Finds the links, mentions and hashtags in a Bluesky post's text and describes them as facets with
/// UTF-8 byte offsets, as Bluesky's own `RichText.detectFacets` does
/// (https://docs.bsky.app/docs/advanced-guides/post-richtext): URLs after whitespace or `(` (schemeless
/// ones get `https://`), `@handle.domain` mentions, `#tags` (at most 64 characters, digits alone are not
/// a tag).
enum BlueskyFacetBuilder {
    static func facets(for text: String) -> [BlueskyFacet] {
        UTF8Text.withBytes(text) { b in
            var facets: [BlueskyFacet] = []
            let urls = URLDetector.ranges(in: b, options: .init(strictBoundary: true))
            for r in urls {
                let url = UTF8Text.string(b, r)
                let uri = UTF8Text.lower(b[r.lowerBound]) == 0x68 && UTF8Text.contains(url, "://") ? url : "https://" + url
                facets.append(BlueskyFacet(byteStart: r.lowerBound, byteEnd: r.upperBound, feature: .link(uri: uri)))
            }
            func insideURL(_ r: Range<Int>) -> Bool { urls.contains { $0.overlaps(r) } }
            if b.contains(0x40) {
                for m in Mention.matches(in: b) where !m.isRemote && !insideURL(m.range) {
                    let handle = UTF8Text.string(b, m.range.lowerBound + 1..<m.localEnd)
                    guard UTF8Text.containsByte(handle, 0x2E) else { continue }
                    facets.append(BlueskyFacet(byteStart: m.range.lowerBound, byteEnd: m.range.upperBound,
                                               feature: .mention(handle: handle)))
                }
            }
            for h in Hashtag.matches(in: b) where !insideURL(h.range) {
                let tag = UTF8Text.string(b, h.tag)
                guard tag.count <= 64 else { continue }
                facets.append(BlueskyFacet(byteStart: h.range.lowerBound, byteEnd: h.range.upperBound,
                                           feature: .tag(tag)))
            }
            facets.sort { $0.byteStart < $1.byteStart }
            return facets
        }
    }
}
