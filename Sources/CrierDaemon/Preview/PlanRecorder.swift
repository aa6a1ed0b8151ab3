import CrierCore
import Foundation

/// Collects what the engine did during a preview run and turns it into a `PreviewReport`.
final class PlanRecorder: @unchecked Sendable {
    // Confinement: guarded by `lock` (events arrive on the engine's queue, the report is built after).
    private let lock = NSLock()
    private var accepted: [String: (Post, [RenderedVariant])] = [:]
    private var acceptedOrder: [String] = []
    private var sent: [DeliveryKey: Date] = [:]
    /// Planned times of deliveries held for approval (they go out then, once approved).
    private var awaitingApproval: [DeliveryKey: Date] = [:]
    private var notes: [String: [String]] = [:]
    private var ended: [String: String] = [:]
    private var rejected: [String: PostFileError] = [:]
    /// Each part's first request, kept only when the preview shows requests.
    private var requests: [DeliveryKey: StepRequest] = [:]
    private let keepsRequests: Bool

    init(keepsRequests: Bool = false) {
        self.keepsRequests = keepsRequests
    }

    func record(_ event: EngineEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .accepted(let post, let variants):
            if accepted[post.file] == nil { acceptedOrder.append(post.file) }
            accepted[post.file] = (post, variants)
        case .sent(let key, let at, _, _, let step):
            if sent[key] == nil { sent[key] = at }
            if keepsRequests, requests[key] == nil { requests[key] = step }
        case .held(let key, let reason, let until) where reason.hasPrefix("awaiting approval"):
            if awaitingApproval[key] == nil, let until { awaitingApproval[key] = until }
            let slot = "\(key.post)/\(key.channel)"
            if !(notes[slot]?.contains(reason) ?? false) { notes[slot, default: []].append(reason) }
        case .held(let key, let reason, let until):
            let note = until == nil ? "paused: \(reason)" : reason
            let slot = "\(key.post)/\(key.channel)"
            if !(notes[slot]?.contains(note) ?? false), reason != "channel limits" { notes[slot, default: []].append(note) }
        case .ended(let key, let status, let reason):
            ended["\(key.post)/\(key.channel)"] = status == .expired ? (reason ?? "expired") : "\(status.rawValue): \(reason ?? "")"
        case .rejected(let file, let error):
            rejected[file] = error
        }
    }

    /// - Parameter images: each media file of a post as a platform gets it (derived where crier derives).
    func report(reported: Set<String>, displayNames: [String: String], config: CrierConfig,
                images: (Post, Platform) -> Result<[PreviewImage], MediaError> = { _, _ in .success([]) }) -> PreviewReport {
        lock.lock()
        defer { lock.unlock() }
        var posts: [PreviewPost] = []
        for file in (Array(reported)).sorted() {
            let display = displayNames[file] ?? file
            if let error = rejected[file] {
                posts.append(PreviewPost(id: PostFileFormat.stem(of: file), file: display,
                                         errors: error.problems.map { $0.description }))
                continue
            }
            guard let (post, variants) = accepted[file] else { continue }
            var deliveries: [PreviewDelivery] = []
            for variant in variants {
                // The slot's name is made only when something was noted for some slot (a preview of
                // a queue due now notes nothing, and would make 50,000 names for nothing).
                let slot = notes.isEmpty && ended.isEmpty ? nil : "\(post.id)/\(variant.channel)"
                var warnings = variant.warnings + (slot.flatMap { notes[$0] } ?? [])
                var errors = variant.errors
                if let end = slot.flatMap({ ended[$0] }), errors.isEmpty {
                    if end.hasPrefix("expired") { warnings.append(end) } else { errors.append(end) }
                }
                var shown: [PreviewImage] = []
                if errors.isEmpty, !post.media.isEmpty, PlatformDescriptor.of(variant.platform).media != nil {
                    switch images(post, variant.platform) {
                    case .success(let made): shown = made
                    case .failure(let error): errors.append(error.message)
                    }
                }
                let first = DeliveryKey(post: post.id, channel: variant.channel, part: 1)
                let at = errors.isEmpty ? sent[first] ?? awaitingApproval[first] : nil
                deliveries.append(PreviewDelivery(channel: variant.channel, platform: variant.platform, at: at,
                                                  parts: variant.parts.enumerated().map { index, part in
                                                      let step = requests.isEmpty ? nil
                                                          : requests[DeliveryKey(post: post.id, channel: variant.channel, part: index + 1)]
                                                      return PreviewPart(text: part.text, length: part.length, limit: part.limit,
                                                                         request: step.map { PreviewRequest($0, redactor: SecretRedactor([])) })
                                                  },
                                                  warnings: warnings, errors: errors))
                deliveries[deliveries.count - 1].images = shown
            }
            posts.append(PreviewPost(id: post.id, file: display, errors: [], deliveries: deliveries))
        }
        return PreviewReport(posts: posts)
    }
}
