/// The kinds of post file the queue accepts, by extension.
public enum PostFileFormat: Sendable, Equatable {
    case markdown
    case json

    /// The format for a file name, or nil when the name is not a post file.
    public init?(fileName: String) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".md") || lower.hasSuffix(".markdown") {
            self = .markdown
        } else if lower.hasSuffix(".json") {
            self = .json
        } else {
            return nil
        }
    }

    /// The file name without its post extension: the default post id.
    public static func stem(of fileName: String) -> String {
        let lower = fileName.lowercased()
        for suffix in [".markdown", ".md", ".json"] where lower.hasSuffix(suffix) {
            return String(fileName.dropLast(suffix.count))
        }
        return fileName
    }
}
