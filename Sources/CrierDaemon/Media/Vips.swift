import CVips
import Foundation

/// libvips, started once per process (`VIPS_INIT`), and its last error as text.
enum Vips {
    /// Whether libvips started; the first use starts it.
    static let started: Bool = {
        let ok = cvips_init("crier") == 0
        // One image at a time per derivation and no operation cache: crier derives a few images per
        // post, and the cache would only hold memory.
        vips_cache_set_max(0)
        return ok
    }()

    /// libvips' error buffer, cleared.
    static func lastError() -> String {
        let text = String(cString: vips_error_buffer()).trimmingCharacters(in: .whitespacesAndNewlines)
        vips_error_clear()
        return text.isEmpty ? "libvips failed" : text.replacingOccurrences(of: "\n", with: "; ")
    }
}
