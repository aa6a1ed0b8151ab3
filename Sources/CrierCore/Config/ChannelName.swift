/// Channel names appear in post files, logs and receipts: keep them simple.
public enum ChannelName {
    public static func problem(_ name: String) -> String? {
        let valid = !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy {
            ($0.value >= 48 && $0.value <= 57) || ($0.value >= 97 && $0.value <= 122) || $0 == "-" || $0 == "_"
        }
        return valid ? nil : "channel name '\(name)' may use only lower-case letters, digits, '-' and '_'"
    }
}
