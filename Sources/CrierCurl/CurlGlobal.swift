import CCurl

/// Process-wide libcurl initialisation.
///
/// `curl_global_init` must run exactly once before any other libcurl call. A `static let` is
/// initialised exactly once and thread-safely by the Swift runtime, which is all this needs.
enum CurlGlobal {
    private static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    /// Initialises libcurl on first use. Stops the process with curl's reason if libcurl cannot
    /// start (out of memory, TLS library failure): nothing can be sent without it.
    static func ensureInitialized() {
        let code = initResult
        precondition(code == CURLE_OK,
                     "libcurl global initialisation failed: \(String(cString: curl_easy_strerror(code)))")
    }
}
