/// RFC 3986 percent-encoding: every byte but the unreserved characters (`A-Z a-z 0-9 - . _ ~`) and
/// the `keeping` ones becomes `%XX` with upper-case hex. One implementation for form bodies, path
/// segments, query values and OAuth 1.0a signatures.
public enum PercentEncoding {
    private static let hex = Array("0123456789ABCDEF".utf8)

    public static func encode(_ text: String, keeping extra: String = "") -> String {
        let kept = Array(extra.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                if kept.contains(byte) {
                    out.append(byte)
                } else {
                    out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
