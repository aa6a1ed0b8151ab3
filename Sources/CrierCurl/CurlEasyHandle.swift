import CCurl
import CrierCore
import Foundation

/// One libcurl easy handle and the buffers of the transfer it runs.
///
/// Pooled by `CurlTransferLoop` and reused for transfer after transfer; used only on the transfer
/// thread. The transport-wide options are set once after a `curl_easy_reset` and stay (libcurl
/// options are sticky); each transfer sets every request-dependent option explicitly. After a
/// failed transfer or setup the handle is reset and configured from scratch on its next use.
final class CurlEasyHandle {
    /// Response body bytes kept per transfer. The rest is read and dropped, so the connection stays
    /// reusable; webhook replies that matter (errors, rate-limit notes) are far smaller.
    static let maxStoredBodyBytes = 64 * 1024

    let raw: UnsafeMutableRawPointer
    /// The caller waiting for this handle's current transfer; nil while the handle is idle.
    var completion: (@Sendable (TransportResult) -> Void)?
    /// Position in the transfer loop's list of running transfers; only meaningful while running.
    var activeIndex = 0

    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Request body copy, kept alive until the transfer ends (curl reads POSTFIELDS in place).
    private var requestBody: UnsafeMutableRawPointer
    private var requestBodyCapacity: Int
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// Scratch for building one NUL-terminated request header line.
    private var headerLine: [UInt8] = []
    /// The final response's header lines as received, each ending in LF; parsed once at the end.
    private var responseHeaderLines: [UInt8] = []
    private var responseHeaderLineCount = 0
    private var responseBody = Data()
    /// Whether the transport-wide options are in place; false forces `curl_easy_reset` first.
    private var isConfigured = false

    /// A fresh easy handle, or nil when libcurl cannot allocate one.
    init?() {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        requestBodyCapacity = 1024
        requestBody = .allocate(byteCount: requestBodyCapacity, alignment: 1)
    }

    deinit {
        curl_easy_cleanup(raw)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
        requestBody.deallocate()
    }

    /// The handle that `raw` belongs to (stored as CURLOPT_PRIVATE by `setTransportOptions`).
    static func owner(of raw: UnsafeMutableRawPointer) -> CurlEasyHandle? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard ccurl_easy_getinfo_string(raw, CURLINFO_PRIVATE, &pointer) == CURLE_OK, let pointer else { return nil }
        return Unmanaged<CurlEasyHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }

    /// Configures the handle to send `request`. Throws `.invalidRequest` for a method, URL or header
    /// that would corrupt the request line or header block.
    func prepare(for request: OutgoingRequest, options: TransportOptions) throws(TransportError) {
        let wasConfigured = isConfigured
        isConfigured = false // until everything below succeeded
        errorBuffer[0] = 0
        responseHeaderLines.removeAll(keepingCapacity: true)
        responseHeaderLineCount = 0
        responseBody = Data()
        curl_slist_free_all(headerList)
        headerList = nil
        if !wasConfigured {
            curl_easy_reset(raw)
            try setTransportOptions(options)
        }

        guard !Self.containsNUL(request.url) else {
            throw TransportError(kind: .invalidRequest, message: "URL contains a NUL byte")
        }
        try set(CURLOPT_URL, request.url)
        // libcurl sends a request again by itself when a reused connection turns out dead after
        // the request went out: harmless for a repeat-safe request, a second post for one that is
        // not. Such a request gets a connection of its own, so it leaves this machine at most once.
        try set(CURLOPT_FRESH_CONNECT, request.atMostOnce ? 1 : 0)
        try set(CURLOPT_FORBID_REUSE, request.atMostOnce ? 1 : 0)
        let sendsBody = try setMethod(request)
        try setHeaders(request.headers, userAgent: options.userAgent, suppressFormContentType: sendsBody)
        isConfigured = true
    }

    /// Makes the next `prepare` start from `curl_easy_reset`: for handles whose transfer failed or
    /// was abandoned, so no state of a broken transfer can leak into the next one.
    func resetBeforeNextUse() {
        isConfigured = false
    }

    /// The options that are the same for every transfer of the transport.
    private func setTransportOptions(_ options: TransportOptions) throws(TransportError) {
        try set(CURLOPT_ERRORBUFFER, pointer: errorBuffer)
        try set(CURLOPT_PRIVATE, pointer: Unmanaged.passUnretained(self).toOpaque())
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(options.connectTimeout))
        try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(options.totalTimeout))
        try setResponseCallbacks()
    }

    /// The response of the finished transfer; the handle keeps none of it.
    func takeResponse() -> TransportResponse {
        var status = 0
        _ = ccurl_easy_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status) // 0 if no status line arrived
        let response = TransportResponse(status: status, headers: parseResponseHeaders(), body: responseBody)
        responseBody = Data()
        return response
    }

    /// The error of a transfer that ended with `code`, in curl's own words.
    func error(for code: CURLcode) -> TransportError {
        var error = CurlErrorMapping.error(code: code, detail: String(cString: errorBuffer))
        error.requestSent = requestMayHaveBeenSent
        return error
    }

    /// Whether this transfer got as far as sending its request: curl counted request bytes, or the
    /// connection (with TLS) was ready for the transfer to begin. Read before the handle is reset.
    var requestMayHaveBeenSent: Bool {
        var requestSize = 0
        _ = ccurl_easy_getinfo_long(raw, CURLINFO_REQUEST_SIZE, &requestSize)
        var pretransfer: curl_off_t = 0
        _ = ccurl_easy_getinfo_off_t(raw, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
        return requestSize > 0 || pretransfer > 0
    }

    // MARK: - Request

    /// Sets the method and, for anything but a plain GET or HEAD, the body. Every method option is
    /// set each time because the previous transfer's options persist. Returns whether a body
    /// (maybe empty) is sent.
    private func setMethod(_ request: OutgoingRequest) throws(TransportError) -> Bool {
        let method = request.method
        guard Self.isToken(method) else {
            throw TransportError(kind: .invalidRequest, message: "invalid HTTP method \"\(method)\"")
        }
        let sendsBody: Bool
        if method == "HEAD" {
            try set(CURLOPT_NOBODY, 1)
            sendsBody = false
        } else if method == "GET" && request.body.isEmpty {
            try set(CURLOPT_HTTPGET, 1) // also clears NOBODY
            sendsBody = false
        } else {
            try set(CURLOPT_NOBODY, 0)
            copyBody(request.body)
            try set(CURLOPT_POSTFIELDSIZE_LARGE, offT: curl_off_t(request.body.count))
            try set(CURLOPT_POSTFIELDS, pointer: requestBody) // makes it a POST
            sendsBody = true
        }
        if !sendsBody || method == "POST" {
            try set(CURLOPT_CUSTOMREQUEST, pointer: UnsafeMutableRawPointer?.none) // the method itself
        } else {
            try set(CURLOPT_CUSTOMREQUEST, method)
        }
        return sendsBody
    }

    private func copyBody(_ body: Data) {
        if body.count > requestBodyCapacity {
            requestBody.deallocate()
            requestBodyCapacity = body.count
            requestBody = .allocate(byteCount: requestBodyCapacity, alignment: 1)
        }
        body.copyBytes(to: requestBody.assumingMemoryBound(to: UInt8.self), count: body.count)
    }

    /// Request headers, plus an empty `Expect:` (no 100-continue round trip), `User-Agent` unless the
    /// request has its own (sent as a plain header line: cheaper than CURLOPT_USERAGENT, which curl
    /// formats anew for every transfer) and, for bodies without a `Content-Type`, an empty
    /// `Content-Type:` so curl does not claim a form post.
    private func setHeaders(_ headers: [HTTPHeader], userAgent: String, suppressFormContentType: Bool)
        throws(TransportError) {
        try appendHeaderLine(name: "Expect", value: nil)
        if suppressFormContentType && !headers.contains(where: { Self.isNamed($0.name, "content-type") }) {
            try appendHeaderLine(name: "Content-Type", value: nil)
        }
        if !userAgent.isEmpty && !headers.contains(where: { Self.isNamed($0.name, "user-agent") }) {
            try appendHeaderLine(name: "User-Agent", value: userAgent)
        }
        for header in headers {
            try appendHeaderLine(name: header.name, value: header.value)
        }
        try set(CURLOPT_HTTPHEADER, pointer: headerList)
    }

    /// Appends `name: value` to the header list; a nil value makes curl drop its own header of that name.
    private func appendHeaderLine(name: String, value: String?) throws(TransportError) {
        var line: [UInt8] = []
        swap(&line, &headerLine) // build in a local: no exclusivity checks per byte
        defer { swap(&line, &headerLine) }
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: name.utf8)
        guard !line.isEmpty, line.allSatisfy(Self.isTokenByte) else {
            throw TransportError(kind: .invalidRequest, message: "invalid header name \"\(name)\"")
        }
        if let value, value.isEmpty {
            line.append(UInt8(ascii: ";")) // curl reads "Name:" as "remove", "Name;" as "send empty"
        } else {
            line.append(UInt8(ascii: ":"))
        }
        if let value, !value.isEmpty {
            let valueStart = line.count + 1
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: value.utf8)
            guard !line[valueStart...].contains(where: { $0 == 0 || $0 == 0x0A || $0 == 0x0D }) else {
                // The value itself stays out of the message: headers carry secrets.
                throw TransportError(kind: .invalidRequest, message: "header \(name) has a line break or NUL in its value")
            }
        }
        line.append(0)
        let extended = line.withUnsafeBytes { bytes in
            curl_slist_append(headerList, bytes.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        guard let extended else {
            throw TransportError(kind: .network, message: "curl_slist_append failed: out of memory")
        }
        headerList = extended
    }

    private func setResponseCallbacks() throws(TransportError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let length = size * count
            if let data, let context {
                Unmanaged<CurlEasyHandle>.fromOpaque(context).takeUnretainedValue()
                    .receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
            }
            return length
        }
        try set(CURLOPT_HEADERDATA, pointer: context)
        try set(CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let length = size * count
            if let data, let context {
                Unmanaged<CurlEasyHandle>.fromOpaque(context).takeUnretainedValue()
                    .receiveBody(UnsafeRawBufferPointer(start: data, count: length))
            }
            return length
        }
        try set(CURLOPT_WRITEDATA, pointer: context)
    }

    // MARK: - Response

    /// One raw header line from curl (status lines and the blank end-of-block line included). Only
    /// copied here; `parseResponseHeaders` makes `HTTPHeader`s once the transfer is done.
    private func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        guard end > 0 else { return }
        if end >= 5, line[0] == 0x48, line[1] == 0x54, line[2] == 0x54, line[3] == 0x50, line[4] == 0x2F {
            // "HTTP/": a new response starts (after a 1xx); keep only the final one's headers.
            responseHeaderLines.removeAll(keepingCapacity: true)
            responseHeaderLineCount = 0
            return
        }
        responseHeaderLines.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[0..<end]))
        responseHeaderLines.append(0x0A)
        responseHeaderLineCount += 1
    }

    /// The collected header lines as `HTTPHeader`s, in order.
    private func parseResponseHeaders() -> [HTTPHeader] {
        var headers: [HTTPHeader] = []
        headers.reserveCapacity(responseHeaderLineCount)
        responseHeaderLines.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var lineStart = base
            let end = base + bytes.count
            while lineStart < end, let newline = memchr(lineStart, 0x0A, end - lineStart) {
                let lineEnd = UnsafeRawPointer(newline)
                defer { lineStart = lineEnd + 1 }
                let first = lineStart.load(as: UInt8.self)
                if first == 0x20 || first == 0x09 {
                    // Obsolete line folding: the line continues the previous header's value.
                    guard !headers.isEmpty else { continue }
                    headers[headers.count - 1].value += " " + Self.trimmedText(lineStart, lineEnd)
                } else if let colon = memchr(lineStart, 0x3A, lineEnd - lineStart) {
                    headers.append(HTTPHeader(Self.trimmedText(lineStart, UnsafeRawPointer(colon)),
                                              Self.trimmedText(UnsafeRawPointer(colon) + 1, lineEnd)))
                }
            }
        }
        return headers
    }

    private func receiveBody(_ chunk: UnsafeRawBufferPointer) {
        let room = Self.maxStoredBodyBytes - responseBody.count
        guard room > 0 else { return }
        responseBody.append(contentsOf: room >= chunk.count ? chunk : UnsafeRawBufferPointer(rebasing: chunk[0..<room]))
    }

    // MARK: - Helpers

    /// The bytes from `start` to `end` without surrounding spaces and tabs, as text.
    private static func trimmedText(_ start: UnsafeRawPointer, _ end: UnsafeRawPointer) -> String {
        var start = start, end = end
        while start < end, start.load(as: UInt8.self) == 0x20 || start.load(as: UInt8.self) == 0x09 { start += 1 }
        while end > start, (end - 1).load(as: UInt8.self) == 0x20 || (end - 1).load(as: UInt8.self) == 0x09 { end -= 1 }
        return String(decoding: UnsafeRawBufferPointer(start: start, count: end - start), as: UTF8.self)
    }

    /// RFC 9110 `tchar`: the bytes allowed in methods and header names.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "^"), UInt8(ascii: "`"),
             UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Whether `text` is a non-empty RFC 9110 token (a valid method or header name).
    private static func isToken(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in !bytes.isEmpty && bytes.allSatisfy(isTokenByte) }
    }

    private static func containsNUL(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in bytes.contains(0) }
    }

    /// Whether `name` equals `lowercaseName` (lowercase letters and "-" only) in any letter case.
    private static func isNamed(_ name: String, _ lowercaseName: StaticString) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            lowercaseName.withUTF8Buffer { wanted in
                // OR-ing 0x20 lowercases ASCII letters and leaves "-" as is.
                bytes.count == wanted.count && zip(bytes, wanted).allSatisfy { $0 | 0x20 == $1 }
            }
        }
    }

    /// Seconds as curl milliseconds: at least 1 (0 would mean curl's default), at most Int32.max.
    private static func milliseconds(_ seconds: Double) -> Int {
        guard !seconds.isNaN else { return 1 }
        return Int(min(max(seconds * 1000, 1), Double(Int32.max)))
    }

    private func set(_ option: CURLoption, _ value: Int) throws(TransportError) {
        try check(ccurl_easy_setopt_long(raw, option, value), option)
    }

    private func set(_ option: CURLoption, _ value: String) throws(TransportError) {
        try check(value.withCString { ccurl_easy_setopt_string(raw, option, $0) }, option)
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(TransportError) {
        try check(ccurl_easy_setopt_pointer(raw, option, pointer), option)
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutablePointer<CChar>) throws(TransportError) {
        try set(option, pointer: UnsafeMutableRawPointer(pointer))
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutablePointer<curl_slist>?) throws(TransportError) {
        try set(option, pointer: UnsafeMutableRawPointer(pointer))
    }

    private func set(_ option: CURLoption, offT value: curl_off_t) throws(TransportError) {
        try check(ccurl_easy_setopt_off_t(raw, option, value), option)
    }

    private func set(_ option: CURLoption, callback: curl_write_callback) throws(TransportError) {
        try check(ccurl_easy_setopt_write_callback(raw, option, callback), option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(TransportError) {
        guard code != CURLE_OK else { return }
        let name = curl_easy_option_by_id(option).flatMap { $0.pointee.name.map { String(cString: $0) } } ?? "\(option.rawValue)"
        var error = CurlErrorMapping.error(code: code, detail: "")
        error.message = "curl_easy_setopt(\(name)) failed: \(error.message)"
        throw error
    }
}
