import CrierCore
import Foundation
import Glibc

/// Reads `crier.yml`, validates it and resolves every channel's secrets (`env:`, `file:`,
/// `credential:`), so a config either loads whole or is refused with every problem listed — the
/// file's, every secret's and every channel's — in one run, sorted by line.
public struct ConfigLoader: Sendable {
    public var environment: [String: String]
    /// Where a relative `--config` path starts (the process's working directory).
    public var currentDirectory: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                currentDirectory: String = FileManager.default.currentDirectoryPath) {
        self.environment = environment
        self.currentDirectory = currentDirectory
    }

    public struct Loaded: Sendable {
        public var runtime: RuntimeConfig
        public var warnings: [FieldProblem]
    }

    public func load(path: String) -> Result<Loaded, ConfigLoadFailure> {
        let parsed: ConfigParser.Result
        switch parse(path: path) {
        case .success(let result): parsed = result
        case .failure(let failure): return .failure(failure)
        }
        let draft = parsed.draft
        var problems = parsed.problems
        var warnings = parsed.warnings
        var channels: [String: ResolvedChannel] = [:]
        for channel in draft.channels {
            var secrets: [String: Secret] = [:]
            for (key, reference) in channel.secrets.sorted(by: { $0.key < $1.key }) {
                let field = "channels.\(channel.name).\(key)"
                switch resolve(reference) {
                case .success(let secret):
                    if let problem = Self.formatProblem(platform: channel.platform, key: key, secret: secret) {
                        problems.append(FieldProblem(line: channel.line(of: key), field: field, message: problem))
                    }
                    if case .file(let path) = reference {
                        let (problem, warning) = Self.permissionProblems(ofSecretFile: path)
                        if let problem { problems.append(FieldProblem(line: channel.line(of: key), field: field, message: problem)) }
                        if let warning { warnings.append(FieldProblem(line: channel.line(of: key), field: field, message: warning)) }
                    }
                    secrets[key] = secret
                case .failure(let message):
                    problems.append(FieldProblem(line: channel.line(of: key), field: field, message: message.message))
                }
            }
            channels[channel.name] = ResolvedChannel(config: channel, secrets: secrets, adapter: PlatformAdapters.adapter(for: channel.platform))
        }
        var storePassword: Secret?
        if draft.store.kind == .postgres, let reference = draft.store.password {
            switch resolve(reference) {
            case .success(let secret): storePassword = secret
            case .failure(let message):
                problems.append(FieldProblem(line: draft.store.passwordLine ?? draft.store.line, field: "store.password", message: message.message))
            }
        }
        guard let config = parsed.config, problems.isEmpty else {
            return .failure(ConfigLoadFailure(path: path, problems: problems.sortedByLine(), warnings: warnings.sortedByLine()))
        }
        return .success(Loaded(runtime: RuntimeConfig(config: config, channels: channels, path: path, storePassword: storePassword),
                               warnings: warnings.sortedByLine()))
    }

    /// The config without its secrets (for commands that need only the queue, the time zone and the
    /// channels, and for the preview, which sends nothing): every problem of the file, or the config
    /// and its warnings.
    public func loadWithoutSecrets(path: String) -> Result<(config: CrierConfig, warnings: [FieldProblem]), ConfigLoadFailure> {
        switch parse(path: path) {
        case .failure(let failure):
            return .failure(failure)
        case .success(let parsed):
            guard let config = parsed.configWithoutCredentials else {
                return .failure(ConfigLoadFailure(path: path, problems: parsed.problems, warnings: parsed.warnings))
            }
            // Secrets not given yet do not stop what reads none: they are warnings here
            // (`crier check` and `crier run` still refuse them).
            let gaps = parsed.credentialGaps.map {
                FieldProblem(line: $0.line, field: $0.field, message: $0.message + " (crier check and crier run refuse the channel until it is given)")
            }
            return .success((config, (parsed.warnings + gaps).sortedByLine()))
        }
    }

    /// Reads and parses the file; a relative `queue:` is made absolute against the file's directory.
    private func parse(path: String) -> Result<ConfigParser.Result, ConfigLoadFailure> {
        let text: String
        do {
            let (data, _) = try FileOperations.readRegularFile(path, maxSize: Self.maximumSize)
            guard let decoded = String(validating: data, as: UTF8.self) else {
                return .failure(ConfigLoadFailure(path: path, problems: [FieldProblem(line: nil, field: "", message: "not valid UTF-8; save it as UTF-8")]))
            }
            text = decoded
        } catch {
            return .failure(ConfigLoadFailure(path: path, problems: [FieldProblem(line: nil, field: "", message: Self.readProblem(error))]))
        }
        var parsed = ConfigParser.parse(text)
        if let queue = parsed.draft.queue {
            let absolute = Self.queuePath(queue, configPath: path, currentDirectory: currentDirectory)
            parsed.draft.queue = absolute
            parsed.config?.queue = absolute
        }
        return .success(parsed)
    }

    static let maximumSize = 4 << 20

    /// `queue:` as the daemon uses it: an absolute path stays; a relative one is relative to the
    /// directory of the config file (as nginx and systemd resolve paths in their files), not to
    /// wherever the command happens to run.
    public static func queuePath(_ queue: String, configPath: String, currentDirectory: String) -> String {
        guard !queue.hasPrefix("/") else { return queue }
        let config = configPath.hasPrefix("/") ? configPath : (currentDirectory as NSString).appendingPathComponent(configPath)
        let directory = (config as NSString).deletingLastPathComponent
        return ((directory as NSString).appendingPathComponent(queue) as NSString).standardizingPath
    }

    /// Why the config file cannot be read, and what to do.
    static func readProblem(_ error: FileReadError) -> String {
        switch error {
        case .missing: return "no such file; pass --config PATH or set CRIER_CONFIG"
        case .symlink: return "is a symbolic link; crier reads its config only from a regular file: pass --config the file it points to"
        case .notRegular: return "not a regular file; pass --config a crier.yml file"
        case .tooLarge(let size): return "the file is \(size) bytes; a config may be at most 4 MiB"
        case .system(let error): return "cannot read it (\(error)); make it readable by this user"
        }
    }

    /// The secret's value, or a message that names the reference (never the value).
    public func resolve(_ reference: SecretReference) -> Result<Secret, SecretProblem> {
        switch reference {
        case .inline(let value):
            return .success(Secret(value))
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                return .failure(SecretProblem("environment variable \(name) is not set (referenced as env:\(name))"))
            }
            return .success(Secret(value))
        case .file(let path):
            return readSecretFile(path, reference: reference)
        case .credential(let name):
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                return .failure(SecretProblem("credential:\(name) needs $CREDENTIALS_DIRECTORY (set by systemd's LoadCredential=); it is not set"))
            }
            guard !name.contains("/") else { return .failure(SecretProblem("credential name '\(name)' must not contain '/'")) }
            return readSecretFile(directory + "/" + name, reference: reference)
        }
    }

    private func readSecretFile(_ path: String, reference: SecretReference) -> Result<Secret, SecretProblem> {
        do {
            let (data, _) = try FileOperations.readRegularFile(path, maxSize: 64 << 10)
            var value = String(decoding: data, as: UTF8.self)
            while value.hasSuffix("\n") || value.hasSuffix("\r") { value.removeLast() }
            guard !value.isEmpty else { return .failure(SecretProblem("\(reference): \(path) is empty")) }
            return .success(Secret(value))
        } catch {
            let reason: String
            switch error {
            case .missing: reason = "no such file"
            case .symlink: reason = "it is a symbolic link; point the reference at the file itself"
            case .notRegular: reason = "not a regular file"
            case .tooLarge(let size): reason = "it is \(size) bytes; a secret file may be at most 64 KiB"
            case .system(let error): reason = "\(error); make it readable by crier's user"
            }
            return .failure(SecretProblem("\(reference): cannot read \(path): \(reason)"))
        }
    }

    /// A secret file others can write is refused (anyone could swap the secret); one others can read
    /// is a warning (anyone on the machine can read it).
    static func permissionProblems(ofSecretFile path: String) -> (problem: String?, warning: String?) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return (nil, nil) }
        let mode = info.st_mode & 0o777
        let octal = String(mode, radix: 8)
        if mode & 0o002 != 0 {
            return ("\(path) is writable by every user (mode \(octal)), so anyone could replace the secret; run `chmod o-w \(path)` (600 is best)", nil)
        }
        if mode & 0o004 != 0 {
            return (nil, "\(path) is readable by every user (mode \(octal)); run `chmod o-r \(path)` (600, owned by crier's user, is best)")
        }
        return (nil, nil)
    }

    /// Platform-specific shape checks, so a malformed secret is caught by `crier check`, not at send.
    static func formatProblem(platform: Platform, key: String, secret: Secret) -> String? {
        switch (platform, key) {
        case (.webhook, "secret") where WebhookSignature.key(fromSecret: secret.value) == nil:
            return "the signing secret must be 'whsec_' followed by base64 (Standard Webhooks)"
        case (.telegram, "token"): return TelegramToken.problem(secret.value)
        case (.discord, "webhook_url"): return DiscordWebhookURL.problem(secret.value)
        case (.slack, "webhook_url"): return SlackWebhookURL.problem(secret.value)
        case (.slack, "token"): return SlackToken.problem(secret.value)
        default: return nil
        }
    }
}

/// Why a secret reference cannot be resolved; names the reference, never a value.
public struct SecretProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
