import Foundation

/// `crier check --online` for Slack: a bot's token with `auth.test`. An incoming webhook cannot be
/// checked without posting, so it is not. Never posts.
extension SlackAdapter {
    public func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        if let webhook = context.secrets["webhook_url"]?.value {
            if let problem = SlackWebhookURL.problem(webhook) { return .problem("webhook_url: \(problem)") }
            return .ok("not checked online: an incoming webhook cannot be checked without posting")
        }
        guard let token = context.secrets["token"]?.value else { return .problem("needs `webhook_url`, or `token` and `channel`") }
        let builder = SlackRequestBuilder(apiRoot: context.channel.url, label: "check")
        return .request(StepRequest(name: "auth.test", request: builder.authTest(token: token), repeatSafe: true))
    }

    public func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                          values: [String: String]) -> ProbeAnswer {
        guard (200..<300).contains(response.status), let reply = SlackReply(body: response.body) else {
            return .problem("auth.test answered HTTP \(response.status): \(response.status == 429 ? "rate limited; try again later" : "check `url:`")")
        }
        guard reply.ok else {
            let error = reply.error ?? "unknown_error"
            return .problem("\(error): \(SlackErrorReader.hint(error, target: context.channel.settings["channel"] ?? "the channel"))")
        }
        let target = context.channel.settings["channel"].map { " (posting to \($0); invite the bot there if it is private)" } ?? ""
        return .ok("ok as @\(reply.user ?? "?") in \(reply.team ?? "?")\(target)")
    }
}
