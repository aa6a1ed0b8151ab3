import Glibc

/// Identity and version of a file as `stat` sees it: an unchanged signature means unchanged content
/// (within the file system's timestamp resolution), so rescans need not re-read it. The journal
/// keeps the signature of each pending post's file, so a restart need not re-read it either.
public struct FileSignature: Sendable, Equatable {
    public var inode: UInt64
    public var size: Int64
    public var modifiedNanoseconds: Int64
    public var isRegularFile: Bool
    public var isSymlink: Bool
    /// The owner's uid: who dropped the file.
    public var owner: UInt32

    init(_ info: stat) {
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        isRegularFile = (info.st_mode & S_IFMT) == S_IFREG
        isSymlink = (info.st_mode & S_IFMT) == S_IFLNK
        owner = info.st_uid
    }

    /// The signature of a regular file, as the journal stored it.
    public init(regularFileInode inode: UInt64, size: Int64, modifiedNanoseconds: Int64, owner: UInt32) {
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        isRegularFile = true
        isSymlink = false
        self.owner = owner
    }

    public var modifiedSeconds: Double { Double(modifiedNanoseconds) / 1_000_000_000 }
}
