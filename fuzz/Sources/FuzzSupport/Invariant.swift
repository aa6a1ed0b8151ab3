import Foundation

/// A property every answer of crier's pure core must have, whatever the input. A broken one stops
/// the fuzzer like a crash does (libFuzzer keeps the input as `crash-…`), with the reason on stderr.
public func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    guard !condition() else { return }
    let text = "invariant broken at \(file):\(line): \(message())\n"
    FileHandle.standardError.write(Data(text.utf8))
    abort()
}

/// A finite, non-negative number of seconds: what every wait and duration must be before the
/// engine adds it to a date or turns it into a timer.
public func isSaneSeconds(_ value: TimeInterval) -> Bool {
    value.isFinite && value >= 0
}
