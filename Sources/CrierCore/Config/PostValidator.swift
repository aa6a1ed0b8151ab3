import Foundation

/// Checks a parsed post against the config: its channels exist, and it resolves to at least one.
/// Pure; what lives on disk (media files, symlinks) is checked by the queue intake.
public enum PostValidator {
    /// The channel names the post goes to, or the problems that stop it.
    public static func channels(for post: Post, config: CrierConfig) -> Swift.Result<[String], PostFileError> {
        var selection = post.channels
        if case .named(let names) = selection, names.isEmpty, post.fieldLines["channels"] == nil {
            guard let fallback = config.defaults.channels else {
                return .failure(PostFileError(file: post.file, line: 1, field: "channels",
                                              message: "the post names no channels; add `channels: [\(config.channelNames.prefix(3).joined(separator: ", "))]` or `channels: all`"))
            }
            selection = fallback
        }
        let names = selection.resolve(configured: config.channelNames)
        var problems: [FieldProblem] = []
        for name in names where config.channel(named: name) == nil {
            let known = config.channelNames.joined(separator: ", ")
            let suggestion = FieldReader.closest(to: name, in: config.channelNames).map { "did you mean '\($0)'? " } ?? ""
            problems.append(FieldProblem(line: post.fieldLines["channels"], field: "channels",
                                         message: "unknown channel '\(name)'; \(suggestion)configured channels: \(known)"))
        }
        for variant in post.variants.keys where config.channel(named: variant) == nil && Platform(rawValue: variant) == nil {
            problems.append(FieldProblem(line: post.fieldLines["variants"], field: "variants.\(variant)",
                                         message: "is neither a configured channel nor a platform name"))
        }
        if names.isEmpty { problems.append(FieldProblem(line: post.fieldLines["channels"], field: "channels", message: "resolves to no channel")) }
        return problems.isEmpty ? .success(names) : .failure(PostFileError(file: post.file, problems: problems))
    }
}
