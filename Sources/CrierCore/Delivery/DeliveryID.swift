/// Delivery ids: `d_` and 24 base32 characters (120 random bits). Created once per delivery,
/// journaled before the first attempt, and sent as the idempotency key on every attempt.
public enum DeliveryID {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "d"), UInt8(ascii: "_")]
        bytes.reserveCapacity(26)
        var bits = generator.next() as UInt64
        var high = generator.next() as UInt64
        for index in 0..<24 {
            if index == 12 { bits = high; high = 0 }
            bytes.append(alphabet[Int(bits & 31)])
            bits >>= 5
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }
}
