@testable import CrierCore
import CrierTestSupport
import Foundation
import Testing

@Suite struct MultipartFormDataTests {
    @Test func encodesPartsAServerCanReadBack() throws {
        var form = MultipartFormData(boundary: "b-1")
        form.addFile("file", fileName: "ä \"x\".png", contentType: "image/png", data: Data([0, 1, 2, 13, 10]))
        form.addField("description", "Alt\r\ntext ✓")
        let body = try #require(form.encoded())
        #expect(String(decoding: body, as: UTF8.self).hasPrefix(
            "--b-1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ä %22x%22.png\"\r\nContent-Type: image/png\r\n\r\n"))
        #expect(String(decoding: body, as: UTF8.self).hasSuffix("\r\n--b-1--\r\n"))
        let parts = try #require(MultipartFormParser.parse(body, contentType: form.contentType))
        #expect(parts.map(\.name) == ["file", "description"])
        #expect(parts[0].data == Data([0, 1, 2, 13, 10]))
        #expect(String(decoding: parts[1].data, as: UTF8.self) == "Alt\r\ntext ✓")
    }

    @Test func refusesABoundaryThatOccursInAPart() {
        var form = MultipartFormData(boundary: "xyz")
        form.addField("f", "a--xyz b")
        #expect(form.encoded() == nil)
    }
}
