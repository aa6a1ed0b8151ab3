/// What the receiving platform calls the thing crier created: its id and, when known, its URL.
public struct RemoteReference: Sendable, Equatable, Codable {
    public var id: String?
    public var url: String?

    public init(id: String?, url: String?) {
        self.id = id
        self.url = url
    }
}
