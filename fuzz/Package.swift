// swift-tools-version:6.0
import PackageDescription

// crier's libFuzzer targets: a package of its own so that the normal build and `swift test` never
// see them. It uses the root package's `CrierCore` library by path. Build and run through
// `scripts/fuzz.sh` (which passes -sanitize=fuzzer for every Swift module, CrierCore included, so
// libFuzzer sees crier's coverage; a plain `swift build` here would make binaries without a fuzzer).
// Each target is `main.swift` (hands libFuzzer its LLVMFuzzerTestOneInput) and the function itself.
//
//   post-markdown  PostParser on a `.md` file: front matter (YAMLGuard, Yams, FieldNode) and body
//   post-json      PostParser on a `.json` file
//   config         ConfigParser.parse, then every parsed channel's render options and retry backoff
//   render         PostRenderer over every Platform and PartsPlanner with fuzzed options, body,
//                  variants and tags (the Markdown subset parser and every writer)
//   time           DurationParser, TimeParser, RetryAfter, QuietHours, WeeklySlots
//   response       an HTTP answer (status, headers, body) through WebhookAdapter.read,
//                  StepClassifier.classify, RateLimitSignal, ReceiverMessage, CircuitBreaker
//   responses      every platform adapter (webhook, Mastodon, Bluesky, X, Threads, Instagram, Facebook,
//                  LinkedIn, Telegram, Discord, Slack, Matrix) walked step by step through a series of
//                  fuzzed answers: nextStep, read, StepClassifier, the progress and session carried on;
//                  or `crier check --online` (nextProbeStep, readProbe)
let fuzzTargets = ["post-markdown", "post-json", "config", "render", "time", "response", "responses"]

let package = Package(
    name: "crier-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "crier", path: ".."),
    ],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver, which each target's main.swift calls.
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver", .product(name: "CrierCore", package: "crier")]),
    ] + fuzzTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "CrierCore", package: "crier")]
        )
    }
)
