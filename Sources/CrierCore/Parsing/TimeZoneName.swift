import Foundation

/// A time zone's name as people write it in `crier.yml`: Foundation on Linux names UTC "GMT"
/// (`TimeZone(identifier: "UTC")!.identifier == "GMT"`), and crier says "UTC" everywhere.
public enum TimeZoneName {
    public static func of(_ zone: TimeZone) -> String {
        zone.identifier == "GMT" ? "UTC" : zone.identifier
    }
}
