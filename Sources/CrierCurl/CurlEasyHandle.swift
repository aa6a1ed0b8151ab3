import CCurl
import CrierCore
import Foundation

/// One libcurl easy handle and the buffers of the transfer it runs.
///
/// Pooled by `CurlTransferLoop` and reused for transfer after transfer (`curl_easy_reset` keeps the
/// handle's caches); used only on the transfer thread.
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
    private var responseHeaders: [HTTPHeader] = []
    private var responseBody = Data()
    private var configured = false

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

    /// The handle that `raw` belongs to (stored as CURLOPT_PRIVATE by `prepare`).
    static func owner(of raw: UnsafeMutableRawPointer) -> CurlEasyHandle? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard ccurl_easy_getinfo_string(raw, CURLINFO_PRIVATE, &pointer) == CURLE_OK, let pointer else { return nil }
        return Unmanaged<CurlEasyHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }

    /// Resets the handle and configures it to send `request`. Throws `.invalidRequest` for a
    /// method, URL or header that would corrupt the request line or header block.
    func prepare(for request: OutgoingRequest, options: TransportOptions) throws(TransportError) {
        errorBuffer[0] = 0
        responseHeaders.removeAll(keepingCapacity: true)
        responseBody = Data()
        curl_slist_free_all(headerList)
        headerList = nil

        if !configured {
        configured = true
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
        try set(CURLOPT_USERAGENT, options.userAgent)
        try setResponseCallbacks()
        }

        guard !request.url.utf8.contains(0) else {
            throw TransportError(kind: .invalidRequest, message: "URL contains a NUL byte")
        }
        try set(CURLOPT_URL, request.url)
        let sendsBody = try setMethod(request)
        try setHeaders(request.headers, suppressFormContentType: sendsBody)
    }

    /// The response of the finished transfer; the handle keeps none of it.
    func takeResponse() -> TransportResponse {
        var status = 0
        _ = ccurl_easy_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status) // 0 if no status line arrived
        let response = TransportResponse(status: status, headers: responseHeaders, body: responseBody)
        responseHeaders = []
        responseBody = Data()
        return response
    }

    /// The error of a transfer that ended with `code`, in curl's own words.
    func error(for code: CURLcode) -> TransportError {
        CurlErrorMapping.error(code: code, detail: String(cString: errorBuffer))
    }

    // MARK: - Request

    /// Sets the method and, for anything but a plain GET or HEAD, the body. Returns whether a body
    /// (possibly empty) is sent.
    private func setMethod(_ request: OutgoingRequest) throws(TransportError) -> Bool {
        let method = request.method
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenByte) else {
            throw TransportError(kind: .invalidRequest, message: "invalid HTTP method \"\(method)\"")
        }
        if method == "HEAD" {
            try set(CURLOPT_NOBODY, 1)
            return false
        }
        if method == "GET" && request.body.isEmpty {
            try set(CURLOPT_HTTPGET, 1)
            return false
        }
        try copyBody(request.body)
        try set(CURLOPT_POSTFIELDSIZE_LARGE, offT: curl_off_t(request.body.count))
        try set(CURLOPT_POSTFIELDS, pointer: requestBody)
        if method != "POST" {
            try set(CURLOPT_CUSTOMREQUEST, method)
        }
        return true
    }

    private func copyBody(_ body: Data) throws(TransportError) {
        if body.count > requestBodyCapacity {
            requestBody.deallocate()
            requestBodyCapacity = body.count
            requestBody = .allocate(byteCount: requestBodyCapacity, alignment: 1)
        }
        body.copyBytes(to: requestBody.assumingMemoryBound(to: UInt8.self), count: body.count)
    }

    /// Request headers, plus an empty `Expect:` (no 100-continue round trip) and, for bodies without
    /// a `Content-Type`, an empty `Content-Type:` so curl does not claim a form post.
    private func setHeaders(_ headers: [HTTPHeader], suppressFormContentType: Bool) throws(TransportError) {
        try appendHeaderLine("Expect:")
        if suppressFormContentType && headers.value(for: "Content-Type") == nil {
            try appendHeaderLine("Content-Type:")
        }
        for header in headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(Self.isTokenByte) else {
                throw TransportError(kind: .invalidRequest, message: "invalid header name \"\(header.name)\"")
            }
            guard !header.value.utf8.contains(where: { $0 == 0 || $0 == 0x0A || $0 == 0x0D }) else {
                // The value itself stays out of the message: headers carry secrets.
                throw TransportError(kind: .invalidRequest,
                                     message: "header \(header.name) has a line break or NUL in its value")
            }
            // curl reads "Name:" as "remove this header"; "Name;" sends it with an empty value.
            try appendHeaderLine(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        try set(CURLOPT_HTTPHEADER, pointer: headerList)
    }

    private func appendHeaderLine(_ line: String) throws(TransportError) {
        guard let extended = curl_slist_append(headerList, line) else {
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

    /// One raw header line from curl (status lines and the blank end-of-block line included).
    private func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        guard end > 0 else { return }
        if end >= 5, line[0] == 0x48, line[1] == 0x54, line[2] == 0x54, line[3] == 0x50, line[4] == 0x2F {
            // "HTTP/": a new response starts (after a 1xx); keep only the final one's headers.
            responseHeaders.removeAll(keepingCapacity: true)
            return
        }
        if line[0] == 0x20 || line[0] == 0x09 {
            // Obsolete line folding: the line continues the previous header's value.
            guard !responseHeaders.isEmpty else { return }
            responseHeaders[responseHeaders.count - 1].value += " " + Self.trimmedText(line, 0, end)
            return
        }
        guard let colon = line[0..<end].firstIndex(of: 0x3A) else { return }
        responseHeaders.append(HTTPHeader(Self.trimmedText(line, 0, colon), Self.trimmedText(line, colon + 1, end)))
    }

    private func receiveBody(_ chunk: UnsafeRawBufferPointer) {
        let room = Self.maxStoredBodyBytes - responseBody.count
        guard room > 0 else { return }
        responseBody.append(contentsOf: room >= chunk.count ? chunk : UnsafeRawBufferPointer(rebasing: chunk[0..<room]))
    }

    // MARK: - Helpers

    private static func trimmedText(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        var start = start, end = end
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// RFC 9110 `tchar`: the bytes allowed in methods and header names.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
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
        try check(ccurl_easy_setopt_string(raw, option, value), option)
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
