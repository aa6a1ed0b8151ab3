/// An aspect ratio as platforms write it (`4:5`, `1.91:1`, `16:9`): width over height.
public struct ImageRatio: Sendable, Equatable, CustomStringConvertible {
    public var width: Double
    public var height: Double

    public init(_ width: Double, _ height: Double) {
        self.width = width
        self.height = height
    }

    /// Width divided by height.
    public var value: Double { width / height }

    /// `4:5`, `1.91:1`, `1:3`.
    public var description: String { "\(Self.number(width)):\(Self.number(height))" }

    /// The ratio of a `width` × `height` image, in the smallest whole numbers when they are small
    /// (`6000×4000` → `3:2`, `1000×3000` → `1:3`), else to two decimals against 1 (`1.78:1`).
    public static func of(width: Int, height: Int) -> ImageRatio {
        var (a, b) = (width, height)
        while b != 0 { (a, b) = (b, a % b) }
        let divisor = max(a, 1)
        let (w, h) = (width / divisor, height / divisor)
        if w <= 32 && h <= 32 { return ImageRatio(Double(w), Double(h)) }
        let value = Double(width) / Double(max(height, 1))
        return value >= 1 ? ImageRatio((value * 100).rounded() / 100, 1) : ImageRatio(1, (100 / value).rounded() / 100)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
