import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// `crier preview` on a small fixed queue, against golden output: the plan (slots, quiet hours,
/// hourly budget, a too-long variant) and both renderings.
@Suite(.serialized) struct PreviewGoldenTests {
    func fixedQueue() -> TemporaryDirectory {
        let directory = TemporaryDirectory(prefix: "crier-golden")
        directory.write("""
            timezone: Europe/Berlin
            defaults: { stagger: 2m }
            channels:
              ops:
                platform: webhook
                url: http://127.0.0.1:9/ops
                limits: { per_hour: 2, quiet: "22:00-07:00" }
              digest:
                platform: webhook
                url: http://127.0.0.1:9/digest
                limit: 60
                long: reject
                slots: ["mon-fri 09:00", "sat 11:00"]
            """, to: "crier.yml")
        directory.write("---\nchannels: [ops, digest]\n---\nWe shipped v2 today.\n", to: "queue/a-launch.md")
        directory.write("---\nchannels: [ops]\nat: 2026-11-22 23:30\n---\nLate night maintenance note.\n", to: "queue/b-late.md")
        directory.write("---\nchannels: [ops]\n---\nThird post, waits for the hourly budget.\n", to: "queue/c-third.md")
        directory.write("---\nchannels: [digest]\n---\nThis one is far too long for the sixty character limit of the digest channel.\n", to: "queue/d-long.md")
        return directory
    }

    func preview(_ extra: [String]) throws -> (status: Int32, output: String, error: String) {
        let directory = fixedQueue()
        let process = CrierProcess(["preview", "--now", "2026-11-22T08:00:00Z"] + extra, directory: directory.path)
        try process.start()
        let output = process.readOutput()
        process.waitForExit(timeout: 60)
        return (process.exitStatus ?? -1, output, process.standardError)
    }

    @Test func humanTimeline() throws {
        let result = try preview([])
        #expect(result.status == 1, "a post with an error makes the exit status 1")
        #expect(result.output == Self.human, "\(result.output)\n\(result.error)")
    }

    @Test func json() throws {
        let result = try preview(["--json"])
        #expect(result.status == 1)
        #expect(result.output == Self.json, "\(result.output)\n\(result.error)")
    }

    static let human = #"""
Times in Europe/Berlin, now 2026-11-22 09:00.

Sunday 22 November 2026 (today)

  09:00  ops (webhook) · a-launch · queue/a-launch.md
    We shipped v2 today.
    length 20

  09:00  ops (webhook) · c-third · queue/c-third.md
    Third post, waits for the hourly budget.
    length 40

Monday 23 November 2026 (tomorrow)

  07:00  ops (webhook) · b-late · queue/b-late.md
    Late night maintenance note.
    length 28
    ! quiet hours

  09:00  digest (webhook) · a-launch · queue/a-launch.md
    We shipped v2 today.
    length 20/60

Not scheduled

  digest (webhook) · d-long · queue/d-long.md
    This one is far too long for the sixty character limit of the digest channel.
    length 77/60, 17 over
    ✗ too long for digest (webhook): 77/60 (long: reject) — shorten the post or add a `variants: digest:` text

4 posts, 5 deliveries, 1 warning, 1 error

"""#

    static let json = #"""
{
  "posts" : [
    {
      "deliveries" : [
        {
          "at" : "2026-11-22T08:00:00Z",
          "channel" : "ops",
          "parts" : [
            {
              "length" : 20,
              "limit" : null,
              "text" : "We shipped v2 today."
            }
          ],
          "platform" : "webhook",
          "warnings" : [

          ]
        },
        {
          "at" : "2026-11-23T08:00:00Z",
          "channel" : "digest",
          "parts" : [
            {
              "length" : 20,
              "limit" : 60,
              "text" : "We shipped v2 today."
            }
          ],
          "platform" : "webhook",
          "warnings" : [

          ]
        }
      ],
      "errors" : [

      ],
      "file" : "queue/a-launch.md",
      "id" : "a-launch"
    },
    {
      "deliveries" : [
        {
          "at" : "2026-11-23T06:00:00Z",
          "channel" : "ops",
          "parts" : [
            {
              "length" : 28,
              "limit" : null,
              "text" : "Late night maintenance note."
            }
          ],
          "platform" : "webhook",
          "warnings" : [
            "quiet hours"
          ]
        }
      ],
      "errors" : [

      ],
      "file" : "queue/b-late.md",
      "id" : "b-late"
    },
    {
      "deliveries" : [
        {
          "at" : "2026-11-22T08:00:00Z",
          "channel" : "ops",
          "parts" : [
            {
              "length" : 40,
              "limit" : null,
              "text" : "Third post, waits for the hourly budget."
            }
          ],
          "platform" : "webhook",
          "warnings" : [

          ]
        }
      ],
      "errors" : [

      ],
      "file" : "queue/c-third.md",
      "id" : "c-third"
    },
    {
      "deliveries" : [
        {
          "at" : null,
          "channel" : "digest",
          "errors" : [
            "too long for digest (webhook): 77/60 (long: reject) — shorten the post or add a `variants: digest:` text"
          ],
          "parts" : [
            {
              "length" : 77,
              "limit" : 60,
              "text" : "This one is far too long for the sixty character limit of the digest channel."
            }
          ],
          "platform" : "webhook",
          "warnings" : [

          ]
        }
      ],
      "errors" : [

      ],
      "file" : "queue/d-long.md",
      "id" : "d-long"
    }
  ]
}

"""#
}
