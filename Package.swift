// swift-tools-version:6.0
import PackageDescription

// crier — a cross-channel post scheduler daemon.
//
// Layers (see README "Code map"):
//   CrierCore      pure: post and config parsing, the delivery model, retry policy, scheduling heap,
//                  platform request building (webhook signing). No files, sockets or clocks.
//   CCurl          the libcurl system library plus typed shims for its variadic C calls.
//   CCrierLinux    C shims for Linux calls Glibc's module does not expose (syncfs, malloc_trim, renameat2,
//                  timerfd).
//   CLibPQ         libpq, PostgreSQL's C client: the shared journal of several daemons (`store: postgres`).
//   CVips          libvips (images made to fit each platform) plus typed shims for its variadic calls.
//   CrierCurl      the only Swift target that imports CCurl: the multi-interface transport.
//   CrierReceiver  a hand-written loopback HTTP/1.1 server with fault injection (slow answers, dropped
//                  connections): the tests' webhook sink and crier-bench only, never the crier binary.
//   CrierDaemon    the edge: queue directory, inotify, SQLite journal, Dispatch timers, signals, and
//                  `crier receive` on FlyingFox.
//   crier          the thin command line.
let package = Package(
    name: "crier",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "crier", targets: ["crier"]),
        .library(name: "CrierCore", targets: ["CrierCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // `crier receive`'s HTTP server: pure Swift on epoll, about 20 s of a clean build on 2 cores.
        .package(url: "https://github.com/swhitty/FlyingFox", exact: "0.27.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CVips",
            pkgConfig: "vips",
            providers: [.apt(["libvips-dev"])]
        ),
        // libpq (PostgreSQL's C client) for `store: postgres`: synchronous calls on crier's own threads, like
        // SQLite, with no event loop to host (PostgresNIO would bring SwiftNIO and minutes of build for it).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(name: "CCrierLinux"),
        .target(
            name: "CrierCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "CrierCurl", dependencies: ["CCurl", "CCrierLinux", "CrierCore"]),
        .target(name: "CrierReceiver", dependencies: ["CrierCore"]),
        .target(
            name: "CrierDaemon",
            dependencies: [
                "CrierCore", "CrierCurl", "CCrierLinux", "CVips", "CLibPQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ]
        ),
        .executableTarget(
            name: "crier",
            dependencies: [
                "CrierCore", "CrierDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "crier-bench",
            dependencies: ["CCurl", "CVips", "CrierCore", "CrierDaemon", "CrierCurl", "CrierReceiver"],
            path: "bench/Sources/crier-bench"
        ),
        .target(
            name: "CrierTestSupport",
            dependencies: ["CrierCore", "CrierReceiver", "CrierDaemon", "CVips"]
        ),
        .testTarget(name: "CrierCoreTests", dependencies: ["CrierCore", "CrierTestSupport"]),
        .testTarget(name: "CrierCurlTests", dependencies: ["CrierCurl", "CrierTestSupport"]),
        .testTarget(name: "CrierDaemonTests", dependencies: ["CrierDaemon", "CrierTestSupport"]),
        .testTarget(name: "CrierEndToEndTests", dependencies: ["CrierCore", "CrierTestSupport"]),
    ]
)
