import CrierCore
import Foundation

/// `DeliveryProgress` as the journal stores it: compact JSON with sorted keys (stable bytes, easy
/// to read with `sqlite3`).
enum DeliveryProgressCoding {
    static func encode(_ progress: DeliveryProgress) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(progress) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String) -> DeliveryProgress? {
        try? JSONDecoder().decode(DeliveryProgress.self, from: Data(text.utf8))
    }

    /// The stored progress, or — if it cannot be read — one that marks the delivery uncertain, so it
    /// is looked up or held for the operator rather than started again from its first step.
    static func decodeOrHold(_ text: String) -> DeliveryProgress {
        decode(text) ?? DeliveryProgress(uncertainStep: "(journal progress unreadable)")
    }
}
