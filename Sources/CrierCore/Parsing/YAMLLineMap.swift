/// Turns a line of the YAML parser into a line of the file. libyaml (YAML 1.1) also ends a line at a
/// lone CR, NEL (U+0085), LS (U+2028) and PS (U+2029), while crier counts lines by LF, as
/// `FrontMatter`, `YAMLGuard`, `grep -n` and the user's editor do: without this, a front matter with a
/// stray CR in it got errors "on line 105" of a 9-line file (found by fuzzing, `fuzz/`).
struct YAMLLineMap {
    /// File line (before the offset) of each YAML line; nil when the text has no such line ends.
    private let fileLines: [Int]?
    private let lineOffset: Int

    init(_ text: String, lineOffset: Int) {
        self.lineOffset = lineOffset
        let bytes = text.utf8
        guard bytes.contains(where: { $0 == 0x0D || $0 == 0xC2 || $0 == 0xE2 }) else {
            fileLines = nil
            return
        }
        var lines = [1]
        var fileLine = 1
        var iterator = bytes.makeIterator()
        var pending = iterator.next()
        while let byte = pending {
            pending = iterator.next()
            switch byte {
            case 0x0A:
                fileLine += 1
                lines.append(fileLine)
            case 0x0D where pending != 0x0A:
                lines.append(fileLine)
            case 0xC2 where pending == 0x85:
                lines.append(fileLine)
            case 0xE2 where pending == 0x80:
                pending = iterator.next()
                if pending == 0xA8 || pending == 0xA9 { lines.append(fileLine) }
            default:
                break
            }
        }
        fileLines = lines
    }

    /// The file line (with the offset) of the 1-based YAML line `yamlLine`.
    func line(_ yamlLine: Int) -> Int {
        guard let fileLines else { return yamlLine + lineOffset }
        return fileLines[min(max(yamlLine, 1), fileLines.count) - 1] + lineOffset
    }
}
