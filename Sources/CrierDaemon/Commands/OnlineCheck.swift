import CrierCore
import Foundation

/// `crier check --online`: each channel's adapter makes its cheap, read-only authenticated calls
/// (`PlatformAdapter.nextProbeStep`) and says "ok as …" or what is wrong. Never posts. A session the
/// probe obtains (a login) is stored in the journal, as the daemon would, so a check does not cost
/// the daemon a login later.
public enum OnlineCheck {
    /// One channel's verdict.
    public struct Report: Sendable, Equatable {
        public var channel: String
        public var ok: Bool
        public var message: String
    }

    /// Probes every channel of `runtime`, in config order. `journal` gives the stored sessions and
    /// keeps renewed ones (nil: none stored yet, and nothing is kept).
    public static func run(_ runtime: RuntimeConfig, transport: any Transport, journal: (any Journal)?,
                           timeout: TimeInterval = 30) -> [Report] {
        let stored = (try? journal?.sessions()) ?? [:]
        return runtime.config.channels.compactMap { channel in
            guard let resolved = runtime.channels[channel.name] else { return nil }
            var context = ProbeContext(channel: resolved.config, secrets: resolved.secrets, session: stored[channel.name] ?? .none)
            return probe(channel.name, adapter: resolved.adapter, context: &context, transport: transport, journal: journal,
                         timeout: timeout)
        }
    }

    private static func probe(_ name: String, adapter: any PlatformAdapter, context: inout ProbeContext, transport: any Transport,
                              journal: (any Journal)?, timeout: TimeInterval) -> Report {
        var values: [String: String] = [:]
        for _ in 0..<16 {
            let step: StepRequest
            switch adapter.nextProbeStep(for: context, values: values) {
            case .ok(let message): return Report(channel: name, ok: true, message: message)
            case .problem(let message): return Report(channel: name, ok: false, message: message)
            case .request(let request): step = request
            }
            let response: TransportResponse
            switch transport.sendAndWait(step.request, timeout: timeout) {
            case .failure(let error):
                return Report(channel: name, ok: false, message: "\(step.name): could not reach \(host(of: step.request.url)): \(error.description)")
            case .success(let answer):
                response = answer
            }
            switch adapter.readProbe(response, to: step, for: context, values: values) {
            case .advanced(let more):
                values.merge(more) { $1 }
            case .renewed(var session):
                session.generation = context.session.generation + 1
                session.needsRenewal = false
                context.session = session
                try? journal?.commitNow([.storeSession(channel: name, session)])
            case .ok(let message):
                return Report(channel: name, ok: true, message: message)
            case .problem(let message):
                return Report(channel: name, ok: false, message: message)
            }
        }
        return Report(channel: name, ok: false, message: "the online check did not finish after 16 requests (a bug in crier: please report it)")
    }

    /// Scheme and host only: a probe URL may carry a token in its path (Telegram).
    private static func host(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "the platform" }
        return "\(components.scheme ?? "https")://\(host)\(components.port.map { ":\($0)" } ?? "")"
    }
}
