import CrierCore
import Foundation
import Glibc

/// Where a post's media file is on disk, checked: a relative path (`MediaPath`), inside the queue
/// directory (`root`), reached through no symbolic link, a regular file. The intake and
/// `QueueMediaSource` both go through here, so a file an adapter reads is one the intake accepted.
enum QueueMediaPath {
    /// The file's real path, or why it cannot be used and what to do.
    static func resolve(_ file: String, root: String) throws(MediaError) -> String {
        if let problem = MediaPath.problem(file) { throw MediaError(file: file, message: problem) }
        let root = (root as NSString).standardizingPath
        let path = root + "/" + file
        guard let resolved = realpath(path, nil) else {
            throw MediaError(file: file, message: "'\(file)' does not exist in the queue directory; put the file there first")
        }
        let real = String(cString: resolved)
        free(resolved)
        if real != (path as NSString).standardizingPath || !real.hasPrefix(root + "/") {
            throw MediaError(file: file, message: "'\(file)' is or passes through a symbolic link; copy the file into the queue instead")
        }
        if let signature = try? FileOperations.signature(real), !signature.isRegularFile {
            throw MediaError(file: file, message: "'\(file)' is not a regular file")
        }
        return real
    }
}
