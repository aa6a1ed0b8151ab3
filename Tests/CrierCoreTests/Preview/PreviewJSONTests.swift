import Foundation
import Testing
@testable import CrierCore

struct PreviewJSONTests {
    static let golden = #"""
        {
          "posts" : [
            {
              "deliveries" : [
                {
                  "at" : "2026-11-22T08:00:00Z",
                  "channel" : "fosstodon",
                  "parts" : [
                    {
                      "length" : 74,
                      "limit" : 500,
                      "text" : "We just shipped v2. Faster builds:\nhttps://example.com/notes\n\n#release #swift"
                    }
                  ],
                  "platform" : "mastodon",
                  "warnings" : [
                    "near-duplicate of 'launch-teaser' sent 3h ago"
                  ]
                },
                {
                  "at" : "2026-11-22T08:05:00Z",
                  "channel" : "x",
                  "parts" : [
                    {
                      "length" : 23,
                      "limit" : 280,
                      "text" : "We just shipped v2. 1/3"
                    },
                    {
                      "length" : 29,
                      "limit" : 280,
                      "text" : "Builds are twice as fast. 2/3"
                    },
                    {
                      "length" : 34,
                      "limit" : 280,
                      "text" : "Notes: https://example.com/notes 3/3"
                    }
                  ],
                  "platform" : "x",
                  "warnings" : [
                    "split into a thread of 3 parts"
                  ]
                },
                {
                  "at" : null,
                  "channel" : "linkedin",
                  "errors" : [
                    "too long (3012/3000) and long: reject; shorten it or add a linkedin variant"
                  ],
                  "parts" : [
                    {
                      "length" : 3012,
                      "limit" : 3000,
                      "text" : "We just shipped v2, and here is the whole story."
                    }
                  ],
                  "platform" : "linkedin",
                  "warnings" : [

                  ]
                }
              ],
              "errors" : [

              ],
              "file" : "queue/launch.md",
              "id" : "launch"
            },
            {
              "deliveries" : [
                {
                  "at" : "2026-11-23T07:30:00.250Z",
                  "channel" : "ops",
                  "parts" : [
                    {
                      "length" : 21,
                      "limit" : null,
                      "text" : "Weekly digest is out."
                    }
                  ],
                  "platform" : "webhook",
                  "warnings" : [

                  ]
                },
                {
                  "at" : "2026-11-23T10:00:00Z",
                  "channel" : "bluesky",
                  "parts" : [
                    {
                      "length" : 21,
                      "limit" : 300,
                      "text" : "Weekly digest is out."
                    }
                  ],
                  "platform" : "bluesky",
                  "warnings" : [
                    "media/chart.png has no alt text"
                  ]
                },
                {
                  "at" : null,
                  "channel" : "fosstodon",
                  "parts" : [
                    {
                      "length" : 21,
                      "limit" : 500,
                      "text" : "Weekly digest is out."
                    }
                  ],
                  "platform" : "mastodon",
                  "warnings" : [
                    "channel paused: incident 42"
                  ]
                }
              ],
              "errors" : [

              ],
              "file" : "queue/weekly.md",
              "id" : "weekly"
            },
            {
              "deliveries" : [

              ],
              "errors" : [
                "line 3: unknown channel 'myspace'; use a channel name from crier.yml or \"all\""
              ],
              "file" : "queue/broken.md",
              "id" : "broken"
            }
          ]
        }

        """#

    @Test func encodesTheFixture() {
        let json = String(decoding: PreviewJSON.encode(PreviewFixture.report), as: UTF8.self)
        #expect(json == Self.golden)
        #expect(PreviewJSON.encode(PreviewFixture.report) == PreviewJSON.encode(PreviewFixture.report))
    }

    @Test(arguments: [
        (1_795_334_400.0, "2026-11-22T08:00:00Z"),
        (1_795_334_400.25, "2026-11-22T08:00:00.250Z"),
        (1_795_334_400.001, "2026-11-22T08:00:00.001Z"),
        (1_795_334_400.9995, "2026-11-22T08:00:00.999Z"),
        (1_795_334_459.0, "2026-11-22T08:00:59Z"),
    ])
    func timestamps(seconds: Double, expected: String) {
        #expect(PreviewJSON.timestamp(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func roundTripsWithExactlyTheSpecFieldNames() throws {
        let object = try JSONSerialization.jsonObject(with: PreviewJSON.encode(PreviewFixture.report))
        let root = try #require(object as? [String: Any])
        #expect(Set(root.keys) == ["posts"])
        let posts = try #require(root["posts"] as? [[String: Any]])
        #expect(posts.count == 3)
        for post in posts {
            #expect(Set(post.keys) == ["id", "file", "errors", "deliveries"])
            #expect(post["errors"] is [String])
            let deliveries = try #require(post["deliveries"] as? [[String: Any]])
            for delivery in deliveries {
                let keys = Set(delivery.keys)
                // `errors` is crier's extension of the SPEC shape, present only when non-empty.
                #expect(keys == ["channel", "platform", "at", "parts", "warnings"]
                    || keys == ["channel", "platform", "at", "parts", "warnings", "errors"])
                if let errors = delivery["errors"] {
                    #expect((errors as? [String])?.isEmpty == false)
                }
                #expect(delivery["at"] is String || delivery["at"] is NSNull)
                let parts = try #require(delivery["parts"] as? [[String: Any]])
                for part in parts {
                    #expect(Set(part.keys) == ["text", "length", "limit"])
                    #expect(part["limit"] is Int || part["limit"] is NSNull)
                }
            }
        }

        let launch = try #require(posts.first?["deliveries"] as? [[String: Any]])
        #expect(launch.map { $0["channel"] as? String } == ["fosstodon", "x", "linkedin"])
        #expect(launch[0]["platform"] as? String == "mastodon")
        #expect(launch[0]["at"] as? String == "2026-11-22T08:00:00Z")
        #expect(launch[2]["at"] is NSNull)
        #expect(launch[2]["errors"] as? [String] == ["too long (3012/3000) and long: reject; shorten it or add a linkedin variant"])
        let thread = try #require(launch[1]["parts"] as? [[String: Any]])
        #expect(thread.map { $0["text"] as? String } == ["We just shipped v2. 1/3", "Builds are twice as fast. 2/3",
                                                          "Notes: https://example.com/notes 3/3"])
        #expect(thread.map { $0["length"] as? Int } == [23, 29, 34])
        let weekly = try #require(posts[1]["deliveries"] as? [[String: Any]])
        let webhookPart = try #require((weekly[0]["parts"] as? [[String: Any]])?.first)
        #expect(webhookPart["limit"] is NSNull)
        #expect(weekly[0]["at"] as? String == "2026-11-23T07:30:00.250Z")
        #expect(posts[2]["errors"] as? [String] == [#"line 3: unknown channel 'myspace'; use a channel name from crier.yml or "all""#])
    }

    @Test func slashesAndUnicodeAreNotEscaped() {
        let report = PreviewReport(posts: [
            PreviewPost(id: "u", file: "queue/ü.md", deliveries: [
                PreviewDelivery(channel: "x", platform: .x,
                                parts: [PreviewPart(text: "Café 🚀 https://a.example/b", length: 30, limit: 280)]),
            ]),
        ])
        let json = String(decoding: PreviewJSON.encode(report), as: UTF8.self)
        #expect(json.contains(#""text" : "Café 🚀 https://a.example/b""#))
        #expect(json.contains(#""file" : "queue/ü.md""#))
        #expect(!json.contains(#"\/"#))
    }

    /// The hand-written encoder writes exactly what `JSONEncoder` writes for the same report: the
    /// fixture, an empty report, and one with escapes, control characters, empty lists and errors.
    @Test func matchesJSONEncoderByteForByte() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let awkward = PreviewReport(posts: [
            PreviewPost(id: "q\"uote", file: "queue/a\\b/c.md", errors: ["tab\there", "bell\u{07} and nul-ish \u{1F}"]),
            PreviewPost(id: "n", file: "queue/n.json", deliveries: [
                PreviewDelivery(channel: "slack", platform: .slack, at: Date(timeIntervalSince1970: 1_795_334_400.5),
                                parts: [PreviewPart(text: "line\nnext\r\u{08}\u{0C} </script> 🇩🇪", length: 5, limit: nil),
                                        PreviewPart(text: "", length: 0, limit: 4000)],
                                warnings: [], errors: ["x", "y"]),
                PreviewDelivery(channel: "d", platform: .discord),
            ]),
        ])
        // Enough posts to be written in several chunks (on several threads where there are cores),
        // with the instants changing from post to post and back.
        let many = PreviewReport(posts: (0..<(3 * PreviewJSON.postsPerChunk + 7)).map { index in
            index % 5 == 0 ? awkward.posts[index % 2] : PreviewPost(id: "p\(index)", file: "queue/p\(index).md", deliveries: [
                PreviewDelivery(channel: "w", platform: .webhook, at: Date(timeIntervalSince1970: 1_795_334_400 + Double(index % 3) / 4),
                                parts: [PreviewPart(text: "post \(index)", length: 6, limit: nil)]),
            ])
        })
        #expect(PreviewJSON.postChunks(many.posts).count == min(ProcessInfo.processInfo.activeProcessorCount, 3))
        for report in [PreviewFixture.report, PreviewReport(), awkward, many] {
            let expected = try encoder.encode(report) + Data("\n".utf8)
            let written = PreviewJSON.encode(report)
            #expect(written == expected, "\(String(decoding: written, as: UTF8.self))\nvs\n\(String(decoding: expected, as: UTF8.self))")
        }
    }
}
