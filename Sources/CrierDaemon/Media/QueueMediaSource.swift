import CrierCore
import Foundation

/// The daemon's `MediaSource`: a post's media files in the queue directory (or beside a post file
/// previewed from elsewhere). Paths are checked as at intake (`QueueMediaPath`); the type and pixel
/// size are read from each file's first bytes (`MediaSniffer`), never from its name.
public struct QueueMediaSource: MediaSource {
    /// The directory post media paths are relative to.
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public func items(of post: Post, publicBaseURL: String?) throws(MediaError) -> [MediaItem] {
        var items: [MediaItem] = []
        for media in post.media { items.append(try item(media, publicBaseURL: publicBaseURL)) }
        return items
    }

    /// One file, described from its header.
    public func item(_ media: PostMedia, publicBaseURL: String?) throws(MediaError) -> MediaItem {
        let path = try QueueMediaPath.resolve(media.file, root: root)
        let header: Data
        let signature: FileSignature
        do {
            (header, signature) = try FileOperations.readRegularFilePrefix(path, length: MediaSniffer.headerLength)
        } catch {
            throw Self.error(error, file: media.file)
        }
        return MediaItem(media, byteCount: Int(signature.size), sniffed: MediaSniffer.sniff(header),
                         publicURL: publicBaseURL.map { MediaItem.publicURL(base: $0, file: media.file) })
    }

    public func bytes(of item: MediaItem) throws(MediaError) -> Data {
        let path = try QueueMediaPath.resolve(item.file, root: root)
        do {
            return try FileOperations.readRegularFile(path, maxSize: Int.max).0
        } catch {
            throw Self.error(error, file: item.file)
        }
    }

    private static func error(_ error: FileReadError, file: String) -> MediaError {
        switch error {
        case .missing:
            return MediaError(file: file, message: "'\(file)' disappeared from the queue directory; put it back")
        case .symlink:
            return MediaError(file: file, message: "'\(file)' is or passes through a symbolic link; copy the file into the queue instead")
        case .notRegular:
            return MediaError(file: file, message: "'\(file)' is not a regular file")
        case .tooLarge, .system:
            return MediaError(file: file, message: "'\(file)' cannot be read (\(error)); make it readable by crier's user")
        }
    }
}
