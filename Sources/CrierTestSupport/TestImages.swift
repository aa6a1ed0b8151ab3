import CVips
import CrierCore
import Foundation

/// Real images for the media tests and the bench, made with libvips: noise (so they compress like
/// photos), JPEG with a hand-written EXIF block (orientation and GPS position), PNG.
public enum TestImages {
    /// A JPEG `width` × `height` of noise, no metadata.
    public static func jpeg(width: Int, height: Int, sigma: Double = 24, quality: Int = 92) -> Data {
        encode(width: width, height: height, sigma: sigma) { image, buffer, length in
            cvips_jpegsave_buffer(image, buffer, length, Int32(quality))
        }
    }

    /// A WebP `width` × `height` of noise.
    public static func webp(width: Int, height: Int, sigma: Double = 24, quality: Int = 90) -> Data {
        encode(width: width, height: height, sigma: sigma) { image, buffer, length in
            cvips_webpsave_buffer(image, buffer, length, Int32(quality))
        }
    }

    /// A PNG `width` × `height` of noise.
    public static func png(width: Int, height: Int, sigma: Double = 60) -> Data {
        encode(width: width, height: height, sigma: sigma) { image, buffer, length in
            cvips_pngsave_buffer(image, buffer, length)
        }
    }

    /// `jpeg` with an EXIF APP1 segment right after SOI: IFD0 with Orientation = `orientation` and a
    /// GPS IFD (52° 31' N, 13° 24' E) — the location a derived image must never carry.
    public static func withEXIF(_ jpeg: Data, orientation: Int) -> Data {
        var tiff: [UInt8] = Array("MM".utf8) + [0x00, 0x2A] + be32(8)
        // IFD0 at 8: two entries (Orientation, GPS IFD pointer), then no next IFD.
        let gpsOffset = 8 + 2 + 2 * 12 + 4
        tiff += be16(2)
        tiff += be16(0x0112) + be16(3) + be32(1) + be16(UInt16(orientation)) + [0, 0]
        tiff += be16(0x8825) + be16(4) + be32(1) + be32(UInt32(gpsOffset))
        tiff += be32(0)
        // GPS IFD: LatitudeRef "N", Latitude 52/1 31/1 0/1, LongitudeRef "E", Longitude 13/1 24/1 0/1.
        let dataOffset = gpsOffset + 2 + 4 * 12 + 4
        tiff += be16(4)
        tiff += be16(0x0001) + be16(2) + be32(2) + Array("N".utf8) + [0, 0, 0]
        tiff += be16(0x0002) + be16(5) + be32(3) + be32(UInt32(dataOffset))
        tiff += be16(0x0003) + be16(2) + be32(2) + Array("E".utf8) + [0, 0, 0]
        tiff += be16(0x0004) + be16(5) + be32(3) + be32(UInt32(dataOffset + 24))
        tiff += be32(0)
        for value: UInt32 in [52, 1, 31, 1, 0, 1, 13, 1, 24, 1, 0, 1] { tiff += be32(value) }
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let segment: [UInt8] = [0xFF, 0xE1] + be16(UInt16(payload.count + 2)) + payload
        var bytes = [UInt8](jpeg)
        bytes.insert(contentsOf: segment, at: 2)
        return Data(bytes)
    }

    /// Whether `data` holds an EXIF block (`Exif\0\0`) or a TIFF structure like the one `withEXIF` writes.
    public static func hasEXIF(_ data: Data) -> Bool {
        data.range(of: Data(Array("Exif".utf8) + [0, 0])) != nil || data.range(of: Data(Array("MM".utf8) + [0x00, 0x2A])) != nil
    }

    static func encode(width: Int, height: Int, sigma: Double,
                       _ save: (UnsafeMutablePointer<VipsImage>, UnsafeMutablePointer<UnsafeMutableRawPointer?>,
                                UnsafeMutablePointer<Int>) -> Int32) -> Data {
        precondition(cvips_init("crier-tests") == 0, "libvips did not start")
        guard let image = cvips_noise_image(Int32(width), Int32(height), sigma) else { fatalError("vips: noise image") }
        defer { cvips_unref(image) }
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        guard save(image, &buffer, &length) == 0, let buffer else { fatalError("vips: cannot encode the test image") }
        defer { g_free(buffer) }
        return Data(bytes: buffer, count: length)
    }

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func be32(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> UInt32($0)) & 0xFF) } }
}
