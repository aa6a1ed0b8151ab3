import ArgumentParser
import CrierCore
import CrierDaemon
import Foundation

/// `--config` and `--queue`, accepted by every command (SPEC.md).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $CRIER_CONFIG, else ./crier.yml if it exists, else /etc/crier/crier.yml).")
    var config: String?

    @Option(name: .long, help: "Queue directory (overrides the config's `queue`; default ./queue).")
    var queue: String?

    /// The config path per SPEC.md's search order.
    var configPath: String {
        if let config { return config }
        if let fromEnvironment = ProcessInfo.processInfo.environment["CRIER_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        if FileManager.default.fileExists(atPath: "crier.yml") { return "crier.yml" }
        return "/etc/crier/crier.yml"
    }

    /// Loads the config with secrets resolved, or fails with every problem listed.
    func loadConfig() throws -> RuntimeConfig {
        switch ConfigLoader().load(path: configPath) {
        case .success(let loaded): return loaded.runtime
        case .failure(let failure): throw UserFacingFailure("the config has problems:\n\(failure)")
        }
    }

    /// The config without resolving secrets (commands that only need the queue and time zone), or nil
    /// when there is no readable, valid config.
    func configWithoutSecrets() -> CrierConfig? {
        guard let data = FileManager.default.contents(atPath: configPath),
              let text = String(data: data, encoding: .utf8) else { return nil }
        return ConfigParser.parse(text).config
    }

    /// `--queue`, else the config's `queue`, else `./queue`.
    func layout(config: CrierConfig?) -> QueueLayout {
        QueueLayout(root: queue ?? config?.queue ?? "queue")
    }
}
