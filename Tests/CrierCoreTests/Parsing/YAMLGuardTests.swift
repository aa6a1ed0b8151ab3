import CrierCore
import Foundation
import Testing

/// Hostile YAML is refused before the parser can explode on it; ordinary posts pass untouched.
@Suite struct YAMLGuardTests {
    /// Nine levels of nine aliases each: 9^9 (387 million) nodes once expanded.
    static var aliasBomb: String {
        var lines = [#"a: &a ["x","x","x","x","x","x","x","x","x"]"#]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
            previous = name
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func anAliasBombIsRefusedAtItsFirstAliasWithoutExpandingIt() {
        let start = ContinuousClock.now
        #expect(throws: FieldSyntaxError(line: 12, message: "YAML aliases (*a) are not allowed in crier files: write the value out")) {
            try FieldNode.parseYAML(Self.aliasBomb, lineOffset: 10)
        }
        #expect(ContinuousClock.now - start < .seconds(5), "refused by a linear scan, not by running out of memory")
    }

    @Test func anAliasAsAMapKeyIsRefusedToo() {
        #expect(throws: FieldSyntaxError.self) { try YAMLGuard.check("a: &k [x]\nb: { ? *k : 1 }\n") }
    }

    @Test func deepNestingIsRefused() {
        let deep = "a: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: FieldSyntaxError.self) { try FieldNode.parseYAML(deep) }
        #expect(throws: Never.self) { try YAMLGuard.check("a: " + String(repeating: "[", count: 10) + String(repeating: "]", count: 10)) }
    }

    @Test(arguments: [
        "alt: Tom & Jerry\nlink: https://example.com/?a=1&b=2",
        "x: |\n  *Faster* builds, &amp; more\n  *Faster* again",
        "text: \"5 * 3 & 2\"\ntags: [release, swift]",
        "note: it's *bold* and &nbsp;",
        "a: &only-an-anchor value",
    ])
    func ordinaryTextPasses(_ yaml: String) throws {
        try YAMLGuard.check(yaml)
        _ = try FieldNode.parseYAML(yaml)
    }
}
