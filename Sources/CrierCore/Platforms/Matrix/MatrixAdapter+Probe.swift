import Foundation

/// `crier check --online` for Matrix: (a login, with `user` and `password` and no session yet), then
/// `whoami`, the alias's room id when `room:` is one, and `joined_rooms` — read-only, never a post.
extension MatrixAdapter {
    public func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        let channel = context.channel
        guard let room = channel.settings["room"], room.hasPrefix("!") || room.hasPrefix("#") else {
            return .problem("`room:` must be a room id (!…) or an alias (#…:server)")
        }
        let token: String
        switch MatrixLogin(channel: channel, secrets: context.secrets, session: context.session, label: "check").access() {
        case .token(let value): token = value
        case .step(let step): return .request(step)
        case .fail(let reason): return .problem(reason)
        }
        let requests = MatrixRequests(homeserver: channel.url, accessToken: token, label: "check")
        guard let user = values["user_id"] else { return .request(StepRequest(name: "whoami", request: requests.whoami(), repeatSafe: true)) }
        guard let roomID = values["room_id"] ?? Self.roomID(room, session: context.session) else {
            return .request(StepRequest(name: "resolve-room", request: requests.resolveAlias(room), repeatSafe: true))
        }
        guard let joined = values["joined"] else {
            return .request(StepRequest(name: "joined-rooms", request: requests.joinedRooms(), repeatSafe: true))
        }
        let shown = room == roomID ? room : "\(room) (\(roomID))"
        return joined == "yes"
            ? .ok("ok as \(user) in \(shown)")
            : .problem("\(user) is not in \(shown): invite it to the room and join it (or fix `room:`)")
    }

    public func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                          values: [String: String]) -> ProbeAnswer {
        let channel = context.channel
        if step.name == "login" || step.name == "refresh" {
            switch MatrixLogin(channel: channel, secrets: context.secrets, session: context.session, label: "check").answer(response, to: step.name) {
            case .renewed(let session): return .renewed(session)
            case .failed(let reason), .retry(let reason, _), .sessionExpired(let reason): return .problem(reason)
            default: return .problem("\(step.name): HTTP \(response.status)")
            }
        }
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        guard (200..<300).contains(response.status) else {
            let room = channel.settings["room"] ?? ""
            switch MatrixErrorReader(channel: channel.name, room: room).answer(response, to: step.name) {
            case .failed(let reason), .retry(let reason, _): return .problem(reason)
            default:
                let parsed = MatrixErrorReader.parse(response.body)
                return .problem("matrix channel '\(channel.name)': \(step.name): HTTP \(response.status) \(parsed.errcode) \(parsed.error)")
            }
        }
        switch step.name {
        case "whoami":
            guard let user = json["user_id"] as? String else { return .problem("whoami: the homeserver's answer has no user_id") }
            return .advanced(["user_id": user])
        case "resolve-room":
            guard let roomID = json["room_id"] as? String else { return .problem("resolve-room: the homeserver's answer has no room_id") }
            return .advanced(["room_id": roomID])
        case "joined-rooms":
            let rooms = json["joined_rooms"] as? [String] ?? []
            let room = channel.settings["room"] ?? ""
            let roomID = values["room_id"] ?? Self.roomID(room, session: context.session) ?? room
            return .advanced(["joined": rooms.contains(roomID) ? "yes" : "no"])
        default:
            return .problem("\(step.name): not a step of this check")
        }
    }
}
