import Foundation
import Testing
@testable import CrierCore

struct PreviewReportTests {
    static let clean = PreviewDelivery(channel: "x", platform: .x, at: PreviewFixture.now,
                                       parts: [PreviewPart(text: "hi", length: 2, limit: 280)],
                                       warnings: ["truncated"])

    @Test func hasErrorsFromFileOrDeliveryErrorsOnly() {
        #expect(PreviewFixture.report.hasErrors)
        #expect(!PreviewReport().hasErrors)
        // Warnings, unscheduled deliveries and over-limit parts alone are not errors.
        var paused = Self.clean
        paused.at = nil
        paused.warnings = ["channel paused: incident 42"]
        paused.parts = [PreviewPart(text: "long", length: 300, limit: 280)]
        #expect(!PreviewReport(posts: [PreviewPost(id: "a", file: "a.md", deliveries: [Self.clean, paused])]).hasErrors)

        var rejected = Self.clean
        rejected.errors = ["too long"]
        #expect(PreviewReport(posts: [PreviewPost(id: "a", file: "a.md", deliveries: [Self.clean]),
                                      PreviewPost(id: "b", file: "b.md", deliveries: [rejected])]).hasErrors)
        #expect(PreviewReport(posts: [PreviewPost(id: "a", file: "a.md", errors: ["not UTF-8"])]).hasErrors)
    }

    @Test func counts() {
        let report = PreviewFixture.report
        #expect(report.deliveryCount == 6)
        #expect(report.warningCount == 4)
        #expect(report.errorCount == 2)
    }

    @Test func overLimit() {
        #expect(PreviewPart(text: "", length: 281, limit: 280).isOverLimit)
        #expect(!PreviewPart(text: "", length: 280, limit: 280).isOverLimit)
        #expect(!PreviewPart(text: "", length: 10_000, limit: nil).isOverLimit)
    }
}
