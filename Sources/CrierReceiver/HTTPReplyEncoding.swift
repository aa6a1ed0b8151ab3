import CrierCore

extension HTTPReply {
    /// The reply on the wire. Every reply carries `Content-Length` except those that can have no
    /// body at all (1xx, 204), which must not; HEAD replies and 304 announce the length but omit the body.
    func encoded(answeringHead: Bool, closing: Bool) -> [UInt8] {
        let bodiless = (100..<200).contains(status) || status == 204
        var head = "HTTP/1.1 \(status) \(Self.reasonPhrase(for: status))\r\n"
        for header in headers {
            let name = header.name.lowercased()
            guard name != "content-length" && name != "transfer-encoding" else { continue }
            head += "\(Self.singleLine(header.name)): \(Self.singleLine(header.value))\r\n"
        }
        if !bodiless {
            head += "Content-Length: \(body.count)\r\n"
        }
        if closing && headers.value(for: "Connection") == nil {
            head += "Connection: close\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if !bodiless && !answeringHead && status != 304 {
            bytes.append(contentsOf: body)
        }
        return bytes
    }

    /// `HTTP/1.1 100 Continue`, sent before reading a body the client holds back for it.
    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Keeps a handler's header text from breaking the header block.
    private static func singleLine(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return text }
        return String(decoding: text.utf8.map { $0 == 0x0D || $0 == 0x0A ? 0x20 : $0 }, as: UTF8.self)
    }

    private static func reasonPhrase(for status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}
