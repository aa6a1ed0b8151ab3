import CrierTestSupport
import Foundation
import Glibc
import Testing

/// Helpers for the chat platforms' end-to-end tests: secrets in files beside the config, a config
/// of raw channel text, and the receipts' deliveries.
extension Installation {
    /// Writes `value` to a 0600 file and returns the `file:` reference to it.
    func secretFile(_ name: String, _ value: String) -> String {
        let path = directory.write(value, to: name)
        chmod(path, 0o600)
        return "file:\(path)"
    }

    /// A crier.yml with these channels (YAML under `channels:`), fast retries and no stagger.
    func writeChatConfig(_ channels: String, alerts: Bool = false) {
        writeConfig(raw: "queue: \(queue)\ntimezone: UTC\nretry: { base: 200ms, max_delay: 1s, max_attempts: 4 }\n"
                    + "delivery: { rescan: 2s, settle_time: 200ms, drain_timeout: 5s }\nchannels:\n" + channels)
    }

    /// The deliveries of `post`'s receipt in `state` (sent, failed).
    func receiptDeliveries(_ post: String, in state: String) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: "\(queue)/\(state)/\(post).receipt.json"),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return [] }
        return object["deliveries"] as? [[String: Any]] ?? []
    }

    /// Every file under the queue and the installation (journal aside), as text: to look for secrets.
    func everythingWritten() -> String {
        var text = ""
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        while let relative = enumerator?.nextObject() as? String {
            let path = directory.path + "/" + relative
            guard !relative.hasPrefix("secret-"), let data = FileManager.default.contents(atPath: path) else { continue }
            text += String(decoding: data, as: UTF8.self)
        }
        return text
    }
}
