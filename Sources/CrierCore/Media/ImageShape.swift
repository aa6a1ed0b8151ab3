/// The shape of images a platform takes or displays well, beside its `MediaLimits`: the aspect ratios
/// it accepts (outside them its API refuses the image), the ratio `crop:` cuts to, and the largest
/// width and height it keeps (larger images are scaled down by the platform anyway, so crier sends
/// no more pixels than it keeps). Used by `ImagePlanner`.
public struct ImageShape: Sendable, Equatable {
    /// The narrowest and the widest ratio the platform accepts; nil: any.
    public var accepted: ClosedRange<Double>?
    /// The same bounds as written in the platform's documentation, for messages (`4:5`, `1.91:1`).
    public var acceptedNames: (narrowest: ImageRatio, widest: ImageRatio)?
    /// The ratio `crop:` cuts to; nil: only into the accepted range (the nearest bound).
    public var cropRatio: ImageRatio?
    public var maxWidth: Int?
    public var maxHeight: Int?

    public init(accepted: (narrowest: ImageRatio, widest: ImageRatio)? = nil, cropRatio: ImageRatio? = nil,
                maxWidth: Int? = nil, maxHeight: Int? = nil) {
        self.accepted = accepted.map { $0.narrowest.value...$0.widest.value }
        self.acceptedNames = accepted
        self.cropRatio = cropRatio
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
    }

    public static func == (lhs: ImageShape, rhs: ImageShape) -> Bool {
        lhs.accepted == rhs.accepted && lhs.cropRatio == rhs.cropRatio && lhs.maxWidth == rhs.maxWidth
            && lhs.maxHeight == rhs.maxHeight
    }
}
