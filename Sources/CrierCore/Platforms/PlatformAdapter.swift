import Foundation

/// Speaks one platform's API as a small step machine: given a delivery and its journaled progress it
/// names the next HTTP request (`nextStep`), and it reads the answer to each (`read`). Adapters are
/// pure: the engine sends the requests, journals the progress between steps, and makes the retry
/// decisions (`StepClassifier`), so a crash or restart resumes at the first step not yet recorded.
public protocol PlatformAdapter: Sendable {
    /// The next step. `now` is the attempt time (for signatures); everything else must depend only on
    /// `context`, `progress` and the media's bytes, so a repeated step is identical but for time.
    ///
    /// When `progress.uncertainStep` is set, an earlier request of that step may or may not have
    /// reached the platform: answer a repeat-safe lookup that finds out (and clears it by answering
    /// `.advanced` or `.sent`), or the step itself again if it is repeat-safe; a step that is not
    /// repeat-safe is then refused by the engine and the delivery is held as `unknown`.
    func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource,
                  now: Date) -> AdapterStep

    /// Reads the platform's answer (any status) to the step `step`.
    func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
              progress: DeliveryProgress) -> StepAnswer

    /// What the URL of a post the operator found on the platform stands for (`crier resolve
    /// --sent URL`), so later parts of a thread can reply to it. By default the id is the URL's
    /// last path component (`…/@crier/1134…` → `1134…`).
    func remoteReference(forURL url: String) -> RemoteReference

    /// `crier check --online`: the next read-only request that checks the channel's credentials and
    /// target (never a post), given the values earlier probe steps yielded; or the verdict.
    func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep

    /// Reads the answer to a probe request.
    func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                   values: [String: String]) -> ProbeAnswer
}

extension PlatformAdapter {
    public func remoteReference(forURL url: String) -> RemoteReference {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let last = path.split(separator: "/").last.map(String.init)
        return RemoteReference(id: last.flatMap { $0.contains(":") ? nil : $0 }, url: url)
    }

    public func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        .ok("not checked online (\(context.channel.platform.rawValue) has no read-only call crier could make)")
    }

    public func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                          values: [String: String]) -> ProbeAnswer {
        .problem("unexpected probe answer (HTTP \(response.status))")
    }
}

/// The adapter of each platform.
public enum PlatformAdapters {
    public static func adapter(for platform: Platform) -> any PlatformAdapter {
        switch platform {
        case .webhook: return WebhookAdapter()
        case .matrix: return MatrixAdapter()
        case .telegram: return TelegramAdapter()
        case .discord: return DiscordAdapter()
        case .slack: return SlackAdapter()
        case .mastodon: return MastodonAdapter()
        case .bluesky: return BlueskyAdapter()
        case .threads: return GraphContainerAdapter(dialect: .threads)
        case .instagram: return GraphContainerAdapter(dialect: .instagram)
        case .facebook: return FacebookAdapter()
        case .x: return XAdapter()
        case .linkedin: return LinkedInAdapter()
        }
    }
}
