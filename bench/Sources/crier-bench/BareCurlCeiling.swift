import CCurl
import Foundation

/// The ceiling: the same POSTs crier would make, driven straight through one libcurl multi handle with
/// `concurrency` pooled easy handles (keep-alive, like crier's transport), no journal, no files, no
/// scheduler. Counts a transfer as ok when it completed with an HTTP 2xx status.
///
/// Everything runs on the calling thread; response bodies are read and dropped.
func runBareCurlCeiling(url: String, requests: Int, concurrency: Int, body: Data, headers: [String])
    -> (seconds: Double, ok: Int, failed: Int)
{
    precondition(curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK, "curl_global_init failed")
    guard requests > 0 else { return (0, 0, 0) }
    let slots = max(1, min(concurrency, requests))

    guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
    defer { curl_multi_cleanup(multi) }
    _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, slots)

    // The request body stays alive (and unmoved) for the whole run: POSTFIELDS is read in place.
    let bodyBytes = UnsafeMutableRawPointer.allocate(byteCount: max(body.count, 1), alignment: 1)
    defer { bodyBytes.deallocate() }
    body.copyBytes(to: bodyBytes.assumingMemoryBound(to: UInt8.self), count: body.count)

    var headerList: UnsafeMutablePointer<curl_slist>?
    for line in ["Expect:"] + headers {
        guard let extended = curl_slist_append(headerList, line) else { fatalError("curl_slist_append failed") }
        headerList = extended
    }
    defer { curl_slist_free_all(headerList) }

    // Discard the response body (curl would otherwise write it to stdout).
    let discard: curl_write_callback = { _, size, count, _ in size * count }

    var handles: [UnsafeMutableRawPointer] = []
    for _ in 0..<slots {
        guard let easy = curl_easy_init() else { fatalError("curl_easy_init failed") }
        _ = ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_easy_setopt_string(easy, CURLOPT_URL, url)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_POST, 1)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, bodyBytes)
        _ = ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))
        _ = ccurl_easy_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION, discard)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, 10_000)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, 30_000)
        _ = ccurl_easy_setopt_string(easy, CURLOPT_USERAGENT, "crier-bench-ceiling")
        handles.append(easy)
    }
    defer { for easy in handles { curl_easy_cleanup(easy) } }

    var started = 0, ok = 0, failed = 0
    let clock = ContinuousClock()
    let begin = clock.now
    for easy in handles {
        guard curl_multi_add_handle(multi, easy) == CURLM_OK else { fatalError("curl_multi_add_handle failed") }
        started += 1
    }
    var running: Int32 = 0
    while ok + failed < requests {
        let performCode = curl_multi_perform(multi, &running)
        precondition(performCode == CURLM_OK, "curl_multi_perform: \(String(cString: curl_multi_strerror(performCode)))")
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            var status = 0
            _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            if message.pointee.data.result == CURLE_OK && (200..<300).contains(status) { ok += 1 } else { failed += 1 }
            // Reading `message` is invalid after remove_handle; everything needed is copied above.
            _ = curl_multi_remove_handle(multi, easy)
            if started < requests {
                // Re-adding a finished easy handle restarts the same request on a cached connection.
                guard curl_multi_add_handle(multi, easy) == CURLM_OK else { fatalError("curl_multi_add_handle failed") }
                started += 1
            }
        }
        if ok + failed >= requests { break }
        var numfds: Int32 = 0
        let pollCode = curl_multi_poll(multi, nil, 0, 1000, &numfds)
        precondition(pollCode == CURLM_OK, "curl_multi_poll: \(String(cString: curl_multi_strerror(pollCode)))")
    }
    let elapsed = begin.duration(to: clock.now)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (seconds, ok, failed)
}
