import CrierCore

extension Transport {
    /// Sends `request` and waits for its result.
    func result(of request: OutgoingRequest) async -> TransportResult {
        await withCheckedContinuation { continuation in
            send(request) { continuation.resume(returning: $0) }
        }
    }
}

extension TransportResult {
    var response: TransportResponse? {
        if case .success(let response) = self { return response }
        return nil
    }

    var errorKind: TransportError.Kind? {
        if case .failure(let error) = self { return error.kind }
        return nil
    }
}
