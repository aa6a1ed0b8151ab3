import Foundation
import Glibc
import Logging

/// One line per event on stderr: `2026-11-21T10:00:00.123Z info delivery sent post=launch channel=ops`.
/// Under systemd (`$JOURNAL_STREAM` set) the timestamp is left to journald and each line starts with
/// its syslog priority (`<3>` … `<7>`), so `journalctl -p err` works.
public struct CrierLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let journald: Bool

    public init(label: String, level: Logger.Level, journald: Bool) {
        self.logLevel = level
        self.journald = journald
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = journald ? "<\(Self.priority(event.level))>" : "\(TimestampText.now()) \(event.level.rawValue) "
        line += event.message.description
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.quoted(merged[key]!.description))"
        }
        line += "\n"
        line.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                guard let written = try? SystemCall.retrying("write", { write(2, buffer.baseAddress! + offset, buffer.count - offset) })
                else { return }
                offset += written
            }
        }
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }
}

import CrierCore

private enum TimestampText {
    static func now() -> String { TimestampFormat.string(Date()) }
}
