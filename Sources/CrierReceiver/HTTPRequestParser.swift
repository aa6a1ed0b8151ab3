import CrierCore
import Foundation

/// Incremental HTTP/1.x request parser for one connection: feed it the connection's input buffer
/// as bytes arrive; it consumes complete requests one at a time (pipelining).
struct HTTPRequestParser {
    /// Largest request (head plus decoded body) accepted; larger ones get 413.
    static let maxRequestBytes = 8 * 1024 * 1024
    /// Largest request head (request line plus headers) accepted; larger ones get 431.
    static let maxHeadBytes = 64 * 1024
    private static let maxChunkLineBytes = 1024

    /// The request line and headers of a request whose body is being read.
    struct Head {
        var method: String
        var target: String
        var headers: [HTTPHeader]
        var keepAlive: Bool
        var expectsContinue: Bool
    }

    enum Outcome {
        /// The buffer holds no complete request yet. `sendContinue` asks the caller to send
        /// `100 Continue` now (once per request) because the client is holding its body back.
        case needMore(sendContinue: Bool)
        case request(Head, body: Data)
        /// The request is unusable; answer `status` and close the connection.
        case reject(status: Int, reason: String)
    }

    private enum Phase {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailer
    }

    private var phase = Phase.head
    private var head: Head?
    private var headBytes = 0
    private var body: [UInt8] = []
    private var continueSent = false

    /// Parses from `buffer[start...]`, advancing `start` past what it consumed.
    mutating func parse(_ buffer: [UInt8], from start: inout Int) -> Outcome {
        while true {
            switch phase {
            case .head:
                // Empty lines before a request line are ignored (RFC 9112 section 2.2).
                while start < buffer.count && (buffer[start] == 0x0D || buffer[start] == 0x0A) { start += 1 }
                guard let headEnd = Self.endOfHead(buffer, from: start) else {
                    return buffer.count - start > Self.maxHeadBytes
                        ? .reject(status: 431, reason: "request head exceeds \(Self.maxHeadBytes) bytes")
                        : .needMore(sendContinue: false)
                }
                guard headEnd - start <= Self.maxHeadBytes else {
                    return .reject(status: 431, reason: "request head exceeds \(Self.maxHeadBytes) bytes")
                }
                let parsed: (head: Head, framing: Phase?)
                switch Self.parseHead(buffer[start..<headEnd]) {
                case .success(let value): parsed = value
                case .failure(let rejection): return .reject(status: rejection.status, reason: rejection.reason)
                }
                headBytes = headEnd - start
                start = headEnd
                head = parsed.head
                body.removeAll(keepingCapacity: true)
                continueSent = false
                guard let framing = parsed.framing else { return finishRequest() }
                if case .fixedBody(let length) = framing {
                    guard headBytes + length <= Self.maxRequestBytes else {
                        return .reject(status: 413, reason: "request exceeds \(Self.maxRequestBytes) bytes")
                    }
                    body.reserveCapacity(length)
                }
                phase = framing

            case .fixedBody(let remaining):
                let taken = min(remaining, buffer.count - start)
                body.append(contentsOf: buffer[start..<(start + taken)])
                start += taken
                if taken == remaining { return finishRequest() }
                phase = .fixedBody(remaining: remaining - taken)
                return waitForBody()

            case .chunkSize:
                guard let lineEnd = buffer[start...].firstIndex(of: 0x0A) else {
                    return buffer.count - start > Self.maxChunkLineBytes
                        ? .reject(status: 400, reason: "chunk size line too long") : waitForBody()
                }
                guard let size = Self.chunkSize(buffer[start..<lineEnd]) else {
                    return .reject(status: 400, reason: "malformed chunk size line")
                }
                start = lineEnd + 1
                if size == 0 {
                    phase = .trailer
                } else {
                    guard headBytes + body.count + size <= Self.maxRequestBytes else {
                        return .reject(status: 413, reason: "request exceeds \(Self.maxRequestBytes) bytes")
                    }
                    phase = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                let taken = min(remaining, buffer.count - start)
                body.append(contentsOf: buffer[start..<(start + taken)])
                start += taken
                guard taken == remaining else {
                    phase = .chunkData(remaining: remaining - taken)
                    return waitForBody()
                }
                phase = .chunkDataEnd

            case .chunkDataEnd:
                guard let lineEnd = buffer[start...].prefix(2).firstIndex(of: 0x0A) else {
                    guard buffer.count - start < 2 else { return .reject(status: 400, reason: "chunk data not followed by CRLF") }
                    return waitForBody()
                }
                guard lineEnd == start || buffer[start] == 0x0D else {
                    return .reject(status: 400, reason: "chunk data not followed by CRLF")
                }
                start = lineEnd + 1
                phase = .chunkSize

            case .trailer:
                guard let lineEnd = buffer[start...].firstIndex(of: 0x0A) else {
                    return buffer.count - start > Self.maxHeadBytes
                        ? .reject(status: 431, reason: "trailer section too long") : waitForBody()
                }
                let isBlank = lineEnd == start || (lineEnd == start + 1 && buffer[start] == 0x0D)
                start = lineEnd + 1
                if isBlank { return finishRequest() }
            }
        }
    }

    private mutating func waitForBody() -> Outcome {
        let sendContinue = head?.expectsContinue == true && !continueSent
        continueSent = true
        return .needMore(sendContinue: sendContinue)
    }

    private mutating func finishRequest() -> Outcome {
        let finished = head!
        let request = Outcome.request(finished, body: Data(body))
        phase = .head
        head = nil
        body.removeAll(keepingCapacity: true)
        return request
    }

    // MARK: - Head

    private struct Rejection: Error {
        var status: Int
        var reason: String
    }

    /// Index just past the blank line ending the head starting at `start`, accepting bare LFs.
    private static func endOfHead(_ buffer: [UInt8], from start: Int) -> Int? {
        var index = start
        while let newline = buffer[index...].firstIndex(of: 0x0A) {
            let next = newline + 1
            if next < buffer.count && buffer[next] == 0x0A { return next + 1 }
            if next + 1 < buffer.count && buffer[next] == 0x0D && buffer[next + 1] == 0x0A { return next + 2 }
            index = next
        }
        return nil
    }

    /// The head and its body framing (nil: no body).
    private static func parseHead(_ bytes: ArraySlice<UInt8>) -> Result<(head: Head, framing: Phase?), Rejection> {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            line.last == 0x0D ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { return .failure(Rejection(status: 400, reason: "empty request")) }

        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte),
              !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 != 0x7F })
        else { return .failure(Rejection(status: 400, reason: "malformed request line")) }
        let isHTTP11: Bool
        switch String(decoding: parts[2], as: UTF8.self) {
        case "HTTP/1.1": isHTTP11 = true
        case "HTTP/1.0": isHTTP11 = false
        default: return .failure(Rejection(status: 505, reason: "unsupported HTTP version"))
        }

        var headers: [HTTPHeader] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy(isTokenByte)
            else { return .failure(Rejection(status: 400, reason: "malformed header line")) }
            var value = line[(colon + 1)...]
            while let first = value.first, first == 0x20 || first == 0x09 { value.removeFirst() }
            while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
            guard value.allSatisfy({ $0 >= 0x20 || $0 == 0x09 }) else {
                return .failure(Rejection(status: 400, reason: "control character in header value"))
            }
            headers.append(HTTPHeader(String(decoding: line[line.startIndex..<colon], as: UTF8.self),
                                      String(decoding: value, as: UTF8.self)))
        }

        let connection = tokens(of: "Connection", in: headers)
        let head = Head(
            method: String(decoding: parts[0], as: UTF8.self),
            target: String(decoding: parts[1], as: UTF8.self),
            headers: headers,
            keepAlive: isHTTP11 ? !connection.contains("close") : connection.contains("keep-alive"),
            expectsContinue: isHTTP11 && tokens(of: "Expect", in: headers).contains("100-continue")
        )

        let transferCodings = tokens(of: "Transfer-Encoding", in: headers)
        let lengths = Set(tokens(of: "Content-Length", in: headers))
        if !transferCodings.isEmpty {
            guard lengths.isEmpty else {
                return .failure(Rejection(status: 400, reason: "both Transfer-Encoding and Content-Length"))
            }
            guard isHTTP11, transferCodings == ["chunked"] else {
                return .failure(Rejection(status: 501, reason: "unsupported transfer coding"))
            }
            return .success((head, .chunkSize))
        }
        guard let lengthText = lengths.first else { return .success((head, nil)) }
        guard lengths.count == 1, lengthText.count <= 15, lengthText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let length = Int(lengthText)
        else { return .failure(Rejection(status: 400, reason: "malformed Content-Length")) }
        return .success((head, length == 0 ? nil : .fixedBody(remaining: length)))
    }

    /// The comma-separated, lowercased elements of every `name` header.
    private static func tokens(of name: String, in headers: [HTTPHeader]) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.flatMap { header in
            header.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        }.filter { !$0.isEmpty }
    }

    /// A chunk-size line's size (extensions ignored), or nil when malformed.
    private static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        var digits = line.last == 0x0D ? line.dropLast() : line
        if let extensionStart = digits.firstIndex(of: 0x3B) { digits = digits[..<extensionStart] }
        while let last = digits.last, last == 0x20 || last == 0x09 { digits.removeLast() }
        guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy({ Character(UnicodeScalar($0)).isHexDigit })
        else { return nil }
        return Int(String(decoding: digits, as: UTF8.self), radix: 16)
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
}
