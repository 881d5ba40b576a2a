import Foundation

/// Reads the one PL/pgSQL shape a wall calls: guards that raise (at least one), then a value.
///
///     BEGIN
///         IF <condition> THEN RAISE EXCEPTION '…' USING …; END IF;   -- one or more
///         RETURN <expression>;
///     END
///
/// as `CASE WHEN <condition> THEN <raise> … ELSE <expression> END` (an IF whose condition is NULL does not run,
/// as a CASE branch does not). tenantwall's `missing_tenant_context(relation)` (tenancy.missing_context: error) is
/// this shape. Anything else (DECLARE, loops, assignments, another statement) is not read: nil, and the
/// function stays a value the solver does not look into.
enum PlpgsqlGuard {
    static func read(_ body: String) -> Expr? {
        var statements = split(body)
        guard let first = statements.first, let begin = strip(first, prefix: "BEGIN") else { return nil }
        statements[0] = begin
        guard statements.count >= 2, statements.removeLast().uppercased() == "END" else { return nil }
        guard let last = statements.popLast(), let returned = strip(last, prefix: "RETURN"),
              let value = ExpressionCache.shared.body("SELECT " + returned) else { return nil }
        var branches: [CaseBranch] = []
        var i = 0
        while i < statements.count {
            guard let guarded = strip(statements[i], prefix: "IF"), let then = topLevelRange(of: " THEN ", in: guarded),
                  let raise = strip(String(guarded[then.upperBound...]), prefix: "RAISE"), isException(raise),
                  i + 1 < statements.count, statements[i + 1].uppercased().split(whereSeparator: \.isWhitespace) == ["END", "IF"],
                  let condition = try? ExpressionCache.shared.read(String(guarded[..<then.lowerBound]))
            else { return nil }
            branches.append(CaseBranch(condition: condition, result: .raise))
            i += 2
        }
        // No guard: not this shape (a plain reader stays a value keyed by its body, as the witness names it).
        return branches.isEmpty ? nil : .caseWhen(subject: nil, branches: branches, otherwise: value)
    }

    /// The value of a body that is only `BEGIN RETURN <expression>; END`, for the caller to decide whether to read
    /// it (`Translator.nativeReturn`): nil for any other shape.
    static func plainReturn(_ body: String) -> Expr? {
        var statements = split(body)
        guard statements.count == 2, let begin = strip(statements[0], prefix: "BEGIN"), statements.removeLast().uppercased() == "END",
              let returned = strip(begin, prefix: "RETURN") else { return nil }
        return ExpressionCache.shared.body("SELECT " + returned)
    }

    /// `RAISE [EXCEPTION] …` (no level is EXCEPTION); not `RAISE NOTICE` and the like, which do not stop.
    static func isException(_ raise: String) -> Bool {
        let level = raise.split(whereSeparator: \.isWhitespace).first.map { $0.uppercased() } ?? ""
        return level == "EXCEPTION" || level.hasPrefix("'") || level.isEmpty
    }

    /// The text after a leading keyword (whole word, any case), trimmed; nil when it does not start with it.
    static func strip(_ text: String, prefix keyword: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.uppercased().hasPrefix(keyword) else { return nil }
        let rest = trimmed.dropFirst(keyword.count)
        guard rest.first.map({ $0.isWhitespace }) ?? true else { return nil }
        return rest.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The statements of a body, split at the semicolons outside quotes, comments and parentheses.
    static func split(_ body: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        var depth = 0
        var lineComment = false
        for char in body {
            if lineComment {
                if char == "\n" { lineComment = false; current.append(" ") }
                continue
            }
            if let q = quote {
                current.append(char)
                if char == q { quote = nil }
                continue
            }
            switch char {
            case "'", "\"": quote = char
            case "(": depth += 1
            case ")": depth -= 1
            case "-" where current.last == "-":
                current.removeLast()
                lineComment = true
                continue
            case ";" where depth == 0:
                parts.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
                continue
            default: break
            }
            current.append(char)
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { parts.append(rest) }
        return parts.filter { !$0.isEmpty }
    }

    /// Where `word` (spaces around it, any case, any whitespace) first occurs outside quotes and parentheses.
    static func topLevelRange(of word: String, in text: String) -> Range<String.Index>? {
        var quote: Character?
        var depth = 0
        let keyword = word.trimmingCharacters(in: .whitespaces).uppercased()
        var i = text.startIndex
        while i < text.endIndex {
            let char = text[i]
            if let q = quote {
                if char == q { quote = nil }
            } else if char == "'" || char == "\"" {
                quote = char
            } else if char == "(" {
                depth += 1
            } else if char == ")" {
                depth -= 1
            } else if depth == 0, char.isWhitespace, i > text.startIndex {
                let start = text.index(after: i)
                if text[start...].uppercased().hasPrefix(keyword) {
                    let end = text.index(start, offsetBy: keyword.count)
                    if end == text.endIndex || text[end].isWhitespace { return i..<end }
                }
            }
            i = text.index(after: i)
        }
        return nil
    }
}
