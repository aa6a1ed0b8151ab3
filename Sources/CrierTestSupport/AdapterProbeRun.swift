import CrierCore
import Foundation

/// Drives an adapter's online check (`nextProbeStep`/`readProbe`) against a (fake) server, the way
/// `crier check --online` does: until the adapter gives its verdict.
public struct AdapterProbeRun: Sendable {
    public enum Verdict: Sendable, Equatable {
        case ok(String)
        case problem(String)
        case transportError(TransportError)
    }

    public var verdict: Verdict
    public var steps: [StepRequest]
    public var session: ChannelSession

    public static func check(_ adapter: any PlatformAdapter, context start: ProbeContext, transport: any Transport,
                             maxSteps: Int = 10) -> AdapterProbeRun {
        var context = start
        var values: [String: String] = [:]
        var steps: [StepRequest] = []
        for _ in 0..<maxSteps {
            switch adapter.nextProbeStep(for: context, values: values) {
            case .ok(let words): return AdapterProbeRun(verdict: .ok(words), steps: steps, session: context.session)
            case .problem(let words): return AdapterProbeRun(verdict: .problem(words), steps: steps, session: context.session)
            case .request(let step):
                steps.append(step)
                switch AdapterRun.send(step.request, transport: transport) {
                case .failure(let error): return AdapterProbeRun(verdict: .transportError(error), steps: steps, session: context.session)
                case .success(let response):
                    switch adapter.readProbe(response, to: step, for: context, values: values) {
                    case .advanced(let more): values.merge(more) { $1 }
                    case .renewed(let session): context.session = session
                    case .ok(let words): return AdapterProbeRun(verdict: .ok(words), steps: steps, session: context.session)
                    case .problem(let words): return AdapterProbeRun(verdict: .problem(words), steps: steps, session: context.session)
                    }
                }
            }
        }
        return AdapterProbeRun(verdict: .problem("more than \(maxSteps) probe steps"), steps: steps, session: context.session)
    }
}
