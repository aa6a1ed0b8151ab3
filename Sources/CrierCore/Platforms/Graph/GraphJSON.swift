import Foundation

/// Reading Graph API JSON answers: objects, ids given as strings or numbers, `data` lists.
public enum GraphJSON {
    public static func object(_ body: Data) -> [String: Any]? {
        guard !body.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }

    /// A string value, or a number written as a string (Graph ids are strings, some clients see numbers).
    public static func string(_ value: Any?) -> String? {
        if let text = value as? String { return text }
        if let number = value as? NSNumber { return number.stringValue }
        return nil
    }

    public static func int(_ value: Any?) -> Int? {
        if let number = value as? NSNumber { return number.intValue }
        if let text = value as? String { return Int(text) }
        return nil
    }

    /// The `id` of an answer such as `{"id":"17889615691921648"}`.
    public static func id(_ body: Data) -> String? {
        object(body).flatMap { string($0["id"]) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The objects of a `{"data":[…]}` answer.
    public static func data(_ body: Data) -> [[String: Any]] {
        (object(body)?["data"] as? [[String: Any]]) ?? []
    }
}
