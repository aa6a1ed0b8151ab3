import Foundation

/// `crier check --online` for Telegram: `getMe` (is the token valid?) then `getChat` (can the bot
/// see the chat?). Never posts.
extension TelegramAdapter {
    public func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        guard let token = context.secrets["token"]?.value else { return .problem("no bot token: set `token:`") }
        if let problem = TelegramToken.problem(token) { return .problem("token: \(problem)") }
        guard let chat = context.channel.settings["chat"] else { return .problem("no `chat:`") }
        let builder = TelegramRequestBuilder(apiRoot: context.channel.url, token: token, chat: chat, topic: nil, label: "check")
        if values["bot"] == nil {
            return .request(StepRequest(name: "getMe", request: builder.lookup("getMe", chat: false), repeatSafe: true))
        }
        return .request(StepRequest(name: "getChat", request: builder.lookup("getChat", chat: true), repeatSafe: true))
    }

    public func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                          values: [String: String]) -> ProbeAnswer {
        let chat = context.channel.settings["chat"] ?? ""
        guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any], let ok = object["ok"] as? Bool else {
            return .problem("\(step.name) answered HTTP \(response.status) without a Bot API answer: check `url:`")
        }
        guard ok, let result = object["result"] as? [String: Any] else {
            let reply = TelegramReply(body: response.body)
            if let migrated = reply?.migrateToChatID {
                return .problem("chat \(chat) was upgraded to a supergroup: set `chat: \"\(migrated)\"`")
            }
            guard case .failed(let reason) = TelegramErrorReader.answer(status: response.status, reply: reply, channel: context.channel.name,
                                                                        chat: chat) else {
                return .problem("\(step.name): HTTP \(response.status): Telegram did not answer; try again later")
            }
            return .problem(reason)
        }
        if step.name == "getMe" {
            return .advanced(["bot": result["username"] as? String ?? "?"])
        }
        let title = (result["username"] as? String).map { "@\($0)" } ?? (result["title"] as? String).map { "“\($0)”" } ?? chat
        return .ok("ok as @\(values["bot"] ?? "?") in \(title)")
    }
}
