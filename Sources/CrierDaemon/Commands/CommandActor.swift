import Foundation
import Glibc

/// The person behind a command (`crier pause`, `resolve`, `retry`): the user who ran `sudo`, else
/// the name of the real uid (never a field a post author controls), else `uid N`.
public enum CommandActor {
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let sudo = environment["SUDO_USER"], !sudo.isEmpty { return sudo }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        if let user = environment["USER"], !user.isEmpty { return user }
        return "uid \(getuid())"
    }
}
