import ArgumentParser
import CrierCore
import CrierDaemon
import Foundation

/// `--config` and `--queue`, accepted by every command.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $CRIER_CONFIG, else ./crier.yml if it exists, else /etc/crier/crier.yml).")
    var config: String?

    @Option(name: .long, help: "Queue directory (overrides the config's `queue:`, which is relative to the config file's directory; default ./queue).")
    var queue: String?

    /// The config path: `--config`, else `$CRIER_CONFIG`, else `./crier.yml` if it exists, else `/etc/crier/crier.yml`.
    var configPath: String {
        if let config { return config }
        if let fromEnvironment = ProcessInfo.processInfo.environment["CRIER_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        if FileManager.default.fileExists(atPath: "crier.yml") { return "crier.yml" }
        return "/etc/crier/crier.yml"
    }

    /// The config without resolving secrets, or a failure listing every problem of the file (commands
    /// that check posts against the channels: `preview`, `enqueue`).
    /// Its warnings (a channel whose secrets are not given yet, an inline secret) go to standard
    /// error, so a preview's JSON stays clean.
    func requireConfigWithoutSecrets() throws -> CrierConfig {
        switch ConfigLoader().loadWithoutSecrets(path: configPath) {
        case .success(let loaded):
            for line in CheckCommand.lines(problems: [], warnings: loaded.warnings, path: configPath) {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            return loaded.config
        case .failure(let failure): throw UserFacingFailure("the config has problems:\n\(failure)")
        }
    }

    /// The config without resolving secrets (commands that only need the queue and time zone), or nil
    /// when there is no readable, valid config.
    func configWithoutSecrets() -> CrierConfig? {
        guard case .success(let loaded) = ConfigLoader().loadWithoutSecrets(path: configPath) else { return nil }
        return loaded.config
    }

    /// ` --config PATH` and ` --queue DIR` as given on this command line (quoted for a shell), for
    /// the commands crier prints to be pasted.
    var explicitOptions: String {
        func quoted(_ text: String) -> String {
            let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@%,=".contains($0) }
            return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        return (config.map { " --config " + quoted($0) } ?? "") + (queue.map { " --queue " + quoted($0) } ?? "")
    }

    /// `--queue` (relative to the working directory), else the config's `queue` (made absolute
    /// against the config file's directory by `ConfigLoader`), else `./queue`.
    /// With `store: postgres`, the layout carries the database and its password (resolved here).
    func layout(config: CrierConfig?) -> QueueLayout {
        let store = config?.store ?? StoreSettings()
        var password: String?
        if store.kind == .postgres, let reference = store.password, case .success(let secret) = ConfigLoader().resolve(reference) {
            password = secret.value
        }
        return QueueLayout(root: queue ?? config?.queue ?? "queue", store: store, storePassword: password)
    }
}
