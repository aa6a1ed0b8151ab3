import Foundation

/// Turns the bytes of a post file into a `Post`, or a `PostFileError` listing every problem with its
/// line. Pure: the caller reads the file; channel names are checked against the config separately
/// (`PostValidator`), because a post can be parsed before any config is known (`crier check`, editors).
public struct PostParser: Sendable {
    /// Largest accepted post file (README "How a post travels").
    public static let maximumFileSize = 1 << 20
    public static let topLevelKeys = ["id", "at", "channels", "tags", "link", "media", "expire", "long", "variants",
                                       "content_warning", "language", "card", "approval"]

    /// Zone for local times written without an offset.
    public var timeZone: TimeZone
    /// Configured channel names, when known: unknown names in `channels:` are then reported together
    /// with every other problem of the file.
    public var knownChannels: [String]?
    /// Whether flat front matter is read without Yams (`FlatYAML`; same results). Off only in the
    /// tests that compare the two paths.
    var readsFlatYAML = true

    public init(timeZone: TimeZone, knownChannels: [String]? = nil) {
        self.timeZone = timeZone
        self.knownChannels = knownChannels
    }

    public func parse(_ data: Data, fileName: String) throws(PostFileError) -> Post {
        let (post, problems) = try parseKeepingProblems(data, fileName: fileName)
        if !problems.isEmpty { throw PostFileError(file: fileName, problems: problems) }
        return post
    }

    /// Like `parse`, but a file whose fields could be read (well-formed YAML or JSON) yields its post
    /// even when some fields have problems, so the caller can go on checking what lies on disk (the
    /// media files) and report every problem of the file at once. Throws only when the file cannot be
    /// read as fields at all.
    public func parseKeepingProblems(_ data: Data, fileName: String) throws(PostFileError) -> (post: Post, problems: [FieldProblem]) {
        guard let format = PostFileFormat(fileName: fileName) else {
            throw PostFileError(file: fileName, message: "not a post file: use the extension .md, .markdown or .json")
        }
        guard data.count <= Self.maximumFileSize else {
            throw PostFileError(file: fileName, message: "the file is \(data.count) bytes; posts may be at most 1 MiB (put large media beside it and reference them under media:)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw PostFileError(file: fileName, line: Self.lineOfFirstInvalidUTF8(data), message: "the file is not valid UTF-8; save it as UTF-8")
        }
        // memchr, not `Data.firstIndex(of:)`, which goes through `Data.Iterator` a byte at a time.
        let nulOffset = data.withUnsafeBytes { bytes -> Int? in
            guard let base = bytes.baseAddress, let found = memchr(base, 0, bytes.count) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
        if let nul = nulOffset.map({ data.startIndex + $0 }) {
            let line = data[data.startIndex..<nul].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw PostFileError(file: fileName, line: line, message: "the line holds a NUL character (byte 0), which no platform accepts; remove it")
        }
        let fields: FieldNode
        let body: String
        do throws(FieldSyntaxError) {
            switch format {
            case .markdown:
                let split = try FrontMatter.split(text)
                fields = try FieldNode.parseYAML(split.frontMatter, lineOffset: split.frontMatterFirstLine - 1, flat: readsFlatYAML)
                body = split.body
            case .json:
                fields = try FieldNode.parseJSON(data)
                body = ""
            }
        } catch {
            throw PostFileError(file: fileName, line: error.line, message: error.message)
        }
        // An escaped NUL (`"\0"` in YAML, `"\u0000"` in JSON) is one too, once parsed; only an
        // escape can make one, so files without a backslash are not walked.
        let hasEscape = data.withUnsafeBytes { bytes in
            bytes.baseAddress.map { memchr($0, Int32(UInt8(ascii: "\\")), bytes.count) != nil } ?? false
        }
        if hasEscape, let line = fields.lineOfFirstNUL() {
            throw PostFileError(file: fileName, line: line,
                                message: "a value holds an escaped NUL character (\\0 or \\u0000), which no platform accepts; remove it")
        }
        return build(fields, body: body, format: format, fileName: fileName)
    }

    private func build(_ fields: FieldNode, body markdownBody: String, format: PostFileFormat,
                       fileName: String) -> (post: Post, problems: [FieldProblem]) {
        var reader = FieldReader()
        let known = format == .json ? Self.topLevelKeys + ["text"] : Self.topLevelKeys
        let entries = reader.entries(fields, "", known: known)
        var fieldLines: [String: Int] = [:]
        for entry in entries { fieldLines[entry.key] = entry.line }

        let id: String
        if let given = reader.nonEmptyString(fields["id"], "id") {
            id = given
            if let problem = PostID.problem(id) { reader.report(fields["id"] ?? .null(line: 1), "id", problem) }
        } else {
            // The file keeps its name; the id is the name made safe.
            id = PostID.fromFileName(fileName)
            if id.isEmpty {
                reader.report(line: 1, "id", "no post id can be made from the file name '\(fileName)'; rename the file or set `id:`")
            }
        }

        var at: Date?
        if let text = reader.string(fields["at"], "at") {
            at = TimeParser.parse(text, timeZone: timeZone)
            if at == nil {
                reader.report(fields["at"], "at", "'\(text)' is not a time; write ISO 8601 like 2026-11-22T09:00:00+01:00, or '2026-11-22 09:00' for \(TimeZoneName.of(timeZone)) time")
            }
        }

        var channels = ChannelSelection.named([])
        if let node = fields["channels"] {
            if case .scalar(let value, _) = node, value.lowercased() == "all" {
                channels = .all
            } else if let names = reader.stringList(node, "channels") {
                channels = .named(names)
                if names.isEmpty { reader.report(node, "channels", "names no channel; list channel names from crier.yml, or write `channels: all`") }
                // Pairwise: a post names a handful of channels, and a `Set` hashes every name.
                for (index, name) in names.enumerated() where names[..<index].contains(name) {
                    reader.report(node, "channels", "'\(name)' is listed twice")
                }
                if let known = knownChannels {
                    for name in names where !known.contains(name) {
                        let suggestion = FieldReader.closest(to: name, in: known).map { "did you mean '\($0)'? " } ?? ""
                        reader.report(node, "channels", "unknown channel '\(name)'; \(suggestion)configured channels: \(known.joined(separator: ", "))")
                    }
                }
            }
        }

        let tags = (reader.stringList(fields["tags"], "tags") ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        if tags.contains(where: \.isEmpty) { reader.report(fields["tags"], "tags", "a tag is empty") }

        let link = reader.nonEmptyString(fields["link"], "link")
        if let link, !(link.hasPrefix("https://") || link.hasPrefix("http://")) || link.contains(where: \.isWhitespace) {
            reader.report(fields["link"], "link", "'\(link)' is not a web address; write it as https://…")
        }

        let media = readMedia(fields["media"], &reader, lines: &fieldLines)
        let expire = reader.duration(fields["expire"], "expire")
        let long = reader.enumValue(fields["long"], "long", as: LongPolicy.self)

        let contentWarning = reader.nonEmptyString(fields["content_warning"], "content_warning")
        let language = reader.nonEmptyString(fields["language"], "language")
        if let language, !Self.isLanguageTag(language) {
            reader.report(fields["language"], "language", "'\(language)' is not a language code; write an ISO 639 code like en, de or pt-BR")
        }
        let card = readCard(fields["card"], &reader)

        var variants: [String: String] = [:]
        if let node = fields["variants"] {
            for entry in reader.entries(node, "variants", known: entriesKeys(node)) {
                if let value = reader.nonEmptyString(entry.value, "variants.\(entry.key)") { variants[entry.key] = value }
            }
        }

        let body: String
        if format == .json {
            body = (reader.string(fields["text"], "text") ?? "").crierTrimmingWhitespace()
        } else {
            body = markdownBody.crierTrimmingWhitespace()
        }
        // A post may give its text only as variants (one per channel): a channel left without text
        // then fails alone, when it is rendered.
        if body.isEmpty, variants.isEmpty {
            if format == .json {
                // The `"text"` line when it is there but empty, else the object's first line.
                reader.report(line: fields["text"]?.line ?? fields.line, "text", "the post has no text; add a \"text\" field")
            } else {
                reader.report(line: nil, "", "the post has no text; write the text below the closing ---")
            }
        }

        var post = Post(id: id, file: fileName, at: at, channels: channels, tags: tags, link: link, media: media,
                        expire: expire, long: long, variants: variants, body: body, fieldLines: fieldLines)
        if let approval = reader.enumValue(fields["approval"], "approval", as: ApprovalRequirement.self) {
            post.approvalRequired = approval == .required
        }
        post.contentWarning = contentWarning
        post.language = language
        post.card = card
        return (post, reader.problems.sortedByLine())
    }

    /// `card: {title, description, image}`: the link card a platform that does not fetch pages shows
    /// for `link:` (Bluesky's external embed).
    private func readCard(_ node: FieldNode?, _ reader: inout FieldReader) -> LinkCard? {
        guard let node else { return nil }
        guard case .map = node else {
            if case .null = node { return nil }
            reader.report(node, "card", "expected `title:`, `description:` and optionally `image:`, got \(node.kindName)")
            return nil
        }
        _ = reader.entries(node, "card", known: ["title", "description", "image"])
        let title = reader.nonEmptyString(node["title"], "card.title")
        if node["title"] == nil { reader.report(node, "card", "needs `title:` (the linked page's title)") }
        let image = reader.nonEmptyString(node["image"], "card.image")
        if let image, let problem = MediaPath.problem(image) { reader.report(node["image"], "card.image", problem) }
        guard let title else { return nil }
        return LinkCard(title: title, description: reader.string(node["description"], "card.description") ?? "", image: image)
    }

    /// A BCP 47-shaped language tag: 2–3 letters, then `-` subtags of 1–8 letters or digits.
    static func isLanguageTag(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
        return parts.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }

    private func entriesKeys(_ node: FieldNode) -> [String] {
        guard case .map(let entries, _) = node else { return [] }
        return entries.map(\.key)
    }

    /// The `media:` entries; each entry's line goes into `lines` as `media[N]` (1-based), so problems
    /// found later with the file itself point at its own line.
    private func readMedia(_ node: FieldNode?, _ reader: inout FieldReader, lines: inout [String: Int]) -> [PostMedia] {
        guard let node else { return [] }
        guard case .list(let items, _) = node else {
            if case .null = node { return [] }
            reader.report(node, "media", "expected a list of `- file: …` entries, got \(node.kindName)")
            return []
        }
        var media: [PostMedia] = []
        for (index, item) in items.enumerated() {
            let field = "media[\(index + 1)]"
            lines[field] = item.line
            var file: String?
            var alt: String?
            var crop: ImageCrop?
            switch item {
            case .scalar(let value, _):
                file = value
            case .map:
                _ = reader.entries(item, field, known: ["file", "alt", "crop", "focus"])
                file = reader.nonEmptyString(item["file"], "\(field).file")
                alt = reader.nonEmptyString(item["alt"], "\(field).alt")
                crop = readCrop(item, field, &reader)
                if item["file"] == nil { reader.report(item, field, "needs `file:` (a path relative to the post file)") }
            default:
                reader.report(item, field, "expected `file:` and `alt:`, got \(item.kindName)")
            }
            guard let file else { continue }
            if let problem = MediaPath.problem(file) {
                reader.report(item, "\(field).file", problem)
                continue
            }
            media.append(PostMedia(file: file, alt: alt, crop: crop))
        }
        return media
    }

    /// `crop: center|top` or `focus: [x, y]` (fractions from the top left, 0 to 1) of one entry.
    private func readCrop(_ item: FieldNode, _ field: String, _ reader: inout FieldReader) -> ImageCrop? {
        if item["crop"] != nil && item["focus"] != nil {
            reader.report(item["focus"], "\(field).focus", "give either `crop:` or `focus:`, not both")
            return nil
        }
        if let node = item["crop"], let value = reader.nonEmptyString(node, "\(field).crop") {
            switch value {
            case "center", "centre": return .center
            case "top": return .top
            default:
                reader.report(node, "\(field).crop", "expected `center` or `top` (or `focus: [x, y]` instead), got '\(value)'")
                return nil
            }
        }
        guard let node = item["focus"] else { return nil }
        let values = reader.stringList(node, "\(field).focus")?.map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard let values, values.count == 2, let x = values[0], let y = values[1], (0...1).contains(x), (0...1).contains(y) else {
            reader.report(node, "\(field).focus", "expected `[x, y]`: two numbers from 0 to 1, the point to keep "
                          + "as fractions of the width and height from the top left (e.g. `[0.3, 0.4]`)")
            return nil
        }
        return .focus(x: x, y: y)
    }

    private static func lineOfFirstInvalidUTF8(_ data: Data) -> Int {
        var line = 1
        var iterator = data.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): if scalar == "\n" { line += 1 }
            case .emptyInput: return line
            case .error: return line
            }
        }
    }
}
