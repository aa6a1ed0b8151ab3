/// How a post lets crier crop one image to a ratio a platform displays well (`crop:` or `focus:` on a
/// `media:` entry). Without it crier never crops: an image whose ratio a platform refuses is an error.
public enum ImageCrop: Sendable, Equatable, Codable {
    /// The middle of the image is kept.
    case center
    /// The top of the image is kept (screenshots, portraits with the face at the top), centred across.
    case top
    /// The window is centred on this point, given as fractions of the width and height (0…1, from
    /// the top left of the image as it is displayed, after its EXIF orientation), and moved inwards
    /// where it would leave the image.
    case focus(x: Double, y: Double)

    /// For the cache key and the preview: `center`, `top`, `focus-0.3-0.4`.
    public var label: String {
        switch self {
        case .center: return "center"
        case .top: return "top"
        case .focus(let x, let y): return "focus-\(x)-\(y)"
        }
    }
}
