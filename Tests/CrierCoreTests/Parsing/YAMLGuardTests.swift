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

    /// YAML lets a flow value follow a quoted key's colon directly: the anchors there are seen too
    /// (an earlier guard took `&`/`*` only at the start of a word and let this bomb through).
    @Test func aFlowBombWhoseAnchorsFollowQuotedKeysIsRefused() {
        var parts = [#""l0":&l0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"#]
        for level in 1..<9 {
            parts.append("\"l\(level)\":&l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ",") + "]")
        }
        let bomb = "channels: [ops]\nx: {" + parts.joined(separator: ", ") + "}\n"
        #expect(throws: FieldSyntaxError(line: 2, message: "YAML aliases (*l0) are not allowed in crier files: write the value out")) {
            try FieldNode.parseYAML(bomb)
        }
    }

    /// Whatever gets past the guard, one file converts into at most `FieldNode.maxNodes` values.
    @Test func aFileOfMoreValuesThanTheBudgetIsRefusedWithALine() {
        let list = "a: [" + Array(repeating: "x", count: FieldNode.maxNodes + 1).joined(separator: ",") + "]\n"
        #expect(throws: FieldSyntaxError.self) { try FieldNode.parseYAML(list) }
        do {
            _ = try FieldNode.parseYAML(list)
        } catch {
            #expect(error.message.contains("more than \(FieldNode.maxNodes) values in one file"), "\(error)")
        }
    }

    /// 30,000 keys, the last one given twice: found (through a set, not by comparing each key with
    /// every earlier one), flat or nested.
    @Test func aKeyGivenTwiceAmongThousandsIsFound() {
        let keys = (0..<30_000).map { "k\($0): b" } + ["k7: again"]
        #expect(throws: FieldSyntaxError.self) { try FieldNode.parseYAML(keys.joined(separator: "\n") + "\n") }
        let nested = "x:\n" + keys.map { " " + $0 }.joined(separator: "\n") + "\n"
        #expect(throws: FieldSyntaxError.self) { try FieldNode.parseYAML(nested) }
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
        "team: R&D\nnote: x*y and 2*3",
    ])
    func ordinaryTextPasses(_ yaml: String) throws {
        try YAMLGuard.check(yaml)
        _ = try FieldNode.parseYAML(yaml)
    }
}
