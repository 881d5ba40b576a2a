/// Limits checked on a spec's text before YAML parsing, so that no input makes `check` burn CPU.
///
/// An alias used as a mapping key makes the YAML library compare and hash the whole aliased tree, and nested
/// anchors multiply it: an alias of a 9×9 alias bomb as a key took 38 to 106 s and grows about 9× per level. Specs
/// need neither: aliases may not be keys, at most `maxAliases` aliases in a file, at most `maxBytes` of text.
/// Nesting depth is bounded by the YAML parser itself (it stops with "Maximum nesting level reached").
enum YAMLGuard {
    static let maxBytes = 1_048_576
    static let maxAliases = 200

    /// The first problem, at its 1-based line and column.
    static func problem(in text: String) -> (message: String, line: Int, column: Int)? {
        if text.utf8.count > maxBytes { return ("the spec file is \(text.utf8.count) bytes; at most \(maxBytes) are read", 1, 1) }
        var aliases = 0
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let chars = Array(line)
            var i = 0, quote: Character? = nil
            while i < chars.count {
                let c = chars[i]
                if let q = quote {
                    if c == q { quote = nil }
                    i += 1; continue
                }
                if c == "#" && (i == 0 || chars[i - 1] == " " || chars[i - 1] == "\t") { break }  // comment
                if c == "\"" || c == "'" { quote = c; i += 1; continue }
                // An alias starts a node: after indentation, "- ", "? ", ": ", "[", "{" or ",".
                if c == "*", i == 0 || " \t[{,".contains(chars[i - 1]) {
                    aliases += 1
                    if aliases > maxAliases {
                        return ("more than \(maxAliases) aliases (*name): a spec has no need for that many", number + 1, i + 1)
                    }
                    var j = i + 1
                    while j < chars.count, !" \t,]}:".contains(chars[j]) { j += 1 }
                    var k = j
                    while k < chars.count, chars[k] == " " || chars[k] == "\t" { k += 1 }
                    let before = chars[..<i].filter { $0 != " " && $0 != "\t" }
                    if (k < chars.count && chars[k] == ":") || before.last == "?" {
                        return ("an alias (*\(String(chars[(i + 1)..<j]))) cannot be a mapping key in a spec", number + 1, i + 1)
                    }
                    i = j; continue
                }
                i += 1
            }
        }
        return nil
    }
}
