import ArgumentParser
import CrierCore
import CrierDaemon
import Foundation

struct EnqueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Drop a post into the queue atomically (validated first); prints the post id.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A post file (.md or .json), or - to read one from standard input.")
    var file: String

    @Option(help: "Send at this time (ISO 8601, or 'YYYY-MM-DD HH:MM' in the configured time zone).")
    var at: String?

    @Option(help: "Comma-separated channel names (or 'all').")
    var channels: String?

    func run() throws {
        let config = global.configWithoutSecrets()
        let timeZone = config?.timeZone ?? TimeZone(identifier: "UTC")!
        let input: Data
        if file == "-" {
            input = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let data = FileManager.default.contents(atPath: file) else { throw UserFacingFailure("cannot read \(file)") }
            input = data
        }
        let isJSON = file == "-" ? input.first(where: { !Character(UnicodeScalar($0)).isWhitespace }) == UInt8(ascii: "{")
                                 : PostFileFormat(fileName: file) == .json
        if file != "-", PostFileFormat(fileName: file) == nil {
            throw UserFacingFailure("\(file): not a post file; use the extension .md, .markdown or .json")
        }
        if let at, TimeParser.parse(at, timeZone: timeZone) == nil {
            throw ValidationError("--at '\(at)' is not a time; write ISO 8601 like 2026-11-22T09:00:00+01:00, or '2026-11-22 09:00'")
        }
        let channelList = channels.map { $0.lowercased() == "all" ? ["all"] : $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let content: Data
        do {
            content = try PostOverrides(at: at, channels: channelList).apply(to: input, isJSON: isJSON)
        } catch {
            throw UserFacingFailure("\(file): \(error.message)")
        }
        let provisionalName = file == "-" ? "stdin" + (isJSON ? ".json" : ".md") : (file as NSString).lastPathComponent
        let post: Post
        do {
            post = try PostParser(timeZone: timeZone, knownChannels: config?.channelNames).parse(content, fileName: provisionalName)
            if let config { _ = try PostValidator.channels(for: post, config: config).get() }
        } catch {
            throw UserFacingFailure("the post has problems:\n\(error)")
        }
        let name: String
        if file == "-" {
            let id = post.fieldLines["id"] != nil ? post.id : PostNames.generated()
            name = id + (isJSON ? ".json" : ".md")
        } else {
            name = provisionalName
        }
        let layout = global.layout(config: config)
        let destination = layout.pending(name)
        if FileManager.default.fileExists(atPath: destination) {
            throw UserFacingFailure("the queue already has \(name); rename the file or give the post another `id:`")
        }
        do {
            try FileOperations.makeDirectory(layout.root)
            try FileOperations.writeAtomically(content, to: destination, mode: 0o660)
        } catch {
            throw UserFacingFailure("cannot write into the queue: \(error)")
        }
        let id = post.fieldLines["id"] != nil ? post.id : PostFileFormat.stem(of: name)
        print(id)
    }
}
