import CVips
import CrierCore
import CrierDaemon
import Foundation
import Glibc

// `crier-bench media [--rounds N]`: derivation of one 24-megapixel photo (6000 × 4000 JPEG of noise,
// so it compresses like a busy photo) for Bluesky, Instagram (crop: center) and X, with the real
// `ImagePlanner` and `ImageDeriver` (libvips). Prints the time per platform and the process's peak
// resident memory (getrusage ru_maxrss) before and after, so the derivation's own peak shows.

func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func runMediaBenchmark(rounds: Int) {
    guard cvips_init("crier-bench") == 0, let image = cvips_noise_image(6000, 4000, 30) else { fail("libvips did not start") }
    var buffer: UnsafeMutableRawPointer?
    var length = 0
    guard cvips_jpegsave_buffer(image, &buffer, &length, 92) == 0, let buffer else { fail("cannot encode the test photo") }
    let photo = Data(bytes: buffer, count: length)
    g_free(buffer)
    cvips_unref(image)
    let item = MediaItem(PostMedia(file: "photo.jpg"), byteCount: photo.count, sniffed: MediaSniffer.sniff(photo))
    let before = peakResidentMiB()
    print("media: source 6000×4000 JPEG, \(photo.count) bytes; peak RSS before deriving \(format(before, 1)) MiB")
    print("| platform | crop | result | bytes | best of \(rounds) (s) |")
    print("|---|---|---|---|---|")
    for (platform, crop) in [(Platform.bluesky, ImageCrop?.none), (.instagram, .center), (.x, nil), (.x, .center)] {
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
        guard let last else { continue }
        print("| \(platform.rawValue) | \(crop?.label ?? "none") | \(last.format.rawValue) \(last.width)×\(last.height) | "
              + "\(last.data.count) | \(format(best, 3)) |")
    }
    print("media: peak RSS after deriving \(format(peakResidentMiB(), 1)) MiB")
}
