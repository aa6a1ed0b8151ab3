import Foundation

/// The first request of one part, as the preview shows it (`crier preview --requests`): the step,
/// method, URL, headers and body the adapter builds — with `<redacted>` where a secret goes, since
/// the preview never reads secrets, and `(session)` where a login's token would go.
public struct PreviewRequest: Sendable, Equatable {
    public var step: String
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    /// The body as text, or `<N bytes, TYPE>` when it is not text (an image upload).
    public var body: String

    public init(step: String, method: String, url: String, headers: [HTTPHeader], body: String) {
        self.step = step
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The preview's view of `step`'s request, with `redactor` applied to URL, headers and body and
    /// credentials in `Authorization` headers hidden whatever they are.
    public init(_ step: StepRequest, redactor: SecretRedactor) {
        let request = step.request
        self.step = step.name
        method = request.method
        url = redactor.redact(request.url)
        headers = request.headers.map { header in
            if header.name.lowercased() == "authorization" {
                let scheme = header.value.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
                return HTTPHeader(header.name, header.value.contains(" ") ? "\(scheme) <redacted>" : "<redacted>")
            }
            return HTTPHeader(header.name, redactor.redact(header.value))
        }
        body = Self.describe(request.body, contentType: request.headers.first { $0.name.lowercased() == "content-type" }?.value, redactor: redactor)
    }

    static func describe(_ body: Data, contentType: String?, redactor: SecretRedactor) -> String {
        guard !body.isEmpty else { return "" }
        // memchr, not `Data.contains`, which goes through `Data.Iterator` a byte at a time.
        let hasNUL = body.withUnsafeBytes { bytes in bytes.baseAddress.map { memchr($0, 0, bytes.count) != nil } ?? false }
        if !hasNUL, let text = String(data: body, encoding: .utf8) { return redactor.redact(text) }
        return "<\(body.count) bytes\(contentType.map { ", \($0)" } ?? "")>"
    }
}
