import Foundation

/// A `multipart/form-data` body (RFC 7578): text fields and files, each a part with its
/// `Content-Disposition`. The boundary is chosen by the caller (derived from the delivery, so a
/// repeated upload is byte-identical) and must not occur in any part; `encoded()` checks that.
public struct MultipartFormData: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var name: String
        public var fileName: String?
        public var contentType: String?
        public var data: Data
    }

    public let boundary: String
    public private(set) var parts: [Part] = []

    public init(boundary: String) {
        self.boundary = boundary
    }

    /// The `Content-Type` header value for this body.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    public mutating func addField(_ name: String, _ value: String) {
        parts.append(Part(name: name, fileName: nil, contentType: nil, data: Data(value.utf8)))
    }

    public mutating func addFile(_ name: String, fileName: String, contentType: String, data: Data) {
        parts.append(Part(name: name, fileName: fileName, contentType: contentType, data: data))
    }

    /// The body; nil when the boundary occurs inside a part (choose another boundary).
    public func encoded() -> Data? {
        let delimiter = Data("--\(boundary)".utf8)
        var body = Data()
        for part in parts {
            if part.data.range(of: delimiter) != nil { return nil }
            body.append(delimiter)
            var head = "\r\nContent-Disposition: form-data; name=\"\(Self.quoted(part.name))\""
            if let fileName = part.fileName { head += "; filename=\"\(Self.quoted(fileName))\"" }
            if let contentType = part.contentType { head += "\r\nContent-Type: \(contentType)" }
            head += "\r\n\r\n"
            body.append(Data(head.utf8))
            body.append(part.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(delimiter)
        body.append(Data("--\r\n".utf8))
        return body
    }

    /// A quoted-string value as browsers write it (WHATWG "multipart/form-data encoding"): `"`, CR
    /// and LF percent-encoded, everything else as UTF-8.
    static func quoted(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "%22"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
