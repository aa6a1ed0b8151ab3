/// Checks a post's media files, as read from disk (`MediaItem`), against a platform's `MediaLimits`:
/// each file's type, its size, and an image's pixel count. Pure; what it finds fails the channel
/// (`RenderedVariant.errors`), so the preview and the intake report it, not the platform at send
/// time. Counts and alt text are `MediaRules`' business.
public enum MediaLimitCheck {
    /// The types `MediaSniffer` recognises, for messages.
    static let recognised = "PNG, JPEG, GIF, WebP, MP4, MOV or WebM"

    /// An image crier re-encodes for the platform (`ImagePlanner.derives`) is checked by its plan
    /// instead: its type, size and pixels are made to fit, and only a ratio the platform refuses
    /// without a `crop:` in `crops` (the post's media entries, in order) is an error.
    public static func check(_ items: [MediaItem], descriptor: PlatformDescriptor, channel: String,
                             crops: [ImageCrop?] = []) -> (warnings: [String], errors: [String]) {
        guard let limits = descriptor.media, !items.isEmpty else { return ([], []) }
        let name = descriptor.platform.rawValue
        let leaveOut = "or leave \(channel) out of `channels:`"
        var errors: [String] = []
        for (index, item) in items.enumerated() {
            if ImagePlanner.derives(item, limits: limits) {
                let crop = index < crops.count ? crops[index] : nil
                if case .failure(let error) = ImagePlanner.plan(item, crop: crop, platform: descriptor.platform) {
                    errors.append("\(error.message), \(leaveOut)")
                }
                continue
            }
            if let refusal = typeRefusal(item, limits: limits, platform: name) {
                errors.append("\(refusal): convert it, \(leaveOut)")
                continue
            }
            if let max = limits.maxBytes(for: item.mimeType), item.byteCount > max {
                errors.append("\(item.file) is \(size(item.byteCount)); \(name) takes \(kind(item)) up to \(size(max)): "
                              + "make it smaller, \(leaveOut)")
            }
            if item.isImage, let max = limits.maxImagePixels, let width = item.width, let height = item.height,
               width * height > max {
                errors.append("\(item.file) is \(width)×\(height) pixels; \(name) takes images of at most "
                              + "\(grouped(max)) pixels: scale it down, \(leaveOut)")
            }
        }
        return ([], errors)
    }

    /// Why the platform does not take `item`'s type at all, or nil when it does.
    static func typeRefusal(_ item: MediaItem, limits: MediaLimits, platform: String) -> String? {
        guard !limits.accepts(item.mimeType) else { return nil }
        if item.isImage, let types = limits.imageTypes {
            return "\(item.file) is \(item.mimeType); \(platform) takes images as \(list(types))"
        }
        if item.isVideo, let types = limits.videoTypes {
            return types.isEmpty
                ? "\(item.file) is a video (\(item.mimeType)); \(platform) takes no videos"
                : "\(item.file) is \(item.mimeType); \(platform) takes videos as \(list(types))"
        }
        if item.mimeType == MediaSniffer.unknownType {
            return "\(item.file) is not an image or video crier recognises (\(recognised)); \(platform) takes only images and videos"
        }
        return "\(item.file) is \(item.mimeType); \(platform) takes only images and videos"
    }

    static func kind(_ item: MediaItem) -> String {
        if item.isImage { return item.mimeType == "image/gif" ? "GIFs" : "images" }
        return item.isVideo ? "videos" : "files"
    }

    static func list(_ types: [String]) -> String {
        guard types.count > 1 else { return types.first ?? "" }
        return types.dropLast().joined(separator: ", ") + " or " + types[types.count - 1]
    }

    /// "17.3 MB (17,301,504 bytes)", or "812 bytes" below a megabyte (decimal, as platforms write it).
    static func size(_ bytes: Int) -> String {
        guard bytes >= 1_000_000 else { return "\(grouped(bytes)) bytes" }
        let tenths = (bytes + 50_000) / 100_000
        return "\(grouped(tenths / 10)).\(tenths % 10) MB (\(grouped(bytes)) bytes)"
    }

    /// 16777216 → "16,777,216".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }
}
