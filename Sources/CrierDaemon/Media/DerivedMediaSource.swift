import CrierCore
import Foundation

/// The daemon's `MediaSource` for deliveries: the queue's files (`QueueMediaSource`), with each image
/// crier makes to fit a platform (`ImagePlanner`) replaced by its derived image from the cache. The
/// intake calls `prepare` when a post is dropped, so derivation happens then, never in the send path;
/// an entry missing at send time (the cache was emptied) is derived again on the spot.
public struct DerivedMediaSource: MediaSource {
    public let files: QueueMediaSource
    public let cache: DerivedImageCache

    public init(root: String, cache: DerivedImageCache) {
        self.files = QueueMediaSource(root: root)
        self.cache = cache
    }

    /// The cache under a queue's state directory (`queue/.crier/media`).
    public init(layout: QueueLayout) {
        self.init(root: layout.root, cache: DerivedImageCache(directory: layout.state + "/media"))
    }

    public func items(of post: Post, publicBaseURL: String?) throws(MediaError) -> [MediaItem] {
        try files.items(of: post, publicBaseURL: publicBaseURL)
    }

    public func items(of post: Post, platform: Platform, publicBaseURL: String?) throws(MediaError) -> [MediaItem] {
        // A platform that fetches media from the channel's `media_base_url` (Threads, Instagram,
        // Facebook) gets what is published there: the original file, described as it is.
        if publicBaseURL != nil { return try files.items(of: post, publicBaseURL: publicBaseURL) }
        var items: [MediaItem] = []
        for media in post.media {
            let item = try files.item(media, publicBaseURL: publicBaseURL)
            items.append(try derived(item, crop: media.crop, platform: platform))
        }
        return items
    }

    public func bytes(of item: MediaItem) throws(MediaError) -> Data {
        guard let name = item.derivedFile else { return try files.bytes(of: item) }
        guard let data = cache.data(named: name) else {
            throw MediaError(file: item.file, message: "the image derived from \(item.file) for this channel is gone from "
                             + "crier's state directory; it is made again on the next attempt")
        }
        return data
    }

    /// Derives every image of `post` for each of `platforms` that is not in the cache yet (the intake
    /// calls this when the post is dropped). Returns the problems, one per image that cannot be made.
    @discardableResult
    public func prepare(_ post: Post, platforms: [Platform]) -> [MediaError] {
        var problems: [MediaError] = []
        for platform in Set(platforms).sorted(by: { $0.rawValue < $1.rawValue })
        where PlatformDescriptor.of(platform).media != nil {
            do throws(MediaError) {
                _ = try items(of: post, platform: platform, publicBaseURL: nil)
            } catch {
                problems.append(error)
            }
        }
        return problems
    }

    /// Each media file of `post` as `platform` gets it, for the preview.
    public func previewImages(of post: Post, platform: Platform) throws(MediaError) -> [PreviewImage] {
        var images: [PreviewImage] = []
        for media in post.media {
            let item = try files.item(media, publicBaseURL: nil)
            let derived = try self.derived(item, crop: media.crop, platform: platform)
            var crop: String?
            if case .success(let plan?) = ImagePlanner.plan(item, crop: media.crop, platform: platform), plan.crop != nil,
               let ratio = plan.cropRatio {
                crop = "\(ratio) \((media.crop ?? .center).label)"
            }
            images.append(PreviewImage(file: media.file, derived: derived.derivedFile != nil, type: derived.mimeType,
                                       width: derived.width, height: derived.height, bytes: derived.byteCount, crop: crop))
        }
        return images
    }

    /// `item` as `platform` gets it: its derived image (from the cache, or made and stored now),
    /// or the file itself when crier does not derive it.
    func derived(_ item: MediaItem, crop: ImageCrop?, platform: Platform) throws(MediaError) -> MediaItem {
        guard case .success(let plan?) = ImagePlanner.plan(item, crop: crop, platform: platform) else { return item }
        let source = try files.bytes(of: item)
        let name = DerivedImageCache.name(sourceHash: ContentHash.of(source), plan: plan)
        let data: Data
        if let cached = cache.data(named: name) {
            data = cached
        } else {
            data = try ImageDeriver.derive(source, plan: plan).data
            try cache.store(data, named: name)
        }
        let sniffed = MediaSniffer.sniff(data)
        var derived = MediaItem(file: item.file, alt: item.alt, byteCount: data.count, mimeType: sniffed.mimeType,
                                width: sniffed.width, height: sniffed.height, publicURL: item.publicURL)
        derived.derivedFile = name
        return derived
    }
}
