import Foundation

/// A `multipart/form-data` body (RFC 7578) for uploads: text fields and files, each part with its
/// `Content-Disposition` name (and file name), in the order added. The boundary is derived from the
/// delivery id, so a repeated step sends identical bytes.
public struct MultipartForm: Sendable, Equatable {
    public let boundary: String
    private var body = Data()

    public init(boundary: String) {
        self.boundary = boundary
    }

    /// The `Content-Type` header value.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    public mutating func field(_ name: String, _ value: String, contentType: String? = nil) {
        open(disposition: "form-data; name=\"\(Self.quoted(name))\"", contentType: contentType)
        body.append(Data(value.utf8))
        body.append(Data("\r\n".utf8))
    }

    public mutating func file(_ name: String, filename: String, contentType: String, bytes: Data) {
        open(disposition: "form-data; name=\"\(Self.quoted(name))\"; filename=\"\(Self.quoted(filename))\"", contentType: contentType)
        body.append(bytes)
        body.append(Data("\r\n".utf8))
    }

    /// The finished body, closing delimiter included.
    public var encoded: Data {
        var finished = body
        finished.append(Data("--\(boundary)--\r\n".utf8))
        return finished
    }

    private mutating func open(disposition: String, contentType: String?) {
        var head = "--\(boundary)\r\nContent-Disposition: \(disposition)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "\r\n"
        body.append(Data(head.utf8))
    }

    /// A name or file name safe inside a quoted header parameter: quotes, backslashes and line
    /// breaks become `_` (the form's own file names are the media files' last path components).
    static func quoted(_ text: String) -> String {
        String(text.map { $0 == "\"" || $0 == "\\" || $0 == "\r" || $0 == "\n" ? "_" : $0 })
    }

    /// The file name a media file is uploaded under: its last path component.
    public static func filename(of file: String) -> String {
        file.split(separator: "/").last.map(String.init) ?? file
    }
}
