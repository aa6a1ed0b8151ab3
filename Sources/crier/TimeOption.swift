import ArgumentParser
import CrierCore
import Foundation

/// `--at` and `--now`: checked in `validate()`, so a malformed time is a usage error (exit status 2)
/// shown with the subcommand's own usage line. The form is checked there; the instant is worked
/// out in `run()`, in the config's time zone.
enum TimeOption {
    /// Throws a `ValidationError` naming both accepted forms when `text` is not a time.
    static func validate(_ text: String, option: String) throws {
        guard let utc = TimeZone(identifier: "UTC"), TimeParser.parse(text, timeZone: utc) != nil else {
            throw ValidationError(problem(text, option: option))
        }
    }

    static func problem(_ text: String, option: String) -> String {
        "\(option) '\(text)' is not a time; write ISO 8601 like 2026-11-22T09:00:00+01:00, "
            + "or 'YYYY-MM-DD HH:MM' like '2026-11-22 09:00' in the config's time zone"
    }
}
