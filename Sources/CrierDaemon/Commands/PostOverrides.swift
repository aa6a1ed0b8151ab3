import CrierCore
import Foundation

/// `enqueue --at/--channels`: rewrites those fields in a post's text, leaving the rest of the file
/// (comments, order, body) as the user wrote it. Used by `PostEnqueuer`.
struct PostOverrides {
    var at: String?
    var channels: [String]?

    struct Failure: Error { var message: String }

    func apply(to data: Data, isJSON: Bool) throws(Failure) -> Data {
        guard at != nil || channels != nil else { return data }
        return isJSON ? try applyJSON(data) : try applyFrontMatter(data)
    }

    private func applyJSON(_ data: Data) throws(Failure) -> Data {
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Failure(message: "not a JSON object")
        }
        if let at { object["at"] = at }
        if let channels { object["channels"] = channels == ["all"] ? "all" as Any : channels as Any }
        guard let encoded = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) else {
            throw Failure(message: "cannot encode the JSON post")
        }
        return encoded
    }

    private func applyFrontMatter(_ data: Data) throws(Failure) -> Data {
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---",
              let closing = lines.indices.dropFirst().first(where: { lines[$0].trimmingCharacters(in: .whitespaces) == "---" }) else {
            throw Failure(message: "no front matter to put --at/--channels into; start the file with '---' lines")
        }
        var front = Array(lines[1..<closing])
        for key in [at != nil ? "at" : nil, channels != nil ? "channels" : nil].compactMap({ $0 }) {
            front = Self.removingTopLevelKey(key, from: front)
        }
        if let at { front.append("at: \"\(at)\"") }
        if let channels { front.append(channels == ["all"] ? "channels: all" : "channels: [\(channels.joined(separator: ", "))]") }
        lines.replaceSubrange(1..<closing, with: front)
        return Data(lines.joined(separator: "\n").utf8)
    }

    /// Drops `key:` and its indented continuation lines.
    static func removingTopLevelKey(_ key: String, from lines: [String]) -> [String] {
        var result: [String] = []
        var skipping = false
        for line in lines {
            if line.hasPrefix("\(key):") {
                skipping = true
                continue
            }
            if skipping, line.first == " " || line.first == "\t" || line.hasPrefix("-") { continue }
            skipping = false
            result.append(line)
        }
        return result
    }
}
