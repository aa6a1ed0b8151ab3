import CrierCore
import Foundation

/// Reads `crier.yml`, validates it and resolves every channel's secrets (`env:`, `file:`,
/// `credential:`), so a config either loads whole or is refused with every problem listed.
public struct ConfigLoader: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public struct Loaded: Sendable {
        public var runtime: RuntimeConfig
        public var warnings: [FieldProblem]
    }

    public func load(path: String) -> Result<Loaded, ConfigLoadFailure> {
        let text: String
        do {
            let (data, _) = try FileOperations.readRegularFile(path, maxSize: 4 << 20)
            guard let decoded = String(validating: data, as: UTF8.self) else {
                return .failure(ConfigLoadFailure(path: path, problems: [FieldProblem(line: nil, field: "", message: "not valid UTF-8")]))
            }
            text = decoded
        } catch {
            let hint = error == .missing ? "no such file; pass --config PATH or set CRIER_CONFIG" : error.description
            return .failure(ConfigLoadFailure(path: path, problems: [FieldProblem(line: nil, field: "", message: hint)]))
        }
        let parsed = ConfigParser.parse(text)
        guard let config = parsed.config else {
            return .failure(ConfigLoadFailure(path: path, problems: parsed.problems))
        }
        var problems: [FieldProblem] = []
        var channels: [String: ResolvedChannel] = [:]
        for channel in config.channels {
            var secrets: [String: Secret] = [:]
            for (key, reference) in channel.secrets.sorted(by: { $0.key < $1.key }) {
                switch resolve(reference) {
                case .success(let secret):
                    if let problem = Self.formatProblem(platform: channel.platform, key: key, secret: secret) {
                        problems.append(FieldProblem(line: channel.line, field: "channels.\(channel.name).\(key)", message: problem))
                    }
                    secrets[key] = secret
                case .failure(let message):
                    problems.append(FieldProblem(line: channel.line, field: "channels.\(channel.name).\(key)", message: message.message))
                }
            }
            guard let adapter = PlatformAdapters.adapter(for: channel.platform) else { continue }
            channels[channel.name] = ResolvedChannel(config: channel, secrets: secrets, adapter: adapter)
        }
        if !problems.isEmpty { return .failure(ConfigLoadFailure(path: path, problems: problems)) }
        return .success(Loaded(runtime: RuntimeConfig(config: config, channels: channels, path: path), warnings: parsed.warnings))
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
            let reason = error == .missing ? "no such file" : error.description
            return .failure(SecretProblem("\(reference): cannot read \(path): \(reason)"))
        }
    }

    /// Platform-specific shape checks, so a malformed secret is caught by `crier check`, not at send.
    static func formatProblem(platform: Platform, key: String, secret: Secret) -> String? {
        if platform == .webhook, key == "secret", WebhookSignature.key(fromSecret: secret.value) == nil {
            return "the signing secret must be 'whsec_' followed by base64 (Standard Webhooks)"
        }
        return nil
    }
}

/// Why a secret reference cannot be resolved; names the reference, never a value.
public struct SecretProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
