import Foundation

/// Near-duplicate guard: many near-identical posts in a short time look like a spam bot (an account
/// was suspended for exactly that). Texts are normalised, then compared by word shingles.
public enum NearDuplicate {
    /// Similarity at or above which two texts count as near-duplicates.
    public static let defaultThreshold = 0.8
    /// How far back sends are compared by default.
    public static let defaultWindow: TimeInterval = 24 * 3_600
    /// Texts with fewer words than this (after normalising) are compared as word sets, not bigrams.
    static let shortTextWords = 4

    /// Lower-cased; URLs (`scheme://…`, `www.…`) and @mentions (`@alice`, `@alice@host`) removed;
    /// `#hashtag` → `hashtag`; every other non-letter, non-digit → space; whitespace collapsed.
    public static func normalize(_ text: String) -> String {
        var words: [String] = []
        forEachWord(in: text) { word in
            words.append(String(String.UnicodeScalarView(word.compactMap(Unicode.Scalar.init))))
        }
        return words.joined(separator: " ")
    }

    /// Similarity in 0...1: Jaccard over word-bigram shingles of the normalised texts, or over
    /// word sets when either has fewer than four words. Two texts that normalise to nothing are
    /// similar only if they are identical.
    public static func similarity(_ a: String, _ b: String) -> Double {
        Fingerprint(a).similarity(to: Fingerprint(b))
    }

    public struct Match: Sendable, Equatable {
        public var postID: String
        public var sentAt: Date
        public var similarity: Double

        public init(postID: String, sentAt: Date, similarity: Double) {
            self.postID = postID
            self.sentAt = sentAt
            self.similarity = similarity
        }
    }

    /// The most similar earlier send within `window` before `now` (`now - window ... now`) with
    /// similarity >= `threshold`, if any; ties go to the most recent send.
    public static func findMatch(text: String, recent: [(postID: String, text: String, sentAt: Date)], now: Date,
                                 window: TimeInterval = defaultWindow, threshold: Double = defaultThreshold) -> Match? {
        let earliest = now.addingTimeInterval(-window)
        let fingerprint = Fingerprint(text)
        var best: Match?
        for send in recent where send.sentAt >= earliest && send.sentAt <= now {
            let score = fingerprint.similarity(to: Fingerprint(send.text))
            guard score >= threshold else { continue }
            if let current = best, current.similarity > score || (current.similarity == score && current.sentAt >= send.sentAt) {
                continue
            }
            best = Match(postID: send.postID, sentAt: send.sentAt, similarity: score)
        }
        return best
    }

    /// Hashed words and word bigrams of a normalised text, sorted and unique (fast to intersect).
    struct Fingerprint {
        var wordCount = 0
        var words: [UInt64] = []
        var shingles: [UInt64] = []
        /// Hash of the raw text, only for texts that normalise to nothing (compared verbatim).
        var rawHash: UInt64 = 0

        init(_ text: String) {
            let estimate = text.utf8.count / 5 + 1
            words.reserveCapacity(estimate)
            shingles.reserveCapacity(estimate)
            var previous: UInt64?
            forEachWord(in: text) { scalars in
                var hash = StableHash.offsetBasis
                for value in scalars {
                    hash ^= UInt64(value)
                    hash = hash &* StableHash.prime
                }
                wordCount += 1
                words.append(hash)
                if let previous { shingles.append(StableHash.mix(previous &* 0x9e37_79b9_7f4a_7c15 ^ hash)) }
                previous = hash
            }
            if wordCount == 0 { rawHash = StableHash.fnv1a64(text.utf8) }
            Self.sortUnique(&words)
            Self.sortUnique(&shingles)
        }

        func similarity(to other: Fingerprint) -> Double {
            if wordCount == 0 || other.wordCount == 0 {
                return wordCount == other.wordCount && rawHash == other.rawHash ? 1 : 0
            }
            if min(wordCount, other.wordCount) < NearDuplicate.shortTextWords {
                return Self.jaccard(words, other.words)
            }
            return Self.jaccard(shingles, other.shingles)
        }

        static func jaccard(_ a: [UInt64], _ b: [UInt64]) -> Double {
            if a.isEmpty && b.isEmpty { return 1 }
            var i = 0, j = 0, shared = 0
            while i < a.count && j < b.count {
                if a[i] == b[j] { shared += 1; i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
            }
            return Double(shared) / Double(a.count + b.count - shared)
        }

        static func sortUnique(_ values: inout [UInt64]) {
            values.sort()
            var kept = 0
            for index in values.indices where kept == 0 || values[index] != values[kept - 1] {
                values[kept] = values[index]
                kept += 1
            }
            values.removeLast(values.count - kept)
        }
    }

    /// Calls `body` with each normalised word of `text` (lower-cased scalar values), in order.
    /// One pass over the UTF-8 bytes with an ASCII fast path and one scratch buffer: this runs for
    /// every recent send on every check, so it must stay cheap.
    static func forEachWord(in text: String, _ body: (Slice<UnsafeBufferPointer<UInt32>>) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            // Lower-casing never yields more scalars than the UTF-8 bytes it came from, doubled for safety.
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2 * bytes.count + 8) { buffer in
                var length = 0
                func flush() {
                    if length > 0 { emitWords(of: UnsafeBufferPointer(rebasing: buffer[0..<length]), body) }
                    length = 0
                }
                var index = 0
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte < 0x80 {
                        index += 1
                        if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                            flush()
                        } else {
                            buffer[length] = UInt32(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
                            length += 1
                        }
                        continue
                    }
                    // A multi-byte scalar (Swift strings are valid UTF-8).
                    let count = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                    var value = UInt32(byte) & (count == 2 ? 0x1F : count == 3 ? 0x0F : 0x07)
                    for offset in 1..<count { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
                    index += count
                    let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                    if scalar.properties.isWhitespace {
                        flush()
                    } else if scalar.properties.changesWhenLowercased {
                        for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                            buffer[length] = lower.value
                            length += 1
                        }
                    } else {
                        buffer[length] = value
                        length += 1
                    }
                }
                flush()
            }
        }
    }

    /// Drops URL and @mention tokens; splits the rest into runs of letters and digits.
    private static func emitWords(of token: UnsafeBufferPointer<UInt32>, _ body: (Slice<UnsafeBufferPointer<UInt32>>) -> Void) {
        guard !isURL(token) else { return }
        for value in token where isWordScalar(value) || value == 0x40 || value == 0x23 {
            if value == 0x40 { return } // the first significant character is "@": a mention
            break
        }
        var wordStart = -1
        for position in 0..<token.count {
            if isWordScalar(token[position]) {
                if wordStart < 0 { wordStart = position }
            } else if wordStart >= 0 {
                body(token[wordStart..<position])
                wordStart = -1
            }
        }
        if wordStart >= 0 { body(token[wordStart..<token.count]) }
    }

    /// `scheme://…` anywhere in the token, or a token starting with `www.`.
    private static func isURL(_ token: UnsafeBufferPointer<UInt32>) -> Bool {
        if token.count >= 4, token[0] == 0x77, token[1] == 0x77, token[2] == 0x77, token[3] == 0x2E { return true }
        var index = 0
        while index + 2 < token.count {
            if token[index] == 0x3A, token[index + 1] == 0x2F, token[index + 2] == 0x2F { return true }
            index += 1
        }
        return false
    }

    private static func isWordScalar(_ value: UInt32) -> Bool {
        if value < 0x80 { return (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) }
        guard let scalar = Unicode.Scalar(value) else { return false }
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil || properties.generalCategory == .nonspacingMark
    }
}
