import CrierCore
import Foundation

/// Derived images, kept by the source's content hash, the platform and the plan, in crier's state
/// directory (`queue/.crier/media/`, never in the queue itself): the same picture in ten posts is
/// derived once per platform, an edited picture gets new entries, and a restart derives nothing
/// again. Entries are written atomically; a missing directory means an in-memory cache (previews).
public final class DerivedImageCache: @unchecked Sendable {
    /// The directory; nil keeps entries in memory only.
    public let directory: String?
    // `memory` is read and written only under `lock`.
    private let lock = NSLock()
    private var memory: [String: Data] = [:]

    public init(directory: String?) {
        self.directory = directory
    }

    /// `<sha256 of the source, 32 hex digits>-<platform>-<plan key hash>`: the name of an entry.
    public static func name(sourceHash: String, plan: ImagePlan) -> String {
        "\(sourceHash.prefix(32))-\(plan.platform.rawValue)-\(ContentHash.of(Data(plan.key.utf8)).prefix(16))"
    }

    /// The bytes stored under `name`, or nil.
    public func data(named name: String) -> Data? {
        guard let directory else { return lock.withLock { memory[name] } }
        return try? FileOperations.readRegularFile(directory + "/" + name, maxSize: Int.max).0
    }

    /// Stores `data` under `name`.
    public func store(_ data: Data, named name: String) throws(MediaError) {
        guard let directory else {
            lock.withLock { memory[name] = data }
            return
        }
        do {
            try FileOperations.makeDirectory(directory, mode: 0o700)
            try FileOperations.writeAtomically(data, to: directory + "/" + name, mode: 0o600, sync: false)
        } catch {
            throw MediaError(file: name, message: "cannot write the derived image \(directory)/\(name) (\(error)); "
                             + "make crier's state directory writable and free some space")
        }
    }
}
