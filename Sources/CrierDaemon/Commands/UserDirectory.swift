import Foundation
import Glibc

/// User and group names from the system's databases (`getpwuid_r`, `getgrnam_r`: safe on any thread).
public enum UserDirectory {
    /// The name of `uid`, or `uid N` when it has none.
    public static func name(ofUID uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        if getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name {
            return String(cString: name)
        }
        return "uid \(uid)"
    }

    /// Whether `user` is in `group`: listed as a member, or the group is their primary group.
    public static func isMember(_ user: String, ofGroup group: String) -> Bool {
        var groupEntry = group_struct()
        var groupResult: UnsafeMutablePointer<group_struct>?
        var groupBuffer = [CChar](repeating: 0, count: 65_536)
        guard getgrnam_r(group, &groupEntry, &groupBuffer, groupBuffer.count, &groupResult) == 0, groupResult != nil else { return false }
        if var member = groupEntry.gr_mem {
            while let name = member.pointee {
                if String(cString: name) == user { return true }
                member += 1
            }
        }
        var userEntry = passwd()
        var userResult: UnsafeMutablePointer<passwd>?
        var userBuffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(user, &userEntry, &userBuffer, userBuffer.count, &userResult) == 0, userResult != nil else { return false }
        return userEntry.pw_gid == groupEntry.gr_gid
    }

    /// Whether a group of that name exists.
    public static func groupExists(_ group: String) -> Bool {
        var entry = group_struct()
        var result: UnsafeMutablePointer<group_struct>?
        var buffer = [CChar](repeating: 0, count: 65_536)
        return getgrnam_r(group, &entry, &buffer, buffer.count, &result) == 0 && result != nil
    }
}

/// Glibc's `struct group` (the name `group` is taken by a function in Swift's view of Glibc).
typealias group_struct = Glibc.group
