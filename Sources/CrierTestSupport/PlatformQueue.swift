import Foundation

/// A temporary installation for end-to-end tests of a native platform against its loopback fake:
/// a queue, a secret file, a `crier.yml` with one channel, and the real binary run against it.
public final class PlatformQueue: @unchecked Sendable {
    // Confinement: used from the test's own thread only.
    public let directory = TemporaryDirectory(prefix: "crier-platform")
    public var queue: String { directory.path + "/queue" }
    public var configPath: String { directory.path + "/crier.yml" }

    /// `channel` is the channel's YAML body (indented four spaces), e.g. `platform: mastodon\n    url: …`.
    public init(channel name: String, settings: String, retry: String = "{ base: 200ms, max_delay: 2s, max_attempts: 8 }") throws {
        try FileManager.default.createDirectory(atPath: queue, withIntermediateDirectories: true)
        directory.write("queue: \(queue)\ntimezone: UTC\nretry: \(retry)\ndelivery: { rescan: 1s, settle_time: 200ms, drain_timeout: 5s }\n"
                            + "channels:\n  \(name):\n    \(settings)\n", to: "crier.yml")
    }

    /// Writes a secret into a file of its own and returns its `file:` reference.
    public func secret(_ name: String, _ value: String) -> String {
        "file:" + directory.write(value, to: "secrets/\(name)")
    }

    /// Writes `bytes` into the queue at `relative` (a media file).
    public func media(_ relative: String, _ bytes: [UInt8]) {
        let full = queue + "/" + relative
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: full, contents: Data(bytes))
    }

    /// Drops a post file into the queue.
    public func post(_ name: String, _ text: String) {
        directory.write(text, to: "queue/\(name)")
    }

    public func crier(_ arguments: [String], timeout: TimeInterval = 120) throws -> (status: Int32, output: String, error: String) {
        try CrierProcess.run(arguments + ["--config", configPath], timeout: timeout)
    }

    public func daemon() throws -> CrierProcess {
        let process = CrierProcess(["run", "--config", configPath])
        try process.start()
        return process
    }

    /// The receipt of a filed post (`sent`, `failed`, `cancelled`) as JSON, or nil.
    public func receipt(_ post: String, in state: String = "sent") -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: "\(queue)/\(state)/\(post).receipt.json") else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// A real PNG of the given size (crier decodes images to fit them to each platform, so a
    /// header alone no longer passes). `bytes` is kept for callers; the image is as large as it is.
    public static func png(width: Int, height: Int, bytes: Int = 64) -> [UInt8] {
        Array(TestImages.png(width: width, height: height, sigma: 8))
    }
}
