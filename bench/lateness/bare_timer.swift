// The yardstick for timer lateness: a bare DispatchSourceTimer (wall-clock deadline, .strict,
// no leeway) re-armed to each due time, whose handler writes one small HTTP POST to the receiver
// on a kept-alive connection. Built and run by bench/lateness/lateness.py.
//
//   bare_timer PORT START_EPOCH_SECONDS STEP_MS COUNT
import Dispatch
import Foundation
import Glibc

let args = CommandLine.arguments
guard args.count == 5, let port = UInt16(args[1]), let start = Double(args[2]), let stepMS = Double(args[3]),
      let count = Int(args[4]) else {
    FileHandle.standardError.write(Data("usage: bare_timer PORT START STEP_MS COUNT\n".utf8)); exit(2)
}
let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
var one: Int32 = 1
setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
var address = sockaddr_in()
address.sin_family = sa_family_t(AF_INET)
address.sin_port = port.bigEndian
address.sin_addr.s_addr = inet_addr("127.0.0.1")
let connected = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
}
guard connected == 0 else { perror("connect"); exit(1) }

let queue = DispatchQueue(label: "bare")
let timer = DispatchSource.makeTimerSource(flags: [.strict], queue: queue)
var index = 0
var buffer = [UInt8](repeating: 0, count: 4096)
func due(_ i: Int) -> Double { start + Double(i) * stepMS / 1000 }
func arm() {
    let at = due(index)
    let spec = timespec(tv_sec: Int(at), tv_nsec: Int((at - floor(at)) * 1e9))
    timer.schedule(wallDeadline: DispatchWallTime(timespec: spec), leeway: .nanoseconds(0))
}
timer.setEventHandler {
    let body = "{\"post\":\"b\(index)\"}"
    let request = "POST /bare HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    _ = request.withCString { write(fd, $0, strlen($0)) }
    _ = read(fd, &buffer, buffer.count) // the receiver's short reply
    index += 1
    if index >= count { exit(0) }
    arm()
}
arm()
timer.resume()
dispatchMain()
