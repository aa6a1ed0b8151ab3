import Foundation

/// Builds the HTTP requests of Mastodon's client API that crier uses (docs.joinmastodon.org/methods):
/// `POST /api/v2/media`, `GET /api/v1/media/:id`, `POST /api/v1/statuses`,
/// `GET /api/v1/accounts/verify_credentials` and `GET /api/v2/instance`. Pure: no I/O.
public struct MastodonRequests: Sendable {
    /// The instance root, without a trailing `/` (`https://fosstodon.org`).
    public var base: String
    public var token: String?
    public var label: String

    public init(instance url: String, token: String?, label: String) {
        var base = Substring(url)
        while base.hasSuffix("/") { base = base.dropLast() }
        self.base = String(base)
        self.token = token
        self.label = label
    }

    private var authorization: [HTTPHeader] {
        token.map { [HTTPHeader("Authorization", "Bearer \($0)")] } ?? []
    }

    /// `POST /api/v2/media`: the file and its alt text (`description`), multipart. The boundary is
    /// derived from `boundarySeed`, so the same upload is the same bytes on every try.
    public func uploadMedia(file: String, mimeType: String, data: Data, description: String?, boundarySeed: String) -> OutgoingRequest? {
        let name = (file as NSString).lastPathComponent
        for salt in 0..<4 {
            var form = MultipartFormData(boundary: "crier-\(boundarySeed)-\(salt)")
            form.addFile("file", fileName: name.isEmpty ? "media" : name, contentType: mimeType, data: data)
            if let description { form.addField("description", description) }
            guard let body = form.encoded() else { continue }
            return OutgoingRequest(method: "POST", url: "\(base)/api/v2/media",
                                   headers: authorization + [HTTPHeader("Content-Type", form.contentType)], body: body, label: label)
        }
        return nil
    }

    /// `GET /api/v1/media/:id`: 206 while processing, 200 when ready, 422 when processing failed.
    public func mediaStatus(id: String) -> OutgoingRequest {
        OutgoingRequest(method: "GET", url: "\(base)/api/v1/media/\(Self.pathSegment(id))", headers: authorization, label: label)
    }

    /// `POST /api/v1/statuses` as JSON, with `Idempotency-Key`: the server answers a repeated key
    /// (within its window, an hour) with the status the first request created.
    public func createStatus(_ status: MastodonStatusDraft, idempotencyKey: String) -> OutgoingRequest {
        OutgoingRequest(method: "POST", url: "\(base)/api/v1/statuses",
                        headers: authorization + [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Idempotency-Key", idempotencyKey)],
                        body: status.json(), label: label)
    }

    /// `GET /api/v1/accounts/verify_credentials`: who the token belongs to.
    public func verifyCredentials() -> OutgoingRequest {
        OutgoingRequest(method: "GET", url: "\(base)/api/v1/accounts/verify_credentials", headers: authorization, label: label)
    }

    /// `GET /api/v2/instance`: the instance's configuration (limits). Needs no token.
    public func instance() -> OutgoingRequest {
        OutgoingRequest(method: "GET", url: "\(base)/api/v2/instance", label: label)
    }

    /// An id as one path segment: only the characters ids are made of pass; anything else is
    /// percent-encoded so an odd answer cannot change the path.
    static func pathSegment(_ id: String) -> String {
        var out = ""
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
