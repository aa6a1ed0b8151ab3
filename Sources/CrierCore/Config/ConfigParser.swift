import Foundation

/// Parses and validates `crier.yml`, collecting every problem (for `crier check`) rather than
/// stopping at the first. Pure: the caller reads the file and resolves secrets.
public enum ConfigParser {
    public struct Result: Sendable {
        /// Present only when there are no problems.
        public var config: CrierConfig?
        /// Every problem, sorted by line (`FieldProblem.sortedByLine`).
        public var problems: [FieldProblem]
        /// Things that work but deserve attention (inline secrets, readable secret files),
        /// sorted by line.
        public var warnings: [FieldProblem]
        /// The config as far as it could be read, problems or not (a channel whose platform is
        /// missing or unknown is left out), so the loader can check every channel's secrets in the
        /// same run that reports the other problems.
        public var draft: CrierConfig
        /// The problems (also in `problems`) that are only secrets not given yet (`reportMissingKeys`):
        /// when they are the only problems, `draft` is complete enough to preview.
        public var credentialGaps: [FieldProblem] = []

        /// The config for a command that never reads secrets (the preview): present when the only
        /// problems are credential gaps.
        public var configWithoutCredentials: CrierConfig? {
            config ?? (problems.count == credentialGaps.count ? draft : nil)
        }
    }

    static let topLevelKeys = ["queue", "timezone", "alerts", "defaults", "delivery", "retry", "channels", "approvers", "store"]
    static let channelKeys = ["platform", "url", "retry", "limit", "long", "require_alt", "number_threads", "limits", "slots",
                              "timezone", "duplicates", "breaker", "approval"]

    public static func parse(_ text: String) -> Result {
        let root: FieldNode
        do {
            root = try FieldNode.parseYAML(text)
        } catch {
            return Result(config: nil, problems: [FieldProblem(line: error.line, field: "", message: error.message)], warnings: [],
                          draft: CrierConfig())
        }
        var reader = FieldReader()
        var warnings: [FieldProblem] = []
        var credentialGaps: [FieldProblem] = []
        var config = CrierConfig()
        _ = reader.entries(root, "", known: topLevelKeys)

        config.queue = reader.nonEmptyString(root["queue"], "queue")
        if let zone = reader.nonEmptyString(root["timezone"], "timezone") {
            if let timeZone = TimeZone(identifier: zone) {
                config.timeZone = timeZone
            } else {
                reader.report(root["timezone"], "timezone", "'\(zone)' is not a time zone; use an IANA name like Europe/Berlin or UTC")
            }
        }
        config.alerts = reader.nonEmptyString(root["alerts"], "alerts")
        let globalRetry = readRetry(root["retry"], "retry", base: RetryPolicy(), &reader)
        if let node = root["defaults"] { config.defaults = readDefaults(node, &reader) }
        if let node = root["delivery"] { config.delivery = readDelivery(node, &reader) }
        if let node = root["store"] { config.store = readStore(node, &reader, &warnings) }
        if let node = root["approvers"] {
            _ = reader.entries(node, "approvers", known: ["group", "self_approval"])
            if let group = reader.nonEmptyString(node["group"], "approvers.group") {
                config.approvers = Approvers(group: group, selfApproval: reader.bool(node["self_approval"], "approvers.self_approval") ?? false)
            } else if node["group"] == nil {
                reader.report(node, "approvers", "needs `group:` (the Unix group whose members may approve posts)")
            }
        }

        if let node = root["channels"] {
            let entries = reader.entries(node, "channels", known: keys(of: node))
            for entry in entries {
                if let channel = readChannel(entry, globalRetry: globalRetry, &reader, &warnings, &credentialGaps) {
                    config.channels.append(channel)
                }
            }
        } else {
            reader.report(line: nil, "channels", "no channels are configured; add at least one under `channels:`")
        }

        if config.approvers == nil, root["approvers"] == nil {
            if config.defaults.approvalRequired {
                reader.report(root["defaults"]?["approval"], "defaults.approval",
                              "approval is required but nobody may approve; add `approvers: { group: crier-approvers }`")
            }
            for channel in config.channels where channel.approval == .required {
                reader.report(line: channel.keyLines["approval"], "channels.\(channel.name).approval",
                              "approval is required but nobody may approve; add `approvers: { group: crier-approvers }`")
            }
        }
        if let alerts = config.alerts, config.channel(named: alerts) == nil {
            reader.report(root["alerts"], "alerts", "names channel '\(alerts)', which is not configured")
        }
        if case .named(let names) = config.defaults.channels {
            for name in names where config.channel(named: name) == nil {
                reader.report(root["defaults"]?["channels"], "defaults.channels", "names channel '\(name)', which is not configured")
            }
        }
        let problems = reader.problems + credentialGaps
        return Result(config: problems.isEmpty ? config : nil, problems: problems.sortedByLine(), warnings: warnings.sortedByLine(),
                      draft: config, credentialGaps: credentialGaps.sortedByLine())
    }

    private static func keys(of node: FieldNode) -> [String] {
        guard case .map(let entries, _) = node else { return [] }
        return entries.map(\.key)
    }

    private static func readDefaults(_ node: FieldNode, _ reader: inout FieldReader) -> PostDefaults {
        _ = reader.entries(node, "defaults", known: ["expire", "long", "channels", "stagger", "approval"])
        var defaults = PostDefaults()
        defaults.approvalRequired = reader.enumValue(node["approval"], "defaults.approval", as: ApprovalRequirement.self) == .required
        defaults.expire = reader.duration(node["expire"], "defaults.expire")
        defaults.long = reader.enumValue(node["long"], "defaults.long", as: LongPolicy.self) ?? .thread
        defaults.stagger = reader.duration(node["stagger"], "defaults.stagger") ?? 0
        if let channels = node["channels"] {
            if case .scalar(let value, _) = channels, value.lowercased() == "all" {
                defaults.channels = .all
            } else if let names = reader.stringList(channels, "defaults.channels") {
                defaults.channels = .named(names)
            }
        }
        return defaults
    }

    private static func readStore(_ node: FieldNode, _ reader: inout FieldReader, _ warnings: inout [FieldProblem]) -> StoreSettings {
        _ = reader.entries(node, "store", known: ["kind", "url", "password", "node", "lease"])
        var store = StoreSettings()
        store.line = node.line
        if let kind = reader.nonEmptyString(node["kind"], "store.kind") {
            if let known = StoreSettings.Kind(rawValue: kind) {
                store.kind = known
            } else {
                reader.report(node["kind"], "store.kind", "'\(kind)' is not a store; use sqlite (the default) or postgres")
            }
        }
        store.url = reader.nonEmptyString(node["url"], "store.url")
        if let password = reader.nonEmptyString(node["password"], "store.password") {
            store.password = SecretReference(password)
            store.passwordLine = node["password"]?.line
            if case .inline = store.password {
                warnings.append(FieldProblem(line: node["password"]?.line, field: "store.password",
                                             message: "the password is written into crier.yml; prefer env:NAME, file:/path or credential:NAME"))
            }
        }
        store.node = reader.nonEmptyString(node["node"], "store.node")
        if let lease = reader.duration(node["lease"], "store.lease") {
            if lease < 2 || lease > 300 {
                reader.report(node["lease"], "store.lease", "must be between 2s and 5m (a dead node's work waits this long before another takes it)")
            } else {
                store.lease = lease
            }
        }
        switch store.kind {
        case .sqlite:
            if store.url != nil || store.password != nil || store.node != nil {
                reader.report(node, "store", "url, password and node are for `kind: postgres`; set `kind: postgres` or remove them")
            }
        case .postgres:
            if store.url == nil {
                reader.report(node, "store", "`kind: postgres` needs `url:` (e.g. postgres://crier@127.0.0.1:5432/crier; the password goes in `password:`)")
            } else if let url = store.url, url.range(of: #"://[^/@:]+:[^@/]*@"#, options: .regularExpression) != nil {
                reader.report(node["url"], "store.url", "the URL carries a password; move it to `password: env:NAME` (or file:/credential:) and leave it out of the URL")
            }
        }
        return store
    }

    private static func readDelivery(_ node: FieldNode, _ reader: inout FieldReader) -> DeliverySettings {
        _ = reader.entries(node, "delivery", known: ["max_in_flight", "connect_timeout", "timeout", "rescan", "drain_timeout", "settle_time"])
        var settings = DeliverySettings()
        settings.maxInFlight = reader.int(node["max_in_flight"], "delivery.max_in_flight", range: 1...1000) ?? settings.maxInFlight
        settings.connectTimeout = positive(reader.duration(node["connect_timeout"], "delivery.connect_timeout"), node["connect_timeout"], "delivery.connect_timeout", &reader) ?? settings.connectTimeout
        settings.timeout = positive(reader.duration(node["timeout"], "delivery.timeout"), node["timeout"], "delivery.timeout", &reader) ?? settings.timeout
        settings.rescanInterval = positive(reader.duration(node["rescan"], "delivery.rescan"), node["rescan"], "delivery.rescan", &reader) ?? settings.rescanInterval
        settings.drainTimeout = reader.duration(node["drain_timeout"], "delivery.drain_timeout") ?? settings.drainTimeout
        settings.settleTime = reader.duration(node["settle_time"], "delivery.settle_time") ?? settings.settleTime
        return settings
    }

    private static func positive(_ value: TimeInterval?, _ node: FieldNode?, _ field: String, _ reader: inout FieldReader) -> TimeInterval? {
        guard let value else { return nil }
        if value <= 0 {
            reader.report(node, field, "must be more than zero")
            return nil
        }
        return value
    }

    static func readRetry(_ node: FieldNode?, _ field: String, base: RetryPolicy, _ reader: inout FieldReader) -> RetryPolicy {
        guard let node else { return base }
        _ = reader.entries(node, field, known: ["max_attempts", "base", "max_delay", "max_retry_after"])
        var policy = base
        policy.maxAttempts = reader.int(node["max_attempts"], "\(field).max_attempts", range: 1...100) ?? base.maxAttempts
        policy.baseDelay = reader.duration(node["base"], "\(field).base") ?? base.baseDelay
        policy.maxDelay = reader.duration(node["max_delay"], "\(field).max_delay") ?? base.maxDelay
        policy.maxRetryAfter = reader.duration(node["max_retry_after"], "\(field).max_retry_after") ?? base.maxRetryAfter
        if policy.maxDelay < policy.baseDelay {
            reader.report(node, field, "max_delay (\(DurationParser.format(policy.maxDelay))) is shorter than base (\(DurationParser.format(policy.baseDelay)))")
        }
        return policy
    }

    /// `limits:` over the platform's defaults (`ChannelLimits.merging`): a configured key wins, an
    /// unconfigured one keeps the platform's published budget.
    static func readLimits(_ node: FieldNode, _ field: String, over base: ChannelLimits, _ reader: inout FieldReader) -> ChannelLimits {
        _ = reader.entries(node, field, known: ["per_minute", "per_hour", "per_day", "min_gap", "jitter", "quiet", "max_in_flight"])
        var quiet: QuietHours?
        if let text = reader.nonEmptyString(node["quiet"], "\(field).quiet") {
            quiet = QuietHours.parse(text)
            if quiet == nil { reader.report(node["quiet"], "\(field).quiet", "'\(text)' is not a time range; write it like \"23:00-07:00\"") }
        }
        let overrides = ChannelLimitOverrides(
            perMinute: reader.int(node["per_minute"], "\(field).per_minute", range: 1...1_000_000),
            perHour: reader.int(node["per_hour"], "\(field).per_hour", range: 1...1_000_000),
            perDay: reader.int(node["per_day"], "\(field).per_day", range: 1...1_000_000),
            minGap: reader.duration(node["min_gap"], "\(field).min_gap"),
            jitter: reader.duration(node["jitter"], "\(field).jitter"),
            quiet: quiet,
            maxInFlight: reader.int(node["max_in_flight"], "\(field).max_in_flight", range: 1...1000))
        return base.merging(overrides)
    }

    /// A channel must complete one of its platform's `requiredKeys` groups: with one group, each
    /// missing key is named; with alternatives, the message lists them.
    ///
    /// A channel that lacks only secrets (credentials not set up yet) is a credential gap rather
    /// than a problem of the file: `check` and `run` refuse it, and the preview, which never reads
    /// secrets, plans it with a warning.
    static func reportMissingKeys(_ descriptor: PlatformDescriptor, given: Set<String>, line: Int, _ field: String,
                                  _ reader: inout FieldReader, credentialGaps: inout [FieldProblem]) {
        let groups = descriptor.requiredKeys
        let name = descriptor.platform.rawValue
        // Alternatives are modes (a webhook, or a bot token): keys that only one alternative takes
        // must not be mixed, or crier would have to guess which one is meant.
        let modes = groups.enumerated().map { index, group in
            group.filter { key in groups.indices.allSatisfy { $0 == index || !groups[$0].contains(key) } && given.contains(key) }
        }.filter { !$0.isEmpty }
        if modes.count > 1 {
            let named = modes.map { $0.map { "`\($0)`" }.joined(separator: " and ") }
            reader.report(line: line, field, "\(name) takes \(named.joined(separator: " or ")), not both: they are two ways to connect; keep one")
            return
        }
        guard !groups.isEmpty, !groups.contains(where: { $0.allSatisfy(given.contains) }) else { return }
        let onlySecretsMissing = descriptor.missingSecrets(given: given) != nil
        var found = FieldReader()
        if groups.count == 1 {
            for key in groups[0] where !given.contains(key) {
                found.report(line: line, "\(field).\(key)", "is required for \(name)")
            }
        } else {
            let alternatives = groups.map { group -> String in
                let keys = group.map { "`\($0)`" }
                return keys.count == 1 ? keys[0] : keys.dropLast().joined(separator: ", ") + " and " + keys[keys.count - 1]
            }
            found.report(line: line, field, "\(name) needs " + alternatives.joined(separator: ", or "))
        }
        if onlySecretsMissing {
            credentialGaps += found.problems
        } else {
            for problem in found.problems { reader.report(line: problem.line, problem.field, problem.message) }
        }
    }

    private static func readChannel(_ entry: FieldEntry, globalRetry: RetryPolicy, _ reader: inout FieldReader,
                                    _ warnings: inout [FieldProblem], _ credentialGaps: inout [FieldProblem]) -> ChannelConfig? {
        let name = entry.key
        let field = "channels.\(name)"
        let node = entry.value
        if let problem = ChannelName.problem(name) {
            reader.report(line: entry.line, field, problem)
        }
        guard case .map = node else {
            reader.report(node, field, "expected the channel's settings (`platform:`, `url:`, ...), got \(node.kindName)")
            return nil
        }
        guard let platformNode = node["platform"] else {
            reader.report(line: entry.line, field, "needs `platform:` (one of \(Platform.allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        guard let platform = reader.enumValue(platformNode, "\(field).platform", as: Platform.self) else { return nil }
        let descriptor = PlatformDescriptor.of(platform)
        _ = reader.entries(node, field, known: channelKeys + descriptor.secretKeys + descriptor.settingKeys)

        let url = reader.nonEmptyString(node["url"], "\(field).url") ?? (node["url"] == nil ? descriptor.defaultURL : nil)
        if node["url"] == nil, descriptor.defaultURL == nil {
            reader.report(line: entry.line, field, "needs `url:` (the endpoint or API root)")
        } else if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            reader.report(node["url"], "\(field).url", "'\(url)' must start with https:// (or http:// for a local receiver)")
        }

        var secrets: [String: SecretReference] = [:]
        for key in descriptor.secretKeys {
            guard let text = reader.nonEmptyString(node[key], "\(field).\(key)") else { continue }
            let reference = SecretReference(text)
            if case .inline = reference {
                warnings.append(FieldProblem(line: node[key]?.line, field: "\(field).\(key)",
                                             message: "the secret is written into crier.yml; prefer env:NAME, file:/path or credential:NAME"))
            }
            secrets[key] = reference
        }
        var settings: [String: String] = [:]
        for key in descriptor.settingKeys {
            if let value = reader.nonEmptyString(node[key], "\(field).\(key)") { settings[key] = value }
        }
        reportMissingKeys(descriptor, given: Set(secrets.keys).union(settings.keys), line: entry.line, field, &reader,
                          credentialGaps: &credentialGaps)

        let retry = readRetry(node["retry"], "\(field).retry", base: globalRetry, &reader)
        let limit = reader.int(node["limit"], "\(field).limit", range: 1...1_000_000)
        let long = reader.enumValue(node["long"], "\(field).long", as: LongPolicy.self)
        let requireAlt = reader.bool(node["require_alt"], "\(field).require_alt") ?? true
        let numberThreads = reader.bool(node["number_threads"], "\(field).number_threads") ?? true
        var channel = ChannelConfig(name: name, platform: platform, url: url ?? "", secrets: secrets, settings: settings,
                                    retry: retry, lengthLimit: limit, long: long, requireAlt: requireAlt,
                                    numberThreadParts: numberThreads, line: entry.line)
        if case .map(let keys, _) = node {
            for key in keys { channel.keyLines[key.key] = key.line }
        }
        if let zone = reader.nonEmptyString(node["timezone"], "\(field).timezone") {
            channel.timeZone = TimeZone(identifier: zone)
            if channel.timeZone == nil {
                reader.report(node["timezone"], "\(field).timezone", "'\(zone)' is not a time zone; use an IANA name like Europe/Berlin")
            }
        }
        if let limits = node["limits"] { channel.limits = readLimits(limits, "\(field).limits", over: channel.limits, &reader) }
        if let slots = node["slots"], let entries = reader.stringList(slots, "\(field).slots") {
            switch WeeklySlots.parse(entries) {
            case .success(let parsed): channel.slots = parsed
            case .failure(let error): reader.report(slots, "\(field).slots", "\(error)")
            }
        }
        if let duplicates = node["duplicates"] {
            _ = reader.entries(duplicates, "\(field).duplicates", known: ["policy", "window", "threshold"])
            channel.duplicates.policy = reader.enumValue(duplicates["policy"], "\(field).duplicates.policy", as: DuplicatePolicy.self) ?? channel.duplicates.policy
            channel.duplicates.window = reader.duration(duplicates["window"], "\(field).duplicates.window") ?? channel.duplicates.window
            if let text = reader.string(duplicates["threshold"], "\(field).duplicates.threshold") {
                if let value = Double(text), (0...1).contains(value) {
                    channel.duplicates.threshold = value
                } else {
                    reader.report(duplicates["threshold"], "\(field).duplicates.threshold", "expected a number from 0 to 1, got '\(text)'")
                }
            }
        }
        channel.breakerThreshold = reader.int(node["breaker"], "\(field).breaker", range: 0...1000) ?? channel.breakerThreshold
        channel.approval = reader.enumValue(node["approval"], "\(field).approval", as: ApprovalRequirement.self)
        return channel
    }
}
