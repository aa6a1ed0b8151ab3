import CrierCore
import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// A temporary installation with one Meta channel (`meta`: Threads, Instagram or Facebook) on a
/// `GraphFakeServer`, a loopback media host behind its `media_base_url`, and a webhook channel
/// (`ops`) to show that other channels keep going. Threads and Instagram channels get their token
/// seeded into the journal as `crier auth` stores it.
final class MetaInstallation: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "crier-meta")
    let fake: GraphFakeServer
    let mediaHost: MediaHostServer
    let sink: WebhookSink
    var queue: String { directory.path + "/queue" }
    var configPath: String { directory.path + "/crier.yml" }

    /// - Parameter token: how many days ago the seeded token was issued and how many it has left
    ///   (nil: no session is seeded).
    init(api: GraphFakeAPI, mediaBase: Bool = true, token: (issuedDaysAgo: Double, expiresInDays: Double)? = (2, 58),
         inProgressPolls: Int = 2, mediaNotFoundRaces: Int = 0, expiringContainers: Int = 0, containerError: String? = nil,
         fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> GraphFakeFault? = { _, _ in nil }) throws {
        mediaHost = try MediaHostServer()
        fake = try GraphFakeServer(api: api, tokenAge: (token?.issuedDaysAgo ?? 0) * 86_400, inProgressPolls: inProgressPolls, mediaNotFoundRaces: mediaNotFoundRaces,
                                   expiringContainers: expiringContainers, containerError: containerError, mediaHost: mediaHost, fault: fault)
        sink = try WebhookSink()
        let secretPath = directory.write(api == .facebook ? fake.currentToken : fake.appSecret, to: "secrets/meta")
        var channel = "  meta:\n    platform: \(api.rawValue)\n    url: \(fake.url)\n"
        switch api {
        case .facebook:
            channel += "    page_id: \"\(fake.userID)\"\n    token: file:\(secretPath)\n"
        case .threads, .instagram:
            channel += "    user_id: \"\(fake.userID)\"\n    client_secret: file:\(secretPath)\n    poll_interval: 200ms\n"
        }
        if mediaBase { channel += "    media_base_url: \(mediaHost.url)\n" }
        let text = ConfigText.webhooks(queue: queue, channels: [("ops", sink.url)]) + channel
        directory.write(text, to: "crier.yml")
        try FileManager.default.createDirectory(atPath: queue + "/media", withIntermediateDirectories: true)
        if let token, api != .facebook {
            try seed(ChannelSession(values: ["access_token": fake.currentToken,
                                             "issued_at": String(Int(Date().timeIntervalSince1970 - token.issuedDaysAgo * 86_400))],
                                    expiresAt: Date().addingTimeInterval(token.expiresInDays * 86_400)))
        }
    }

    deinit {
        fake.stop()
        mediaHost.stop()
        sink.stop()
    }

    /// Stores the channel's session in the journal, as `crier auth` does.
    func seed(_ session: ChannelSession) throws {
        let layout = QueueLayout(root: queue)
        try layout.create()
        let journal = try JournalStore.open(layout)
        try journal.commitNow([.storeSession(channel: "meta", session)])
    }

    /// A real JPEG (1080×1080, noise: each one different), written into the queue's media/ and, when
    /// `publish`, onto the media host.
    @discardableResult
    func image(_ name: String, publish: Bool = true) -> Data {
        let bytes = TestImages.jpeg(width: 1080, height: 1080, sigma: 8, quality: 80)
        FileManager.default.createFile(atPath: queue + "/media/" + name, contents: bytes)
        if publish { mediaHost.put("media/" + name, bytes: bytes, contentType: "image/jpeg") }
        return bytes
    }

    func drop(_ name: String, _ text: String) {
        directory.write(text, to: "queue/" + name)
    }

    func daemon() throws -> CrierProcess {
        let process = CrierProcess(["run", "--config", configPath])
        try process.start()
        return process
    }

    func crier(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try CrierProcess.run(arguments + ["--config", configPath])
    }

    /// The deliveries of a filed post's receipt (`sent/` or `failed/`).
    func receipt(_ post: String) throws -> (directory: String, deliveries: [[String: Any]]) {
        for state in ["sent", "failed"] {
            let path = queue + "/\(state)/\(post).receipt.json"
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return (state, (object["deliveries"] as? [[String: Any]]) ?? [])
        }
        Issue.record("no receipt for \(post): \(directory.files(in: "queue")) sent: \(directory.files(in: "queue/sent"))")
        return ("", [])
    }

    func delivery(_ post: String, channel: String = "meta", part: Int = 1) throws -> [String: Any] {
        try #require(try receipt(post).deliveries.first { $0["channel"] as? String == channel && $0["part"] as? Int == part })
    }
}
