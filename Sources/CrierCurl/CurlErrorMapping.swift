import CCurl
import CrierCore

/// Turns libcurl result codes into `TransportError`s.
enum CurlErrorMapping {
    /// The transport error kind for a failed transfer's `CURLcode`.
    static func kind(of code: CURLcode) -> TransportError.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .connect
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
             CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidRequest
        default:
            return .network
        }
    }

    /// The error for a transfer that ended with `code`. `detail` is curl's error buffer (which never
    /// holds request headers or bodies); curl's generic text for `code` stands in when it is empty.
    static func error(code: CURLcode, detail: String) -> TransportError {
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return TransportError(kind: kind(of: code), message: message, code: Int(code.rawValue))
    }

    /// The error for a multi-interface call that failed, failing every transfer it was driving.
    static func error(multiCode code: CURLMcode, call: String) -> TransportError {
        TransportError(kind: .network, message: "\(call) failed: \(String(cString: curl_multi_strerror(code)))",
                       code: Int(code.rawValue))
    }
}
