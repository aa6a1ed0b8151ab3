import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Logging
import Testing

@Suite struct PostFilerTests {
    func record(_ channel: String, _ status: DeliveryStatus, part: Int = 1, error: String? = nil, remote: RemoteReference? = nil,
                httpStatus: Int? = 200) -> DeliveryRecord {
        DeliveryRecord(id: "d_\(channel)\(part)", key: DeliveryKey(post: "launch", channel: channel, part: part), status: status,
                       attempts: 1, dueAt: nil, finishedAt: Date(timeIntervalSince1970: 1_800_000_000.125), httpStatus: httpStatus,
                       error: error, remote: remote)
    }

    @Test func handWrittenReceiptJSONIsExactlyWhatTheEncoderWrites() {
        let receipts = [
            Receipt(post: "launch", file: "launch.md", records: [record("sink", .sent)]),
            Receipt(post: "launch", file: "launch.md", records: [record("sink", .sent, remote: RemoteReference(id: "42", url: "https://x.example/a/b"))],
                    queuedBy: "ann", approvedBy: ["sink": "bob"]),
            Receipt(post: "lancé", file: "lancé — 2.md", records: [record("b", .sent), record("a", .failed, error: "HTTP 500 from the receiver", httpStatus: 500),
                                                                 record("a", .cancelled, part: 2, httpStatus: nil)],
                    queuedBy: "émile"),
            Receipt(post: "launch", file: "launch.md", records: [record("sink", .expired, error: nil, httpStatus: nil)]),
        ]
        for receipt in receipts {
            #expect(ReceiptJSON.fast(receipt) == receipt.encoded())
            #expect(ReceiptJSON.encoded(receipt) == receipt.encoded())
        }
    }

    @Test func stringsThatNeedEscapingAndEmptyReceiptsGoThroughTheEncoder() {
        let quoted = Receipt(post: "launch", file: "launch.md", records: [record("sink", .failed, error: "said \"no\"\n\\ back")])
        #expect(ReceiptJSON.fast(quoted) == nil)
        #expect(ReceiptJSON.encoded(quoted) == quoted.encoded())
        let empty = Receipt(post: "launch", file: "launch.md", records: [])
        #expect(ReceiptJSON.fast(empty) == nil)
        #expect(ReceiptJSON.encoded(empty) == empty.encoded())
    }

    func file(_ filer: PostFiler, _ finished: PostFiler.Finished) -> String? {
        let queue = DispatchQueue(label: "test.filer")
        let done = DispatchSemaphore(value: 0)
        let result = LockedBox<String?>(nil)
        filer.file(finished, on: queue) { destination in
            result.set(destination)
            done.signal()
        }
        done.wait()
        return result.get()
    }

    /// A rejection writes its reason before it moves the file: a kill between the two leaves the
    /// file in the queue and an error.txt without its file, which the next rejection reuses — never
    /// a rejected file without its reason.
    @Test func aRejectionWritesTheReasonFirstAndReusesAReasonLeftWithoutItsFile() throws {
        let directory = TemporaryDirectory()
        let layout = QueueLayout(root: directory.path)
        try FileManager.default.createDirectory(atPath: layout.rejected, withIntermediateDirectories: true)
        let filer = PostFiler(layout: layout, dryRun: false, logger: Logger(label: "test"))
        func reject(_ name: String, _ reason: String) -> String? {
            let done = DispatchSemaphore(value: 0)
            let result = LockedBox<String?>(nil)
            filer.reject(name: name, reason: reason, on: DispatchQueue(label: "test.reject")) { destination in
                result.set(destination)
                done.signal()
            }
            done.wait()
            return result.get()
        }
        // The state a kill between the two steps leaves: the reason written, the file not moved.
        _ = FileManager.default.createFile(atPath: layout.rejected + "/typo.error.txt", contents: Data("typo.md:3: older reason\n".utf8))
        _ = FileManager.default.createFile(atPath: layout.pending("typo.md"), contents: Data("---\nchanels: [ops]\n---\n".utf8))
        #expect(reject("typo.md", "typo.md:2: chanels: unknown key") == layout.rejected + "/typo.md")
        let reason = String(decoding: FileManager.default.contents(atPath: layout.rejected + "/typo.error.txt") ?? Data(), as: UTF8.self)
        #expect(reason.hasPrefix("typo.md:2: chanels: unknown key"))
        #expect(!FileManager.default.fileExists(atPath: layout.pending("typo.md")))
        #expect(!FileManager.default.fileExists(atPath: layout.rejected + "/typo.1.md"))
        // A rejected file of that name with its reason is never replaced.
        _ = FileManager.default.createFile(atPath: layout.pending("typo.md"), contents: Data("again".utf8))
        #expect(reject("typo.md", "typo.md:1: again") == layout.rejected + "/typo.1.md")
        #expect(FileManager.default.contents(atPath: layout.rejected + "/typo.md") == Data("---\nchanels: [ops]\n---\n".utf8))
        #expect(FileManager.default.fileExists(atPath: layout.rejected + "/typo.1.error.txt"))
    }

    @Test func filesUnderItsOwnNameOrTheNextFreePairNeverReplacingAnything() throws {
        let directory = TemporaryDirectory()
        let layout = QueueLayout(root: directory.path)
        try FileManager.default.createDirectory(atPath: layout.sent, withIntermediateDirectories: true)
        let filer = PostFiler(layout: layout, dryRun: false, logger: Logger(label: "test"))
        let receipt = Receipt(post: "launch", file: "launch.md", records: [record("sink", .sent)])
        func drop(_ name: String, _ text: String) { FileManager.default.createFile(atPath: layout.pending(name), contents: Data(text.utf8)) }

        drop("launch.md", "first")
        #expect(file(filer, .init(fileName: "launch.md", fileInQueue: true, outcome: .sent, receipt: receipt)) == layout.sent + "/launch.md")
        #expect(FileManager.default.contents(atPath: layout.sent + "/launch.md") == Data("first".utf8))
        #expect(FileManager.default.contents(atPath: layout.sent + "/launch.receipt.json") == receipt.encoded())
        #expect(!FileManager.default.fileExists(atPath: layout.pending("launch.md")))

        // The name is taken: the next free pair, the first post and its receipt untouched.
        drop("launch.md", "second")
        #expect(file(filer, .init(fileName: "launch.md", fileInQueue: true, outcome: .sent, receipt: receipt)) == layout.sent + "/launch.1.md")
        #expect(FileManager.default.contents(atPath: layout.sent + "/launch.md") == Data("first".utf8))
        #expect(FileManager.default.contents(atPath: layout.sent + "/launch.1.md") == Data("second".utf8))
        #expect(FileManager.default.contents(atPath: layout.sent + "/launch.1.receipt.json") == receipt.encoded())

        // Only a receipt of that name (its post was taken away): it is not replaced either.
        FileManager.default.createFile(atPath: layout.sent + "/other.receipt.json", contents: Data("old".utf8))
        drop("other.md", "third")
        #expect(file(filer, .init(fileName: "other.md", fileInQueue: true, outcome: .sent, receipt: receipt)) == layout.sent + "/other.1.md")
        #expect(FileManager.default.contents(atPath: layout.sent + "/other.receipt.json") == Data("old".utf8))
        #expect(FileManager.default.contents(atPath: layout.sent + "/other.1.receipt.json") == receipt.encoded())

        // Filed before a crash with a short receipt: the receipt is written whole.
        FileManager.default.createFile(atPath: layout.sent + "/crashed.md", contents: Data("fourth".utf8))
        FileManager.default.createFile(atPath: layout.sent + "/crashed.receipt.json", contents: Data("{\n  \"deli".utf8))
        #expect(file(filer, .init(fileName: "crashed.md", fileInQueue: false, outcome: .sent, receipt: receipt)) == layout.sent + "/crashed.md")
        #expect(FileManager.default.contents(atPath: layout.sent + "/crashed.receipt.json") == receipt.encoded())
    }

    @Test func historyAndDroppedApprovalsGoThroughPreparedStatements() throws {
        let directory = TemporaryDirectory()
        let journal = try SQLiteJournal(path: directory.path + "/journal.sqlite")
        let at = Date(timeIntervalSince1970: 1_800_000_000.5)
        try journal.commitNow([
            .history(HistoryEvent(at: at, postID: "launch", channel: "sink", actor: "ann", action: "queued", detail: "launch.md")),
            .history(HistoryEvent(at: at.addingTimeInterval(1), postID: nil, actor: "crier", action: "started")),
            .approval(ApprovalRecord(postID: "launch", channel: "sink", state: .approved, contentHash: "h", actor: "bob", at: at)),
            .approval(ApprovalRecord(postID: "other", channel: "sink", state: .pending, contentHash: "h", at: at)),
        ])
        try journal.commitNow([.dropApprovals(postID: "launch")])
        let history = try journal.history(postID: nil, since: nil, limit: 10)
        #expect(history.count == 2)
        #expect(history.contains { $0.postID == "launch" && $0.channel == "sink" && $0.actor == "ann" && $0.action == "queued"
                    && $0.detail == "launch.md" && $0.at == at })
        #expect(history.contains { $0.postID == nil && $0.channel == nil && $0.action == "started" && $0.detail == nil })
        #expect(try journal.approvals().map(\.postID) == ["other"])
    }
}

/// A value set on one thread and read on another.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func set(_ newValue: Value) { lock.lock(); value = newValue; lock.unlock() }
    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
}
