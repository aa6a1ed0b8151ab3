@testable import CrierCore
import Foundation
import Testing

@Suite struct MediaSnifferTests {
    static func be32(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
    static func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
    static func le24(_ value: Int) -> [UInt8] { [0, 8, 16].map { UInt8((value >> $0) & 0xFF) } }
    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func png(width: Int, height: Int) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + ascii("IHDR") + be32(width) + be32(height)
            + [8, 6, 0, 0, 0] + [0, 0, 0, 0]
    }

    /// SOI, an APP0 (JFIF) and an APP1 segment to skip, a DHT (C4, not a frame), then SOF2.
    static func jpeg(width: Int, height: Int) -> [UInt8] {
        let app0: [UInt8] = [0xFF, 0xE0, 0x00, 0x10] + ascii("JFIF") + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        let app1: [UInt8] = [0xFF, 0xE1, 0x00, 0x08] + ascii("Exif") + [0, 0]
        let dht: [UInt8] = [0xFF, 0xC4, 0x00, 0x05, 0x00, 0x01, 0x02]
        let sof: [UInt8] = [0xFF, 0xFF, 0xC2, 0x00, 0x11, 0x08] + [UInt8(height >> 8), UInt8(height & 0xFF)]
            + [UInt8(width >> 8), UInt8(width & 0xFF)] + [0x03] + Array(repeating: 0, count: 9)
        return [0xFF, 0xD8] + app0 + app1 + dht + sof + [0xFF, 0xDA, 0x00, 0x02]
    }

    static func riff(_ chunk: String, _ payload: [UInt8]) -> [UInt8] {
        ascii("RIFF") + [0x40, 0, 0, 0] + ascii("WEBP") + ascii(chunk) + [UInt8(payload.count), 0, 0, 0] + payload
    }

    @Test func png() {
        #expect(MediaSniffer.sniff(Self.png(width: 1200, height: 675)) == .init(mimeType: "image/png", width: 1200, height: 675))
        // A truncated file still has a type, just no size.
        #expect(MediaSniffer.sniff(Array(Self.png(width: 1, height: 1).prefix(10))) == .init(mimeType: "image/png"))
    }

    @Test func jpegWalksSegmentsToTheFrameHeader() {
        #expect(MediaSniffer.sniff(Self.jpeg(width: 4032, height: 3024)) == .init(mimeType: "image/jpeg", width: 4032, height: 3024))
        // Baseline SOF0 straight after SOI.
        let baseline: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20] + Array(repeating: 0, count: 10)
        #expect(MediaSniffer.sniff(baseline) == .init(mimeType: "image/jpeg", width: 32, height: 16))
        // Start of scan before any frame header, or a segment running off the end: type only.
        #expect(MediaSniffer.sniff([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02]) == .init(mimeType: "image/jpeg"))
        #expect(MediaSniffer.sniff([0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x00]) == .init(mimeType: "image/jpeg"))
    }

    @Test func gif() {
        let gif89 = Self.ascii("GIF89a") + Self.le16(500) + Self.le16(281) + [0xF7, 0, 0]
        #expect(MediaSniffer.sniff(gif89) == .init(mimeType: "image/gif", width: 500, height: 281))
        let gif87 = Self.ascii("GIF87a") + Self.le16(1) + Self.le16(2)
        #expect(MediaSniffer.sniff(gif87) == .init(mimeType: "image/gif", width: 1, height: 2))
    }

    @Test func webpInItsThreeFlavours() {
        let lossy = Self.riff("VP8 ", [0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A] + Self.le16(640) + Self.le16(480 | 0x4000))
        #expect(MediaSniffer.sniff(lossy) == .init(mimeType: "image/webp", width: 640, height: 480), "scale bits are masked off")
        // 14 bits of width-1, then 14 bits of height-1, little-endian.
        let bits = (800 - 1) | ((600 - 1) << 14)
        let lossless = Self.riff("VP8L", [0x2F] + [0, 8, 16, 24].map { UInt8((bits >> $0) & 0xFF) })
        #expect(MediaSniffer.sniff(lossless) == .init(mimeType: "image/webp", width: 800, height: 600))
        let extended = Self.riff("VP8X", [0x10, 0, 0, 0] + Self.le24(1920 - 1) + Self.le24(1080 - 1))
        #expect(MediaSniffer.sniff(extended) == .init(mimeType: "image/webp", width: 1920, height: 1080))
    }

    @Test func videosByContainer() {
        func ftyp(_ brand: String) -> [UInt8] { [0, 0, 0, 0x18] + Self.ascii("ftyp") + Self.ascii(brand) + [0, 0, 2, 0] + Self.ascii("isommp41") }
        #expect(MediaSniffer.sniff(ftyp("isom")).mimeType == "video/mp4")
        #expect(MediaSniffer.sniff(ftyp("mp42")).mimeType == "video/mp4")
        #expect(MediaSniffer.sniff(ftyp("qt  ")).mimeType == "video/quicktime")
        #expect(MediaSniffer.sniff(ftyp("heic")).mimeType == "image/heic")
        #expect(MediaSniffer.sniff(ftyp("avif")).mimeType == "image/avif")
        #expect(MediaSniffer.sniff(ftyp("M4A ")).mimeType == "audio/mp4")
        let ebml: [UInt8] = [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84]
        #expect(MediaSniffer.sniff(ebml + Self.ascii("webm") + [0x42, 0x87, 0x81, 0x04]).mimeType == "video/webm")
        #expect(MediaSniffer.sniff(ebml + Self.ascii("matroska")).mimeType == "video/x-matroska")
    }

    @Test func anythingElseIsUnknown() {
        #expect(MediaSniffer.sniff([]).mimeType == MediaSniffer.unknownType)
        #expect(MediaSniffer.sniff(Self.ascii("%PDF-1.7\n")).mimeType == MediaSniffer.unknownType)
        #expect(MediaSniffer.sniff(Self.ascii("RIFF\0\0\0\0WAVEfmt ")).mimeType == MediaSniffer.unknownType)
        #expect(MediaSniffer.sniff(Data(Self.png(width: 3, height: 4))) == .init(mimeType: "image/png", width: 3, height: 4))
    }
}
