import CrierCore
import Foundation

/// `ChannelSession` as the journal stores it: compact JSON with sorted keys.
enum ChannelSessionCoding {
    static func encode(_ session: ChannelSession) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        guard let data = try? encoder.encode(session) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String) -> ChannelSession? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(ChannelSession.self, from: Data(text.utf8))
    }
}
