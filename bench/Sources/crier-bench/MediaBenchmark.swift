import CVips
import CrierCore
import CrierDaemon
import Foundation
import Glibc

// `crier-bench media [--rounds N]`: derivation of one 24-megapixel photo (a 6000 × 4000 JPEG of noise,
// so it compresses like a busy photo) for Bluesky, Instagram and X, with the real `ImagePlanner` and
// `ImageDeriver` (libvips). The photo is written to a temporary file first; each platform is then
// derived in a child process of its own (`crier-bench media-one FILE PLATFORM CROP ROUNDS`), so the
// peak resident memory it reports (getrusage ru_maxrss) is the derivation's alone: reading the
// file, decoding, cropping, scaling and every encoding step.

func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func runMediaBenchmark(rounds: Int) {
    guard cvips_init("crier-bench") == 0, let image = cvips_noise_image(6000, 4000, 8) else { fail("libvips did not start") }
    var buffer: UnsafeMutableRawPointer?
    var length = 0
    guard cvips_jpegsave_buffer(image, &buffer, &length, 92) == 0, let buffer else { fail("cannot encode the test photo") }
    let photo = Data(bytes: buffer, count: length)
    g_free(buffer)
    cvips_unref(image)
    let path = NSTemporaryDirectory() + "crier-bench-photo-\(getpid()).jpg"
    guard FileManager.default.createFile(atPath: path, contents: photo) else { fail("cannot write \(path)") }
    defer { try? FileManager.default.removeItem(atPath: path) }
    print("media: source 6000×4000 JPEG (24 megapixels), \(photo.count) bytes; \(rounds) rounds per platform, best time")
    print("| platform | crop | result | bytes | time (s) | peak RSS before → after (MiB) |")
    print("|---|---|---|---|---|---|")
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    for (platform, crop) in [("bluesky", "none"), ("instagram", "center"), ("x", "none"), ("x", "center")] {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: me)
        child.arguments = ["media-one", path, platform, crop, String(rounds)]
        let output = Pipe()
        child.standardOutput = output
        do {
            try child.run()
        } catch {
            fail("cannot start \(me): \(error)")
        }
        let line = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        guard child.terminationStatus == 0 else { fail("media-one \(platform) failed") }
        print(line.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// One platform in this process: prints its table row.
func runMediaOne(_ arguments: [String]) {
    guard arguments.count == 4, let platform = Platform(rawValue: arguments[1]), let rounds = Int(arguments[3]) else {
        fail("usage: crier-bench media-one FILE PLATFORM none|center|top ROUNDS")
    }
    let crop: ImageCrop? = arguments[2] == "center" ? .center : arguments[2] == "top" ? .top : nil
    guard let photo = FileManager.default.contents(atPath: arguments[0]) else { fail("cannot read \(arguments[0])") }
    guard Platform(rawValue: "webhook") != nil, cvips_init("crier-bench") == 0 else { fail("libvips did not start") }
    let before = peakResidentMiB()
    let item = MediaItem(PostMedia(file: "photo.jpg"), byteCount: photo.count, sniffed: MediaSniffer.sniff(photo))
    guard case .success(let plan?) = ImagePlanner.plan(item, crop: crop, platform: platform) else { fail("no plan for \(platform)") }
    var best = Double.infinity
    var last: DerivedImage?
    for _ in 0..<rounds {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            last = try ImageDeriver.derive(photo, plan: plan)
        } catch {
            fail("\(error)")
        }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    guard let last else { fail("no rounds") }
    print("| \(platform.rawValue) | \(crop?.label ?? "none") | \(last.format.rawValue) \(last.width)×\(last.height) | "
          + "\(last.data.count) | \(format(best, 3)) | \(format(before, 1)) → \(format(peakResidentMiB(), 1)) |")
}
