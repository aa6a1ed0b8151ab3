import Foundation

/// Takes a fuzzer's bytes apart: small numbers from the front, then the rest as bytes or text.
public struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = ArraySlice(UnsafeBufferPointer(start: data, count: size))
    }

    public var isEmpty: Bool { bytes.isEmpty }

    /// The next byte, or 0 when there is none.
    public mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// The next two bytes, big-endian.
    public mutating func uint16() -> UInt16 {
        UInt16(byte()) << 8 | UInt16(byte())
    }

    /// Everything left, as bytes.
    public mutating func rest() -> Data {
        defer { bytes = [] }
        return Data(bytes)
    }

    /// Everything left, as text (invalid UTF-8 becomes U+FFFD, as a transport's body would).
    public mutating func restText() -> String {
        String(decoding: rest(), as: UTF8.self)
    }
}

/// Every input as one `Data`, for the parsers that take whole files.
public func data(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> Data {
    Data(bytes: bytes, count: size)
}
