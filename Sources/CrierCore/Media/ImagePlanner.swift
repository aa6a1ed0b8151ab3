/// Works out, for one image of a post and one platform, what crier sends (`ImagePlan`): within the
/// platform's byte and pixel limits and its largest width and height, in a type it takes, cut to a
/// ratio it takes or displays well only when the post's media entry says how (`crop:`/`focus:`).
/// Pure. An image whose ratio the platform refuses, with no `crop:`, is an error naming both ratios.
public enum ImagePlanner {
    /// The types crier re-encodes; GIFs (animation), videos and other files are sent as they are.
    public static let derivableTypes = ["image/jpeg", "image/png", "image/webp"]
    /// JPEG and WebP quality steps, tried in order until the image is within the byte limit.
    public static let qualities = [90, 85, 80, 75, 70, 60, 50]
    /// How far a ratio may be outside a platform's range and still count as inside (rounding: a
    /// 1080 × 1350 image is 4:5 exactly, 1080 × 566 is 1.908:1).
    static let tolerance = 0.01

    /// Whether crier derives `item` for a platform with `limits` (images of the types above whose
    /// size the header gave, for platforms that limit media).
    public static func derives(_ item: MediaItem, limits: MediaLimits?) -> Bool {
        limits != nil && derivableTypes.contains(item.mimeType) && item.width != nil && item.height != nil
    }

    /// The plan for `item` on `platform`; nil when the file is sent as it is (see `derives`).
    public static func plan(_ item: MediaItem, crop: ImageCrop?, platform: Platform) -> Result<ImagePlan?, MediaError> {
        let limits = PlatformDescriptor.of(platform).media
        guard let limits, derives(item, limits: limits), let width = item.displayWidth, let height = item.displayHeight,
              width > 0, height > 0 else { return .success(nil) }
        let shape = limits.imageShape
        let ratio = Double(width) / Double(height)
        var target: ImageRatio?
        if crop != nil {
            if let cropRatio = shape.cropRatio {
                target = cropRatio
            } else if let names = shape.acceptedNames, let range = shape.accepted {
                if ratio < range.lowerBound * (1 - tolerance) { target = names.narrowest }
                if ratio > range.upperBound * (1 + tolerance) { target = names.widest }
            }
        } else if let names = shape.acceptedNames, let range = shape.accepted,
                  ratio < range.lowerBound * (1 - tolerance) || ratio > range.upperBound * (1 + tolerance) {
            return .failure(MediaError(
                file: item.file,
                message: "\(item.file) is \(width)×\(height), a ratio of \(ImageRatio.of(width: width, height: height)); "
                    + "\(platform.rawValue) takes images from \(names.narrowest) to \(names.widest): add `crop: center`, "
                    + "`crop: top` or `focus: [x, y]` to its media entry to let crier crop it"))
        }
        let rect = target.map { cropRect(width: width, height: height, ratio: $0.value, crop: crop ?? .center) }
        let keptWidth = rect?.width ?? width
        let keptHeight = rect?.height ?? height
        var scale = 1.0
        if let max = shape.maxWidth { scale = min(scale, Double(max) / Double(keptWidth)) }
        if let max = shape.maxHeight { scale = min(scale, Double(max) / Double(keptHeight)) }
        if let max = limits.maxImagePixels {
            scale = min(scale, (Double(max) / Double(keptWidth * keptHeight)).squareRoot())
        }
        // The epsilon keeps 6000 × (2000 / 6000) at 2000, not 1999.
        var outWidth = Swift.max(1, Int((Double(keptWidth) * scale + 1e-9).rounded(.down)))
        var outHeight = Swift.max(1, Int((Double(keptHeight) * scale + 1e-9).rounded(.down)))
        if scale >= 1 { (outWidth, outHeight) = (keptWidth, keptHeight) }
        let formats = formats(for: item.mimeType, limits: limits)
        return .success(ImagePlan(file: item.file, platform: platform, sourceWidth: width, sourceHeight: height,
                                  crop: rect == ImagePlan.Rect(x: 0, y: 0, width: width, height: height) ? nil : rect,
                                  cropRatio: target, width: outWidth, height: outHeight, formats: formats,
                                  qualities: qualities, maxBytes: limits.maxImageBytes))
    }

    /// The largest `ratio` window in a `width` × `height` image, placed as `crop` says.
    static func cropRect(width: Int, height: Int, ratio: Double, crop: ImageCrop) -> ImagePlan.Rect {
        var keptWidth = width
        var keptHeight = height
        if Double(width) / Double(height) > ratio {
            keptWidth = Swift.min(width, Swift.max(1, Int((Double(height) * ratio).rounded())))
        } else {
            keptHeight = Swift.min(height, Swift.max(1, Int((Double(width) / ratio).rounded())))
        }
        let centreX = (width - keptWidth) / 2
        let centreY = (height - keptHeight) / 2
        switch crop {
        case .center:
            return ImagePlan.Rect(x: centreX, y: centreY, width: keptWidth, height: keptHeight)
        case .top:
            return ImagePlan.Rect(x: centreX, y: 0, width: keptWidth, height: keptHeight)
        case .focus(let fx, let fy):
            let x = Int((fx * Double(width) - Double(keptWidth) / 2).rounded())
            let y = Int((fy * Double(height) - Double(keptHeight) / 2).rounded())
            return ImagePlan.Rect(x: Swift.min(Swift.max(0, x), width - keptWidth),
                                  y: Swift.min(Swift.max(0, y), height - keptHeight), width: keptWidth, height: keptHeight)
        }
    }

    /// PNG stays PNG where the platform takes it (screenshots: sharp text), with JPEG behind it when the
    /// PNG is over the byte limit; WebP stays WebP where taken; everything else becomes JPEG.
    static func formats(for mimeType: String, limits: MediaLimits) -> [ImagePlan.Format] {
        let jpeg = limits.accepts("image/jpeg")
        switch mimeType {
        case "image/png" where limits.accepts("image/png"): return jpeg ? [.png, .jpeg] : [.png]
        case "image/webp" where limits.accepts("image/webp"): return jpeg ? [.webp, .jpeg] : [.webp]
        default: return jpeg ? [.jpeg] : limits.accepts("image/png") ? [.png] : [.webp]
        }
    }
}
