import CrierCore
import Foundation

/// A strict reader of `multipart/form-data` bodies (RFC 7578) for the loopback fakes: every part
/// must have a `Content-Disposition: form-data; name="…"` header, parts are separated by the
/// boundary from the request's `Content-Type`, and the body must end with the closing delimiter.
/// Anything else is a `problem`, which the fakes answer with 400 like a real API.
public struct MultipartParts: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public var parts: [Part]

    /// The parts of `body`, or the reason it is not a well-formed multipart body.
    public static func parse(contentType: String?, body: Data) -> Result<MultipartParts, MultipartProblem> {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
              let range = contentType.range(of: "boundary=") else {
            return .failure(MultipartProblem("Content-Type is not multipart/form-data with a boundary"))
        }
        var boundary = String(contentType[range.upperBound...])
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let delimiter = Data("--\(boundary)".utf8)
        let bytes = body
        guard bytes.starts(with: delimiter) else { return .failure(MultipartProblem("the body does not start with the boundary")) }
        var parts: [Part] = []
        var cursor = bytes.startIndex + delimiter.count
        while true {
            let rest = bytes[cursor...]
            if rest.starts(with: Data("--".utf8)) { break }
            guard rest.starts(with: Data("\r\n".utf8)) else { return .failure(MultipartProblem("a boundary line does not end with CRLF")) }
            cursor += 2
            guard let headerEnd = bytes.range(of: Data("\r\n\r\n".utf8), in: cursor..<bytes.endIndex) else {
                return .failure(MultipartProblem("a part has no blank line after its headers"))
            }
            let headerText = String(decoding: bytes[cursor..<headerEnd.lowerBound], as: UTF8.self)
            let next = Data("\r\n--\(boundary)".utf8)
            guard let end = bytes.range(of: next, in: headerEnd.upperBound..<bytes.endIndex) else {
                return .failure(MultipartProblem("a part is not closed by the boundary"))
            }
            var name: String?
            var filename: String?
            var type: String?
            for line in headerText.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    guard lower.contains("form-data") else { return .failure(MultipartProblem("a part is not form-data")) }
                    name = Self.parameter("name", in: line)
                    filename = Self.parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    type = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            guard let name else { return .failure(MultipartProblem("a part has no Content-Disposition name")) }
            parts.append(Part(name: name, filename: filename, contentType: type, body: Data(bytes[headerEnd.upperBound..<end.lowerBound])))
            cursor = end.lowerBound + next.count
        }
        return .success(MultipartParts(parts: parts))
    }

    public func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    private static func parameter(_ key: String, in line: String) -> String? {
        guard let range = line.range(of: "; \(key)=\"") else { return nil }
        let rest = line[range.upperBound...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<close])
    }
}
