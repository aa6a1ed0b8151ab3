import Dispatch
import Glibc

/// Watches the queue directory with inotify and reports what changed, on `queue`. Events are hints,
/// not truth: the intake re-reads the directory entry for each name it is told about, and a periodic
/// rescan catches anything inotify missed (or an overflow).
public final class QueueWatcher: @unchecked Sendable {
    // Confinement: `source` and `buffer` are touched only on `queue`.
    public enum Event: Sendable, Equatable {
        /// A writer closed the file, or it was renamed into place: complete, read it now.
        case completed(String)
        /// The file was created or modified and may still be being written.
        case writing(String)
        /// The name left the queue directory (deleted or moved away).
        case removed(String)
        /// Events were lost, or the directory itself changed: rescan everything.
        case rescanNeeded
    }

    private let fd: Int32
    private let source: DispatchSourceRead
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Starts watching `directory`; `handler` runs on `queue` with the events of each read.
    public init(directory: String, queue: DispatchQueue, handler: @escaping @Sendable ([Event]) -> Void) throws(SystemError) {
        let descriptor = try SystemCall.retrying("inotify_init1", on: directory) { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_MODIFY
            | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
        do {
            try SystemCall.retrying("inotify_add_watch", on: directory) { inotify_add_watch(descriptor, directory, mask) }
        } catch {
            close(descriptor)
            throw error
        }
        fd = descriptor
        source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        source.setEventHandler { [unowned self] in
            let events = self.drain()
            if !events.isEmpty { handler(events) }
        }
        source.setCancelHandler { close(descriptor) }
        source.resume()
    }

    deinit {
        source.cancel()
    }

    public func stop() {
        source.cancel()
    }

    private func drain() -> [Event] {
        var events: [Event] = []
        while true {
            let count: Int
            do {
                count = try SystemCall.retrying("read") { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            } catch {
                break // EAGAIN: drained
            }
            if count == 0 { break }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= count {
                let (mask, length) = buffer.withUnsafeBytes { raw -> (UInt32, Int) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.mask, Int(event.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                let nameBytes = buffer[nameStart..<min(nameStart + length, count)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                offset = nameStart + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 || mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 {
                    events.append(.rescanNeeded)
                } else if name.isEmpty {
                    continue
                } else if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 {
                    events.append(.completed(name))
                } else if mask & UInt32(IN_MOVED_FROM | IN_DELETE) != 0 {
                    events.append(.removed(name))
                } else if mask & UInt32(IN_CREATE | IN_MODIFY) != 0 {
                    events.append(.writing(name))
                }
            }
        }
        return events
    }
}
