import CCurl
import CrierCore

/// A libcurl multi handle: the connection cache (keep-alive) and DNS cache shared by all transfers.
///
/// Only `wakeUp()` may be called from other threads (libcurl makes `curl_multi_wakeup` thread-safe);
/// everything else belongs to the transfer thread. `cleanUp()` must not race `wakeUp()`:
/// `CurlTransferLoop` serialises the two under its inbox lock.
final class CurlMultiHandle {
    private let raw: UnsafeMutableRawPointer
    private var isCleanedUp = false

    /// A multi handle keeping up to `maxConnections` idle connections open for reuse.
    init(maxConnections: Int) throws(TransportError) {
        guard let raw = curl_multi_init() else {
            throw TransportError(kind: .network, message: "curl_multi_init failed")
        }
        self.raw = raw
        let code = ccurl_multi_setopt_long(raw, CURLMOPT_MAXCONNECTS, maxConnections)
        guard code == CURLM_OK else {
            curl_multi_cleanup(raw)
            throw CurlErrorMapping.error(multiCode: code, call: "curl_multi_setopt(MAXCONNECTS)")
        }
    }

    deinit {
        cleanUp()
    }

    func add(_ easy: CurlEasyHandle) -> CURLMcode {
        curl_multi_add_handle(raw, easy.raw)
    }

    /// Detaches `easy`; its connection goes back to the cache for reuse.
    func remove(_ easy: CurlEasyHandle) {
        // Fails only for a handle that is not attached, which the loop never passes.
        _ = curl_multi_remove_handle(raw, easy.raw)
    }

    /// Drives every attached transfer as far as it can go without blocking.
    func perform() -> CURLMcode {
        var running: Int32 = 0
        return curl_multi_perform(raw, &running)
    }

    /// Waits until a transfer's socket is ready, curl's own timer expires, `wakeUp()` is called or
    /// `timeoutMilliseconds` pass.
    func poll(timeoutMilliseconds: Int32) -> CURLMcode {
        curl_multi_poll(raw, nil, 0, timeoutMilliseconds, nil)
    }

    /// `poll`, also returning when `extra` (a descriptor of the caller's) is ready; its `revents` says so.
    func poll(extra: inout curl_waitfd, timeoutMilliseconds: Int32) -> CURLMcode {
        curl_multi_poll(raw, &extra, 1, timeoutMilliseconds, nil)
    }

    /// Makes a current or the next `poll` return at once. Thread-safe.
    func wakeUp() {
        // Fails only for a bad handle; a lost wake-up is recovered by the poll timeout anyway.
        _ = curl_multi_wakeup(raw)
    }

    /// The next finished transfer: its easy handle and result. The returned pointer is valid until
    /// the handle is removed.
    func nextFinishedTransfer() -> (easy: UnsafeMutableRawPointer, result: CURLcode)? {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(raw, &remaining) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                return (easy, message.pointee.data.result)
            }
        }
        return nil
    }

    /// Closes cached connections and frees the handle; every easy handle must be removed first.
    func cleanUp() {
        guard !isCleanedUp else { return }
        isCleanedUp = true
        curl_multi_cleanup(raw)
    }
}
