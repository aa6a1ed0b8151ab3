/// Checks a post's media against a platform's rules (`PlatformRules.maxMedia`, `maxAltLength`,
/// `requiresMedia`) and the channel's `require_alt`.
enum MediaRules {
    static let videoExtensions: Set<String> = ["mp4", "mov", "m4v", "webm", "mkv", "avi"]

    /// Whether `file` is a picture (anything that is not a known video type).
    static func isImage(_ file: String) -> Bool {
        guard let dot = file.lastIndex(of: ".") else { return true }
        return !videoExtensions.contains(file[file.index(after: dot)...].lowercased())
    }

    static func check(_ media: [PostMedia], rules: PlatformRules, channel: String, requireAlt: Bool)
        -> (warnings: [String], errors: [String]) {
        var warnings: [String] = []
        var errors: [String] = []
        let name = rules.platform.rawValue
        if media.isEmpty {
            if rules.requiresMedia {
                errors.append("\(name) needs at least one image or video for \(channel): add `media:` to the post")
            }
            return (warnings, errors)
        }
        if let max = rules.maxMedia, media.count > max {
            errors.append("\(channel): \(name) takes at most \(max) media items, the post has \(media.count); "
                          + "remove some or leave \(channel) out of `channels:`")
        }
        for item in media {
            let alt = item.alt?.crierTrimmingWhitespace() ?? ""
            if alt.isEmpty {
                guard isImage(item.file) else { continue }
                let message = "\(item.file) has no alt text: add `alt:` to it"
                if requireAlt { errors.append(message + " (require_alt is on)") } else { warnings.append(message) }
            } else if !rules.supportsAlt {
                warnings.append("\(name) shows no alt text: the alt text of \(item.file) will not be shown on \(channel)")
            } else if let max = rules.maxAltLength {
                let length = alt.count
                if length > max {
                    errors.append("the alt text of \(item.file) is \(length) characters; \(name) allows \(max): shorten it")
                }
            }
        }
        return (warnings, errors)
    }
}
