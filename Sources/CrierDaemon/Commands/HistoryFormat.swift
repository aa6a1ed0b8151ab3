import CrierCore
import Foundation

/// How `crier log` prints a history line: `TIME  ACTOR  ACTION  POST → CHANNEL  DETAIL`, or one JSON
/// object with sorted keys.
public enum HistoryFormat {
    public static func line(_ event: HistoryEvent) -> String {
        var target = event.postID ?? ""
        if let channel = event.channel { target += target.isEmpty ? channel : " → \(channel)" }
        var text = "\(TimestampFormat.string(event.at))  \(event.actor)  \(event.action)"
        if !target.isEmpty { text += "  \(target)" }
        if let detail = event.detail, !detail.isEmpty { text += "  \(detail)" }
        return text
    }

    public static func json(_ event: HistoryEvent) -> String {
        var object: [String: Any] = ["at": TimestampFormat.string(event.at), "actor": event.actor, "action": event.action]
        object["post"] = event.postID ?? NSNull()
        object["channel"] = event.channel ?? NSNull()
        object["detail"] = event.detail ?? NSNull()
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
