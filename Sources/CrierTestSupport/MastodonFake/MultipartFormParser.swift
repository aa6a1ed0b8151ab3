import Foundation

/// Reads a `multipart/form-data` body the way a server does, strictly: the boundary from the
/// `Content-Type`, every part with a `Content-Disposition: form-data; name="…"`, the closing
/// delimiter present. Test support for the fakes; nil on anything malformed.
public enum MultipartFormParser {
    public struct Part: Sendable, Equatable {
        public var name: String
        public var fileName: String?
        public var contentType: String?
        public var data: Data
    }

    public static func parse(_ body: Data, contentType: String?) -> [Part]? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
              let range = contentType.range(of: "boundary=") else { return nil }
        let boundary = contentType[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard !boundary.isEmpty else { return nil }
        let delimiter = Data("--\(boundary)".utf8)
        let separator = Data("\r\n--\(boundary)".utf8)
        guard body.starts(with: delimiter) else { return nil }
        var parts: [Part] = []
        var cursor = body.startIndex + delimiter.count
        while true {
            let rest = body[cursor...]
            if rest.starts(with: Data("--".utf8)) { return parts }
            guard rest.starts(with: Data("\r\n".utf8)) else { return nil }
            let start = cursor + 2
            guard let end = body.range(of: separator, in: start..<body.endIndex) else { return nil }
            guard let headerEnd = body.range(of: Data("\r\n\r\n".utf8), in: start..<end.lowerBound) else { return nil }
            let head = String(decoding: body[start..<headerEnd.lowerBound], as: UTF8.self)
            var name: String?
            var fileName: String?
            var type: String?
            for line in head.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition: form-data") {
                    name = value(of: "name", in: line)
                    fileName = value(of: "filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    type = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            guard let name else { return nil }
            parts.append(Part(name: name, fileName: fileName, contentType: type, data: Data(body[headerEnd.upperBound..<end.lowerBound])))
            cursor = end.upperBound
        }
    }

    private static func value(of key: String, in line: String) -> String? {
        guard let range = line.range(of: "; \(key)=\"") else { return nil }
        let rest = line[range.upperBound...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<close])
    }
}
