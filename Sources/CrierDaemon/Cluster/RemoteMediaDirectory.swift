import CrierCore
import Foundation

/// Where a node puts the media files of a post another node took in, as the shared store keeps
/// them (`SharedPostContent`), so that the post parses and its adapters read its media as they would
/// from the queue: one directory per post under the state directory (`queue/.crier/cluster-media/`),
/// the files at their relative paths. Removed when the node forgets the post, and all of it when the
/// daemon starts (nothing in it outlives the process that needed it).
public struct RemoteMediaDirectory: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The directory of the post `id` (named by a hash of the id: ids may hold any character).
    public func root(ofPost id: String) -> String {
        directory + "/" + String(ContentHash.of(Data(id.utf8)).prefix(32))
    }

    /// Writes `media` under the post's directory (replacing what was there) and returns it. Without
    /// media nothing is made: the directory does not exist, so a post that names media the store
    /// does not hold finds none there. Throws if a file cannot be written, or names a path that
    /// would leave the directory.
    public func place(_ media: [StoredMediaFile], forPost id: String) throws -> String {
        let root = root(ofPost: id)
        let files = FileManager.default
        try? files.removeItem(atPath: root)
        guard !media.isEmpty else { return root }
        try files.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for item in media {
            if let problem = MediaPath.problem(item.file) {
                throw MediaError(file: item.file, message: "the shared store holds a media file crier cannot place: \(problem)")
            }
            let path = root + "/" + item.file
            let parent = (path as NSString).deletingLastPathComponent
            try files.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try item.bytes.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
        return root
    }

    /// Removes the post's directory, if there is one.
    public func remove(post id: String) {
        try? FileManager.default.removeItem(atPath: root(ofPost: id))
    }

    /// Removes every post's directory.
    public func removeAll() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
