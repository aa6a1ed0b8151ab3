/// Why a body is not well-formed multipart.
public struct MultipartProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
