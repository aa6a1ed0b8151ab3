import CVips
import CrierCore
import Foundation

/// Carries out an `ImagePlan` with libvips: decodes the source shrinking on load (`vips_thumbnail_buffer`,
/// which also applies the EXIF orientation), cuts the kept part, then encodes it in the plan's
/// formats and quality steps until one is within the byte limit, each time without metadata
/// (`strip`). When even the last step is too large, the image is made smaller (80 % each round,
/// down to a quarter of the planned size) and encoded again.
public enum ImageDeriver {
    /// Successive scales of the planned size when no quality step is small enough.
    static let scales = [1.0, 0.8, 0.64, 0.5, 0.4, 0.32, 0.25]

    public static func derive(_ source: Data, plan: ImagePlan) throws(MediaError) -> DerivedImage {
        guard Vips.started else { throw MediaError(file: plan.file, message: "libvips could not be started: \(Vips.lastError())") }
        var smallest: Int?
        for scale in scales {
            let width = max(1, Int((Double(plan.width) * scale).rounded()))
            let height = max(1, Int((Double(plan.height) * scale).rounded()))
            let image = try prepare(source, plan: plan, width: width, height: height)
            defer { cvips_unref(image) }
            for format in plan.formats {
                for quality in format == .png ? [0] : plan.qualities {
                    let data = try encode(image, format: format, quality: quality, file: plan.file)
                    smallest = min(smallest ?? data.count, data.count)
                    if plan.maxBytes.map({ data.count <= $0 }) ?? true {
                        return DerivedImage(data: data, format: format, width: Int(vips_image_get_width(image)),
                                            height: Int(vips_image_get_height(image)))
                    }
                }
            }
        }
        throw MediaError(file: plan.file, message: "\(plan.file) could not be made smaller than \(smallest ?? 0) bytes "
                         + "for \(plan.platform.rawValue), which takes at most \(plan.maxBytes ?? 0): use a simpler image")
    }

    /// The kept part at `width` × `height`, in memory (so each encoding reads it again cheaply).
    static func prepare(_ source: Data, plan: ImagePlan, width: Int, height: Int) throws(MediaError) -> UnsafeMutablePointer<VipsImage> {
        // The whole image, orientation applied, at the scale the kept part needs: exactly the output
        // size when nothing is cut.
        var boxWidth = width
        var boxHeight = height
        if let crop = plan.crop {
            let scale = min(Double(width) / Double(crop.width), Double(height) / Double(crop.height))
            boxWidth = max(width, Int((Double(plan.sourceWidth) * scale).rounded()))
            boxHeight = max(height, Int((Double(plan.sourceHeight) * scale).rounded()))
        }
        var thumbnail: UnsafeMutablePointer<VipsImage>?
        let status = source.withUnsafeBytes { buffer in
            cvips_thumbnail_buffer(UnsafeMutableRawPointer(mutating: buffer.baseAddress), buffer.count, &thumbnail,
                                   Int32(boxWidth), Int32(boxHeight))
        }
        guard status == 0, var image = thumbnail else { throw failure(plan.file, "cannot be decoded") }
        if let crop = plan.crop {
            let actualWidth = Int(vips_image_get_width(image))
            let actualHeight = Int(vips_image_get_height(image))
            let left = Int((Double(crop.x) * Double(actualWidth) / Double(plan.sourceWidth)).rounded())
            let top = Int((Double(crop.y) * Double(actualHeight) / Double(plan.sourceHeight)).rounded())
            let cutWidth = min(width, actualWidth)
            let cutHeight = min(height, actualHeight)
            var cut: UnsafeMutablePointer<VipsImage>?
            let result = cvips_extract_area(image, &cut, Int32(min(max(0, left), actualWidth - cutWidth)),
                                            Int32(min(max(0, top), actualHeight - cutHeight)), Int32(cutWidth), Int32(cutHeight))
            cvips_unref(image)
            guard result == 0, let cut else { throw failure(plan.file, "cannot be cropped") }
            image = cut
        }
        let memory = vips_image_copy_memory(image)
        cvips_unref(image)
        guard let memory else { throw failure(plan.file, "cannot be decoded") }
        return memory
    }

    static func encode(_ image: UnsafeMutablePointer<VipsImage>, format: ImagePlan.Format, quality: Int,
                       file: String) throws(MediaError) -> Data {
        var input = image
        var flattened: UnsafeMutablePointer<VipsImage>?
        if format == .jpeg, vips_image_hasalpha(image) != 0 {
            guard cvips_flatten_white(image, &flattened) == 0, let flattened else { throw failure(file, "cannot be flattened for JPEG") }
            input = flattened
        }
        defer { if let flattened { cvips_unref(flattened) } }
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        let status: Int32
        switch format {
        case .jpeg: status = cvips_jpegsave_buffer(input, &buffer, &length, Int32(quality))
        case .webp: status = cvips_webpsave_buffer(input, &buffer, &length, Int32(quality))
        case .png: status = cvips_pngsave_buffer(input, &buffer, &length)
        }
        guard status == 0, let buffer else { throw failure(file, "cannot be encoded as \(format.rawValue.uppercased())") }
        defer { g_free(buffer) }
        return Data(bytes: buffer, count: length)
    }

    static func failure(_ file: String, _ what: String) -> MediaError {
        MediaError(file: file, message: "\(file) \(what) (\(Vips.lastError())): check that it is a whole, valid image")
    }
}
