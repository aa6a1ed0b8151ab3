import CrierCore
import CrierCurl
import Foundation

/// Drives one platform adapter's step machine against a (fake) server through the real libcurl
/// transport, without the engine: next step, send, read, until the adapter answers something other
/// than `advanced`. For adapter tests that check requests the way the platform's server does.
public struct AdapterRun: Sendable {
    /// How the run ended.
    public enum End: Sendable, Equatable {
        case sent(RemoteReference?)
        /// `nextStep` refused (`AdapterStep.fail`).
        case refused(String)
        case failed(String)
        case retry(String, after: TimeInterval?)
        /// The adapter left it to the generic HTTP rules; the status.
        case standard(Int)
        case transportError(TransportError)
        /// `nextStep` said done.
        case done(RemoteReference?)
        case sessionExpired(String)
    }

    public var end: End
    /// Every step sent, in order.
    public var steps: [StepRequest]
    /// The progress after the last answered step.
    public var progress: DeliveryProgress
    /// The channel's session after the run (as the engine would have stored it).
    public var session: ChannelSession = .none

    public static func deliver(_ adapter: any PlatformAdapter, context: DeliveryContext, progress start: DeliveryProgress = .start,
                               media: any MediaSource = InMemoryMediaSource(), transport: any Transport,
                               maxSteps: Int = 10) -> AdapterRun {
        var progress = start
        var context = context
        var steps: [StepRequest] = []
        for _ in 0..<maxSteps {
            switch adapter.nextStep(for: context, progress: progress, media: media, now: Date()) {
            case .fail(let reason): return AdapterRun(end: .refused(reason), steps: steps, progress: progress, session: context.session)
            case .done(let remote): return AdapterRun(end: .done(remote), steps: steps, progress: progress, session: context.session)
            case .request(let step):
                steps.append(step)
                let result = send(step.request, transport: transport)
                switch result {
                case .failure(let error): return AdapterRun(end: .transportError(error), steps: steps, progress: progress, session: context.session)
                case .success(let response):
                    switch adapter.read(response, to: step, for: context, progress: progress) {
                    case .advanced(let next): progress = next
                    case .sent(let remote): return AdapterRun(end: .sent(remote), steps: steps, progress: progress, session: context.session)
                    case .failed(let reason): return AdapterRun(end: .failed(reason), steps: steps, progress: progress, session: context.session)
                    case .retry(let reason, let after): return AdapterRun(end: .retry(reason, after: after), steps: steps, progress: progress, session: context.session)
                    case .standard: return AdapterRun(end: .standard(response.status), steps: steps, progress: progress, session: context.session)
                    case .renewed(let session): context.session = session
                    case .sessionExpired(let reason):
                        return AdapterRun(end: .sessionExpired(reason), steps: steps, progress: progress, session: context.session)
                    }
                }
            }
        }
        return AdapterRun(end: .refused("more than \(maxSteps) steps"), steps: steps, progress: progress, session: context.session)
    }

    /// A libcurl transport for these runs (shut it down after the test).
    public static func transport() -> any Transport { CurlTransport() }

    /// One request through `transport`, waited for.
    public static func send(_ request: OutgoingRequest, transport: any Transport) -> TransportResult {
        let box = Recorded<TransportResult>()
        let done = DispatchSemaphore(value: 0)
        transport.send(request) { result in
            box.append(result)
            done.signal()
        }
        done.wait()
        return box.all[0]
    }
}
