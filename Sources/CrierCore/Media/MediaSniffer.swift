import Foundation

/// What a media file is, read from its first bytes rather than its name: the MIME type from the magic
/// numbers (PNG, JPEG, GIF, WebP; MP4, MOV, WebM and other ISO-BMFF/Matroska files) and, for images,
/// the pixel size from the header (PNG IHDR, JPEG SOFn, GIF screen descriptor, WebP VP8/VP8L/VP8X).
/// Pure: the daemon reads the bytes (`QueueMediaSource`).
public enum MediaSniffer {
    /// The type of bytes that match nothing known.
    public static let unknownType = "application/octet-stream"
    /// How many leading bytes `sniff` needs: a JPEG's size can follow large Exif/ICC segments; when it
    /// lies beyond this, the type is still known and the size is not.
    public static let headerLength = 128 * 1024

    /// The type and, where the header says, the pixel size.
    public struct Result: Sendable, Equatable {
        public var mimeType: String
        public var width: Int?
        public var height: Int?
        /// A JPEG's EXIF orientation (1–8; 1 is upright), when its header has one.
        public var orientation: Int?

        public init(mimeType: String, width: Int? = nil, height: Int? = nil, orientation: Int? = nil) {
            self.mimeType = mimeType
            self.width = width
            self.height = height
            self.orientation = orientation
        }
    }

    public static func sniff(_ data: Data) -> Result {
        sniff([UInt8](data.prefix(headerLength)))
    }

    /// `header`: the file's first bytes (all of them for small files, else `headerLength`).
    public static func sniff(_ header: [UInt8]) -> Result {
        let b = Bytes(header)
        if b.matches([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return png(b) }
        if b.matches([0xFF, 0xD8, 0xFF]) { return jpeg(b) }
        if b.matches(Array("GIF87a".utf8)) || b.matches(Array("GIF89a".utf8)) {
            return Result(mimeType: "image/gif", width: b.uint16LE(6), height: b.uint16LE(8))
        }
        if b.matches(Array("RIFF".utf8)), b.matches(Array("WEBP".utf8), at: 8) { return webp(b) }
        if b.matches(Array("ftyp".utf8), at: 4) { return isoMedia(b) }
        if b.matches([0x1A, 0x45, 0xDF, 0xA3]) { return matroska(b) }
        return Result(mimeType: unknownType)
    }

    /// The IHDR chunk comes first: length, "IHDR", width and height as big-endian 32-bit numbers.
    static func png(_ b: Bytes) -> Result {
        guard b.matches(Array("IHDR".utf8), at: 12) else { return Result(mimeType: "image/png") }
        return Result(mimeType: "image/png", width: b.uint32BE(16), height: b.uint32BE(20))
    }

    /// Walks the marker segments to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC), whose
    /// payload is precision, height, width.
    static func jpeg(_ b: Bytes) -> Result {
        var at = 2
        var orientation: Int?
        while at + 3 < b.count {
            guard b[at] == 0xFF else { break }
            let marker = b[at + 1]
            if marker == 0xFF { at += 1; continue }                               // fill byte
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { at += 2; continue }  // no length
            if marker == 0xD9 || marker == 0xDA { break }                         // end of image, start of scan
            guard let length = b.uint16BE(at + 2), length >= 2 else { break }
            if marker == 0xE1, orientation == nil, b.matches(Array("Exif".utf8) + [0, 0], at: at + 4) {
                orientation = exifOrientation(b, tiff: at + 10, end: at + 2 + length)
            }
            if (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
                return Result(mimeType: "image/jpeg", width: b.uint16BE(at + 7), height: b.uint16BE(at + 5),
                              orientation: orientation)
            }
            at += 2 + length
        }
        return Result(mimeType: "image/jpeg", orientation: orientation)
    }

    /// Tag 0x0112 (Orientation) of IFD0 in the TIFF structure at `tiff` (`II` or `MM` byte order).
    static func exifOrientation(_ b: Bytes, tiff: Int, end: Int) -> Int? {
        let bigEndian: Bool
        if b.matches(Array("MM".utf8), at: tiff) { bigEndian = true } else if b.matches(Array("II".utf8), at: tiff) {
            bigEndian = false
        } else {
            return nil
        }
        guard let ifd = b.uint(tiff + 4, count: 4, bigEndian: bigEndian),
              let count = b.uint(tiff + ifd, count: 2, bigEndian: bigEndian) else { return nil }
        for index in 0..<min(count, 256) {
            let entry = tiff + ifd + 2 + index * 12
            guard entry + 12 <= end, let tag = b.uint(entry, count: 2, bigEndian: bigEndian) else { return nil }
            if tag == 0x0112, let value = b.uint(entry + 8, count: 2, bigEndian: bigEndian), (1...8).contains(value) {
                return value
            }
        }
        return nil
    }

    /// RIFF container; the first chunk says which bitstream: lossy `VP8 `, lossless `VP8L`, or the
    /// extended `VP8X` with the canvas size.
    static func webp(_ b: Bytes) -> Result {
        let type = "image/webp"
        if b.matches(Array("VP8 ".utf8), at: 12) {
            // Frame tag (3 bytes), start code 9D 01 2A, then 14-bit width and height.
            guard b.matches([0x9D, 0x01, 0x2A], at: 23), let w = b.uint16LE(26), let h = b.uint16LE(28) else {
                return Result(mimeType: type)
            }
            return Result(mimeType: type, width: w & 0x3FFF, height: h & 0x3FFF)
        }
        if b.matches(Array("VP8L".utf8), at: 12) {
            // Signature 0x2F, then width-1 and height-1 in 14 bits each, little-endian.
            guard b.count > 24, b[20] == 0x2F, let bits = b.uint32LE(21) else { return Result(mimeType: type) }
            return Result(mimeType: type, width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
        }
        if b.matches(Array("VP8X".utf8), at: 12) {
            // Flags (4 bytes), then canvas width-1 and height-1 in 24 bits each, little-endian.
            guard let w = b.uint24LE(24), let h = b.uint24LE(27) else { return Result(mimeType: type) }
            return Result(mimeType: type, width: w + 1, height: h + 1)
        }
        return Result(mimeType: type)
    }

    /// ISO base media files (`ftyp` box): the major brand tells QuickTime, HEIF and AVIF images and
    /// M4A audio from MP4 video.
    static func isoMedia(_ b: Bytes) -> Result {
        let brand = b.ascii(8, count: 4) ?? ""
        switch brand {
        case "qt  ": return Result(mimeType: "video/quicktime")
        case "avif", "avis": return Result(mimeType: "image/avif")
        case "heic", "heix", "heim", "heis": return Result(mimeType: "image/heic")
        case "mif1", "msf1": return Result(mimeType: "image/heif")
        case "M4A ", "M4B ": return Result(mimeType: "audio/mp4")
        default: return Result(mimeType: "video/mp4")
        }
    }

    /// EBML header: its DocType says `webm` or `matroska`.
    static func matroska(_ b: Bytes) -> Result {
        let head = Array(b.bytes.prefix(64))
        let webm = Array("webm".utf8)
        let isWebM = head.count >= 4 && (0...(head.count - 4)).contains { Array(head[$0..<$0 + 4]) == webm }
        return Result(mimeType: isWebM ? "video/webm" : "video/x-matroska")
    }

    /// Bounds-checked reads of the header: a short or truncated file gives nil, never a trap.
    struct Bytes {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var count: Int { bytes.count }
        subscript(index: Int) -> UInt8 { bytes[index] }

        func matches(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            guard offset >= 0, offset + prefix.count <= bytes.count else { return false }
            for (index, byte) in prefix.enumerated() where bytes[offset + index] != byte { return false }
            return true
        }

        func uint(_ offset: Int, count: Int, bigEndian: Bool) -> Int? {
            guard offset >= 0, offset + count <= bytes.count else { return nil }
            var value = 0
            for index in 0..<count {
                let byte = Int(bytes[offset + (bigEndian ? index : count - 1 - index)])
                value = value << 8 | byte
            }
            return value
        }

        func uint16BE(_ offset: Int) -> Int? { uint(offset, count: 2, bigEndian: true) }
        func uint32BE(_ offset: Int) -> Int? { uint(offset, count: 4, bigEndian: true) }
        func uint16LE(_ offset: Int) -> Int? { uint(offset, count: 2, bigEndian: false) }
        func uint24LE(_ offset: Int) -> Int? { uint(offset, count: 3, bigEndian: false) }
        func uint32LE(_ offset: Int) -> Int? { uint(offset, count: 4, bigEndian: false) }

        func ascii(_ offset: Int, count: Int) -> String? {
            guard offset >= 0, offset + count <= bytes.count else { return nil }
            return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
        }
    }
}
