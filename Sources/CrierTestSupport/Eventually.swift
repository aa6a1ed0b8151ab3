import Foundation

/// Polls `condition` until it holds or `timeout` passes (for asynchronous effects such as journal
/// commits and file moves). Bounded: never waits longer than `timeout`.
@discardableResult
public func eventually(timeout: TimeInterval = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
