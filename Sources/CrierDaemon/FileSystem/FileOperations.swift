import Foundation
import Glibc

/// The file operations the queue needs, done carefully: no symlink following, fsync before rename,
/// fsync of the directory after, every errno reported with the path.
public enum FileOperations {
    /// `lstat`, or nil when the path does not exist.
    public static func signature(_ path: String) throws(SystemError) -> FileSignature? {
        var info = stat()
        if lstat(path, &info) == 0 { return FileSignature(info) }
        if errno == ENOENT || errno == ENOTDIR { return nil }
        throw SystemError(call: "lstat", path: path, errno: errno)
    }

    /// Reads a regular file without following a symlink at its last component, refusing files over
    /// `maxSize` bytes. Returns the content and the signature of exactly what was read.
    public static func readRegularFile(_ path: String, maxSize: Int) throws(FileReadError) -> (Data, FileSignature) {
        try readRegularFile(path, maxSize: maxSize, prefix: nil, followingSymlink: false)
    }

    /// Reads a file a person named on the command line (a draft post for `crier enqueue`): a symlink
    /// is followed, as any command-line tool would; the file must be regular and at most `maxSize`.
    public static func readNamedFile(_ path: String, maxSize: Int) throws(FileReadError) -> Data {
        try readRegularFile(path, maxSize: maxSize, prefix: nil, followingSymlink: true).0
    }

    /// The first `length` bytes of a regular file of any size (a media file's header), read without
    /// following a symlink at its last component, and the signature of the whole file.
    public static func readRegularFilePrefix(_ path: String, length: Int) throws(FileReadError) -> (Data, FileSignature) {
        try readRegularFile(path, maxSize: Int.max, prefix: length, followingSymlink: false)
    }

    private static func readRegularFile(_ path: String, maxSize: Int, prefix: Int?,
                                        followingSymlink: Bool) throws(FileReadError) -> (Data, FileSignature) {
        let fd: Int32
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followingSymlink ? 0 : O_NOFOLLOW)
        do {
            fd = try SystemCall.retrying("open", on: path) { open(path, flags) }
        } catch {
            if error.errno == ELOOP { throw .symlink }
            if error.errno == ENOENT { throw .missing }
            throw .system(error)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(SystemError(call: "fstat", path: path, errno: errno)) }
        let signature = FileSignature(info)
        guard signature.isRegularFile else { throw .notRegular }
        guard signature.size <= Int64(maxSize) else { throw .tooLarge(signature.size) }
        var data = Data(count: prefix.map { min($0, Int(signature.size)) } ?? Int(signature.size))
        var offset = 0
        while offset < data.count {
            let count: Int
            do {
                count = try SystemCall.retrying("read", on: path) {
                    data.withUnsafeMutableBytes { buffer in read(fd, buffer.baseAddress! + offset, buffer.count - offset) }
                }
            } catch {
                throw .system(error)
            }
            if count == 0 { break }
            offset += count
        }
        data.count = offset
        return (data, signature)
    }

    /// Writes `data` to `path` atomically: a hidden temporary file in the same directory, fsync,
    /// rename over `path`, fsync of the directory. Readers see the old file or the new, never half.
    /// With `sync: false` the fsyncs are left to the caller (who batches them with `syncfs`).
    public static func writeAtomically(_ data: Data, to path: String, mode: mode_t = 0o660, sync: Bool = true) throws(SystemError) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = "\(directory)/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = try SystemCall.retrying("open", on: temporary) { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        var isOpen = true
        do throws(SystemError) {
            // The mode is meant, whatever the caller's umask: a post enqueued by a group member with
            // umask 077 must still be readable by the daemon's user through the queue's group.
            try SystemCall.retrying("fchmod", on: temporary) { fchmod(fd, mode) }
            var offset = 0
            while offset < data.count {
                let count = try SystemCall.retrying("write", on: temporary) {
                    data.withUnsafeBytes { buffer in write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
                }
                offset += count
            }
            if sync { try SystemCall.retrying("fsync", on: temporary) { fsync(fd) } }
            // Not retried (see SystemCall), and never closed twice: the descriptor is gone either way.
            isOpen = false
            if close(fd) != 0 { throw SystemError(call: "close", path: temporary, errno: errno) }
            try SystemCall.retrying("rename", on: path) { rename(temporary, path) }
        } catch {
            if isOpen { close(fd) }
            unlink(temporary)
            throw error
        }
        if sync { try syncDirectory(directory) }
    }

    /// Renames within one file system and makes the rename durable.
    public static func move(_ source: String, to destination: String) throws(SystemError) {
        try SystemCall.retrying("rename", on: source) { rename(source, destination) }
        try syncDirectory((destination as NSString).deletingLastPathComponent)
        let sourceDirectory = (source as NSString).deletingLastPathComponent
        if sourceDirectory != (destination as NSString).deletingLastPathComponent {
            try syncDirectory(sourceDirectory)
        }
    }

    public static func syncDirectory(_ path: String) throws(SystemError) {
        let fd = try SystemCall.retrying("open", on: path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try SystemCall.retrying("fsync", on: path) { fsync(fd) }
    }

    /// Creates `path` (and parents) if missing.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o2770) throws(SystemError) {
        if mkdir(path, mode) == 0 || errno == EEXIST { return }
        if errno == ENOENT {
            try makeDirectory((path as NSString).deletingLastPathComponent, mode: mode)
            if mkdir(path, mode) == 0 || errno == EEXIST { return }
        }
        throw SystemError(call: "mkdir", path: path, errno: errno)
    }

    /// Names in a directory (not `.`/`..`).
    public static func listDirectory(_ path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw SystemError(call: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `path`, or `stem.N.ext` for the first N that does not exist yet: nothing is ever overwritten.
    public static func unusedPath(_ path: String) -> String {
        guard (try? signature(path)) ?? nil != nil else { return path }
        let url = path as NSString
        let ext = url.pathExtension
        let stem = url.deletingPathExtension
        for counter in 1... {
            let candidate = ext.isEmpty ? "\(stem).\(counter)" : "\(stem).\(counter).\(ext)"
            if (try? signature(candidate)) ?? nil == nil { return candidate }
        }
        return path
    }
}

/// Why a queue file could not be read.
public enum FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing
    case symlink
    case notRegular
    case tooLarge(Int64)
    case system(SystemError)

    public var description: String {
        switch self {
        case .missing: return "the file disappeared before it could be read"
        case .symlink: return "the file is a symbolic link; copy the post into the queue instead of linking it"
        case .notRegular: return "not a regular file"
        case .tooLarge(let size): return "the file is \(size) bytes; posts may be at most 1 MiB"
        case .system(let error): return error.description
        }
    }
}
