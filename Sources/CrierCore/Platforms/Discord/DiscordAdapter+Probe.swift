import Foundation

/// `crier check --online` for Discord: a webhook is read with `GET <webhook_url>`; a bot checks its
/// token with `GET /users/@me` and the channel with `GET /channels/{id}`. Never posts.
extension DiscordAdapter {
    public func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        let builder = DiscordRequestBuilder(label: "check", allowMentions: false)
        if let webhook = context.secrets["webhook_url"]?.value {
            if let problem = DiscordWebhookURL.problem(webhook) { return .problem("webhook_url: \(problem)") }
            return .request(StepRequest(name: "webhook", request: builder.get(webhook, token: nil), repeatSafe: true))
        }
        guard let token = context.secrets["token"]?.value, let channel = context.channel.settings["channel"] else {
            return .problem("needs `webhook_url`, or `token` and `channel`")
        }
        let root = DiscordRequestBuilder.trimmed(context.channel.url)
        if values["bot"] == nil {
            return .request(StepRequest(name: "users/@me", request: builder.get("\(root)/users/@me", token: token), repeatSafe: true))
        }
        return .request(StepRequest(name: "channel", request: builder.get("\(root)/channels/\(channel)", token: token), repeatSafe: true))
    }

    public func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                          values: [String: String]) -> ProbeAnswer {
        guard (200..<300).contains(response.status) else {
            let mode = context.secrets["webhook_url"] == nil ? "bot" : "webhook"
            guard case .failed(let reason) = DiscordErrorReader.answer(response, channel: context.channel.name, mode: mode) else {
                return .problem("\(step.name): HTTP \(response.status): Discord did not answer; try again later")
            }
            return .problem(reason)
        }
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        switch step.name {
        case "users/@me":
            return .advanced(["bot": object["username"] as? String ?? "?"])
        case "webhook":
            let name = object["name"] as? String ?? "?"
            return .ok("ok as webhook “\(name)” in channel \(object["channel_id"] as? String ?? "?")")
        default:
            let name = (object["name"] as? String).map { "#\($0)" } ?? (context.channel.settings["channel"] ?? "?")
            return .ok("ok as @\(values["bot"] ?? "?") in \(name)")
        }
    }
}
