import Foundation

/// The human output of `crier preview`: planned deliveries as a timeline grouped by local day, one
/// block per delivery with its rendered text, then what will not be sent and why, then files that
/// could not be read, and a one-line summary.
///
/// ```
/// Sunday 22 November 2026 (today)
///
///   09:00  mastodon · launch · queue/launch.md
///     We just shipped v2.
///     length 52/500
///     ! near-duplicate of 'launch-teaser' sent 3h ago
/// ```
///
/// Pure: the caller passes the time zone, `now` (for "today" and "tomorrow") and whether to colour
/// (a terminal, and `NO_COLOR` unset). Without colour the output holds no escape sequences at all.
public enum PreviewTimeline {
    public static func render(_ report: PreviewReport, timeZone: TimeZone, now: Date, color: Bool) -> String {
        var writer = Writer(timeZone: timeZone, now: now, style: TerminalStyle(enabled: color))
        writer.write(report)
        return writer.lines.joined(separator: "\n") + "\n"
    }

    private struct Entry {
        var post: PreviewPost
        var delivery: PreviewDelivery
    }

    private struct Writer {
        let calendar: Calendar
        let now: Date
        let style: TerminalStyle
        var lines: [String] = []

        init(timeZone: TimeZone, now: Date, style: TerminalStyle) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            self.calendar = calendar
            self.now = now
            self.style = style
        }

        mutating func write(_ report: PreviewReport) {
            let entries = report.posts.flatMap { post in post.deliveries.map { Entry(post: post, delivery: $0) } }
            // A stable sort: deliveries at the same instant keep the report's order.
            let planned = entries.enumerated()
                .compactMap { index, entry in entry.delivery.at.map { (at: $0, index: index, entry: entry) } }
                .sorted { ($0.at, $0.index) < ($1.at, $1.index) }
            let unplanned = entries.filter { $0.delivery.at == nil }
            let broken = report.posts.filter { !$0.errors.isEmpty }
            // Calendar arithmetic is the slow part of a large preview, and a queue's deliveries share
            // few instants (slots, "now"): each distinct instant is worked out once.
            var instants: [Date] = []
            for item in planned where item.at != instants.last { instants.append(item.at) }
            let showSeconds = instants.contains { calendar.component(.second, from: $0) != 0 }

            let zoneName = TimeZoneName.of(calendar.timeZone)
            lines.append(style.dim("Times in \(TerminalStyle.visible(zoneName)), now \(dateTime(now))."))
            if entries.isEmpty && broken.isEmpty {
                lines.append("")
                lines.append("Nothing to preview.")
            }

            var currentDay: DateComponents?
            var currentInstant: Date?
            var time = ""
            for item in planned {
                if item.at != currentInstant {
                    currentInstant = item.at
                    time = style.bold(clock(item.at, seconds: showSeconds))
                    let day = calendar.dateComponents([.year, .month, .day], from: item.at)
                    if day != currentDay {
                        currentDay = day
                        lines.append("")
                        lines.append(style.bold(dayHeading(item.at)))
                    }
                }
                lines.append("")
                lines.append("  " + time + "  " + blockTitle(item.entry))
                writeBody(item.entry.delivery)
            }

            if !unplanned.isEmpty {
                lines.append("")
                lines.append(style.bold("Not scheduled"))
                for entry in unplanned {
                    lines.append("")
                    lines.append("  " + blockTitle(entry))
                    writeBody(entry.delivery)
                    if entry.delivery.warnings.isEmpty && entry.delivery.errors.isEmpty {
                        lines.append("    " + style.dim("no send time planned yet"))
                    }
                }
            }

            if !broken.isEmpty {
                lines.append("")
                lines.append(style.bold("Errors"))
                for post in broken {
                    lines.append("")
                    lines.append("  " + TerminalStyle.visible(post.id) + style.dim(" · " + TerminalStyle.visible(post.file)))
                    for error in post.errors {
                        lines.append("    " + style.red("✗ " + TerminalStyle.visible(error)))
                    }
                }
            }

            lines.append("")
            lines.append(summary(report))
        }

        /// `x · launch · queue/launch.md`, or `fosstodon (mastodon) · ...` when the channel is not
        /// named after its platform.
        private func blockTitle(_ entry: Entry) -> String {
            let channel = TerminalStyle.visible(entry.delivery.channel)
            let platform = entry.delivery.platform.rawValue
            let target = channel == platform ? channel : "\(channel) (\(platform))"
            return style.bold(target) + " · " + TerminalStyle.visible(entry.post.id)
                + style.dim(" · " + TerminalStyle.visible(entry.post.file))
        }

        private mutating func writeBody(_ delivery: PreviewDelivery) {
            let count = delivery.parts.count
            for (index, part) in delivery.parts.enumerated() {
                if count > 1 {
                    lines.append("    " + style.dim("part \(index + 1)/\(count)"))
                }
                if part.text.isEmpty {
                    lines.append("    " + style.dim("(empty)"))
                }
                // Split on the UTF-8 view: splitting the String itself walks grapheme clusters.
                for line in TerminalStyle.visible(part.text).utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                    if part.text.isEmpty { break }
                    lines.append(line.isEmpty ? "" : "    " + String(decoding: line, as: UTF8.self))
                }
                lines.append("    " + length(part))
                if let request = part.request {
                    lines.append("    " + style.dim("\(request.step): \(request.method) \(TerminalStyle.visible(request.url))"))
                    for header in request.headers {
                        lines.append("      " + style.dim(TerminalStyle.visible("\(header.name): \(header.value)")))
                    }
                    for line in TerminalStyle.visible(request.body).split(separator: "\n", omittingEmptySubsequences: false) {
                        lines.append("      " + style.dim(String(line)))
                    }
                }
            }
            for image in delivery.images {
                lines.append("    " + style.dim("image " + TerminalStyle.visible(image.summary)))
            }
            for warning in delivery.warnings {
                lines.append("    " + style.yellow("! " + TerminalStyle.visible(warning)))
            }
            for error in delivery.errors {
                lines.append("    " + style.red("✗ " + TerminalStyle.visible(error)))
            }
        }

        /// `length 211/280`, `length 301/280, 21 over` (red), or `length 211` when there is no limit.
        private func length(_ part: PreviewPart) -> String {
            guard let limit = part.limit else { return style.dim("length \(part.length)") }
            let text = "length \(part.length)/\(limit)"
            return part.isOverLimit ? style.boldRed(text + ", \(part.length - limit) over") : style.green(text)
        }

        private func summary(_ report: PreviewReport) -> String {
            let posts = counted(report.posts.count, "post")
            let deliveries = counted(report.deliveryCount, "delivery", plural: "deliveries")
            let warningCount = report.warningCount
            let errorCount = report.errorCount
            let warnings = counted(warningCount, "warning")
            let errors = counted(errorCount, "error")
            return style.bold(posts + ", " + deliveries) + ", "
                + (warningCount > 0 ? style.yellow(warnings) : warnings) + ", "
                + (errorCount > 0 ? style.red(errors) : style.green(errors))
        }

        private func counted(_ count: Int, _ singular: String, plural: String? = nil) -> String {
            "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
        }

        private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        private static let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                                     "September", "October", "November", "December"]

        /// `Sunday 22 November 2026`, with `(today)`, `(tomorrow)` or `(yesterday)` relative to now.
        private func dayHeading(_ date: Date) -> String {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let heading = "\(Self.weekdays[parts.weekday! - 1]) \(parts.day!) \(Self.months[parts.month! - 1]) \(parts.year!)"
            let days = calendar.dateComponents([.day], from: calendar.startOfDay(for: now),
                                               to: calendar.startOfDay(for: date)).day
            switch days {
            case 0: return heading + " (today)"
            case 1: return heading + " (tomorrow)"
            case -1: return heading + " (yesterday)"
            default: return heading
            }
        }

        /// `09:00`, or `09:00:37` when some planned time in the report is not on a whole minute.
        private func clock(_ date: Date, seconds: Bool) -> String {
            let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
            let hm = pad(parts.hour!) + ":" + pad(parts.minute!)
            return seconds ? hm + ":" + pad(parts.second!) : hm
        }

        /// `2026-11-22 08:30` in the report's zone.
        private func dateTime(_ date: Date) -> String {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
            return "\(parts.year!)-\(pad(parts.month!))-\(pad(parts.day!)) \(pad(parts.hour!)):\(pad(parts.minute!))"
        }

        private func pad(_ value: Int) -> String {
            value < 10 ? "0\(value)" : "\(value)"
        }
    }
}
