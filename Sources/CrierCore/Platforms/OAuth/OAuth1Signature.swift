import Crypto
import Foundation

/// OAuth 1.0a HMAC-SHA1 request signing (RFC 5849 §3.4), as X documents it in "Creating a signature"
/// (https://docs.x.com/fundamentals/authentication/oauth-1-0a/creating-a-signature): every parameter
/// of the query, of a form-encoded body and every `oauth_*` one, percent-encoded, sorted by key (then
/// value), joined as `k=v&…`; the base string `METHOD&enc(base URL)&enc(parameters)`; the key
/// `enc(consumer secret)&enc(token secret)`; the signature base64(HMAC-SHA1(key, base string)).
/// JSON and multipart bodies are not signed (RFC 5849 §3.4.1.3.1).
public struct OAuth1Signature: Sendable, Equatable {
    public var consumerKey: String
    public var consumerSecret: String
    public var token: String
    public var tokenSecret: String

    public init(consumerKey: String, consumerSecret: String, token: String, tokenSecret: String) {
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.token = token
        self.tokenSecret = tokenSecret
    }

    /// The `oauth_*` parameters of one request, without the signature.
    public func protocolParameters(nonce: String, timestamp: Int) -> [(String, String)] {
        [("oauth_consumer_key", consumerKey), ("oauth_nonce", nonce), ("oauth_signature_method", "HMAC-SHA1"),
         ("oauth_timestamp", String(timestamp)), ("oauth_token", token), ("oauth_version", "1.0")]
    }

    /// The signature base string of a request: `url` may carry a query (its parameters are signed,
    /// the base URL is without it); `formParameters` are those of an `application/x-www-form-urlencoded`
    /// body (raw, not encoded).
    public static func baseString(method: String, url: String, parameters: [(String, String)]) -> String {
        let (baseURL, query) = split(url)
        let all: [(String, String)] = query + parameters
        var encoded: [(key: String, value: String)] = []
        for (key, value) in all { encoded.append((percentEncode(key), percentEncode(value))) }
        encoded.sort { (lhs: (key: String, value: String), rhs: (key: String, value: String)) -> Bool in
            lhs.key == rhs.key ? lhs.value < rhs.value : lhs.key < rhs.key
        }
        let parameterString = encoded.map { $0.key + "=" + $0.value }.joined(separator: "&")
        return method.uppercased() + "&" + percentEncode(baseURL) + "&" + percentEncode(parameterString)
    }

    /// base64(HMAC-SHA1(`enc(consumer secret)&enc(token secret)`, base string)).
    public func signature(method: String, url: String, parameters: [(String, String)]) -> String {
        let key = Self.percentEncode(consumerSecret) + "&" + Self.percentEncode(tokenSecret)
        let base = Self.baseString(method: method, url: url, parameters: parameters)
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(base.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// The `Authorization: OAuth …` header value for a request (form parameters of the body, if any,
    /// are signed but not repeated in the header).
    public func authorization(method: String, url: String, formParameters: [(String, String)] = [], nonce: String,
                              timestamp: Int) -> String {
        let oauth = protocolParameters(nonce: nonce, timestamp: timestamp)
        let signature = signature(method: method, url: url, parameters: oauth + formParameters)
        var fields: [(String, String)] = oauth
        fields.append(("oauth_signature", signature))
        fields.sort { (lhs: (String, String), rhs: (String, String)) -> Bool in lhs.0 < rhs.0 }
        let rendered: [String] = fields.map { (key: String, value: String) -> String in
            Self.percentEncode(key) + "=\"" + Self.percentEncode(value) + "\""
        }
        return "OAuth " + rendered.joined(separator: ", ")
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters `A-Z a-z 0-9 - . _ ~`,
    /// with upper-case hex ("Percent encoding parameters", X docs).
    public static func percentEncode(_ text: String) -> String {
        PercentEncoding.encode(text)
    }

    /// Decodes `%XX` (and `+` as a space, as form bodies write it).
    public static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), high != utf8.endIndex,
               let low = utf8.index(high, offsetBy: 1, limitedBy: utf8.endIndex), low != utf8.endIndex,
               let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = utf8.index(after: low)
                continue
            }
            bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = utf8.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `k=v&k2=v2` → decoded pairs, in order.
    public static func formPairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecode(parts[0]), parts.count > 1 ? percentDecode(parts[1]) : "")
        }
    }

    /// The URL without its query or fragment, and the query's decoded parameters.
    static func split(_ url: String) -> (String, [(String, String)]) {
        let withoutFragment = url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? url
        let parts = withoutFragment.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0])
        guard parts.count > 1 else { return (base, []) }
        return (base, formPairs(String(parts[1])))
    }
}
