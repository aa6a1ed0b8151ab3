import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// The engine hands an adapter the image made for its platform: derived when the post is dropped
/// (before its time comes), uploaded from the cache — the bytes `media.bytes(of:)` gives are the
/// derived image, not the file.
@Suite struct DerivedMediaDeliveryTests {
    /// One step: uploads the first media item's bytes as they come from the `MediaSource`.
    struct UploadingAdapter: PlatformAdapter {
        func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                  progress: DeliveryProgress) -> StepAnswer {
            (200..<300).contains(response.status) ? .sent(RemoteReference(id: "1", url: nil)) : .standard
        }

        func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource, now: Date) -> AdapterStep {
            guard let item = context.media.first else { return .fail("no media") }
            do throws(MediaError) {
                let body = try media.bytes(of: item)
                let url = "\(context.channel.url)/upload?type=\(item.mimeType)&w=\(item.width ?? 0)&h=\(item.height ?? 0)"
                return .request(StepRequest(name: "upload", request: OutgoingRequest(url: url, body: body, label: context.deliveryID),
                                            repeatSafe: true))
            } catch {
                return .fail(error.message)
            }
        }
    }

    @Test func theAdapterUploadsTheImageMadeAtIntake() throws {
        let transport = RecordingTransport(keepsRequests: true)
        let harness = try EngineHarness(configText: webhookConfig(channels: ["sky"]), transport: transport,
                                        routing: { $0.routing("sky", as: .bluesky, through: UploadingAdapter()) }, derivesMedia: true)
        let photo = TestImages.withEXIF(TestImages.jpeg(width: 3000, height: 2000, sigma: 8), orientation: 6)
        _ = FileManager.default.createFile(atPath: harness.directory.write("", to: "queue/media/photo.jpg"), contents: photo)
        let due = harness.clock.now().addingTimeInterval(3_600)
        harness.drop("launch.md", "---\nat: \(PreviewJSON.timestamp(due))\nchannels: [sky]\nmedia:\n  - file: media/photo.jpg\n"
                     + "    alt: A photo\n---\nHello.\n")
        harness.settle()
        let cacheDirectory = harness.layout.state + "/media"
        let cached = try FileManager.default.contentsOfDirectory(atPath: cacheDirectory)
        #expect(cached.count == 1, "derived when the post was dropped, an hour before its time")
        #expect(transport.requests.isEmpty)

        harness.fireTimer()
        harness.settle()
        let upload = try #require(transport.requests.first)
        #expect(upload.body == FileManager.default.contents(atPath: cacheDirectory + "/" + cached[0]), "the cached image is uploaded")
        #expect(upload.url.hasSuffix("/upload?type=image/jpeg&w=1333&h=2000"), "turned upright and scaled to 2000: \(upload.url)")
        #expect(MediaSniffer.sniff(upload.body) == MediaSniffer.Result(mimeType: "image/jpeg", width: 1333, height: 2000))
        #expect(!TestImages.hasEXIF(upload.body), "no EXIF, no GPS")
        #expect(upload.body != photo)
    }
}
