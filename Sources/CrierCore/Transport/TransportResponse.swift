import Foundation

/// What came back from the receiver: any HTTP status (2xx or not) is a response, not an error.
public struct TransportResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: Data

    public init(status: Int, headers: [HTTPHeader] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
