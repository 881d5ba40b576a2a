import CZ3

/// `LIKE`/`ILIKE`: a constant pattern becomes a Z3 regular expression (`%` any string, `_` one character,
/// `\` escapes); a pattern built as `expr || '%'`, `'%' || expr` or `'%' || expr || '%'` becomes prefix,
/// suffix or containment of the expression's value (its own `%` and `_` taken literally).
extension Translator {
    /// One piece of a pattern: constant text (with wildcards) or a value computed at run time.
    enum PatternPart {
        case constant(String)
        case value(SQLValue)
    }

    func like(_ subject: Expr, _ pattern: Expr, caseInsensitive: Bool, _ scope: Scope) throws -> SQLValue {
        let s = try coerce(try translate(subject, scope, hint: .text), to: .text)
        let parts = try patternParts(pattern, scope)
        let values = parts.compactMap { part -> SQLValue? in if case .value(let v) = part { return v } else { return nil } }
        if values.isEmpty {
            let text = parts.map { part -> String in if case .constant(let c) = part { return c } else { return "" } }.joined()
            return logic.value(.bool, z3.inRegex(s.term, regex(text, caseInsensitive: caseInsensitive)), from: [s])
        }
        guard !caseInsensitive, values.count == 1 else {
            throw Unreadable(construct: "a LIKE pattern built from several values or matched with ILIKE")
        }
        let v = values[0]
        let shape = parts.map { part -> String in if case .constant(let c) = part { return c } else { return "$" } }.joined()
        let term: Z3_ast
        switch shape {
        case "$": term = z3.eq(s.term, v.term)
        case "$%": term = z3.prefix(v.term, of: s.term)
        case "%$": term = z3.suffix(v.term, of: s.term)
        case "%$%": term = z3.contains(s.term, v.term)
        default: throw Unreadable(construct: "the LIKE pattern \(shape.replacingOccurrences(of: "$", with: "<value>"))")
        }
        return logic.value(.bool, term, from: [s, v])
    }

    /// Flattens `a || b || …` into constant and computed parts, constants merged.
    func patternParts(_ pattern: Expr, _ scope: Scope) throws -> [PatternPart] {
        switch pattern {
        case .concat(let a, let b): return merge(try patternParts(a, scope) + patternParts(b, scope))
        case .literal(.string(let text)): return [.constant(text)]
        case .cast(.literal(.string(let text)), let type) where SQLType(type) == .text: return [.constant(text)]
        default:
            let v = try coerce(try translate(pattern, scope, hint: .text), to: .text)
            if let literal = z3.literal(v.term), case .string(let text) = literal, z3.literal(v.isNull).map({ $0 == .bool(false) }) ?? false {
                return [.constant(text)]
            }
            return [.value(v)]
        }
    }

    private func merge(_ parts: [PatternPart]) -> [PatternPart] {
        var out: [PatternPart] = []
        for part in parts {
            if case .constant(let b) = part, case .constant(let a)? = out.last {
                out[out.count - 1] = .constant(a + b)
            } else {
                out.append(part)
            }
        }
        return out
    }

    /// A constant LIKE pattern as a regular expression.
    func regex(_ pattern: String, caseInsensitive: Bool) -> Z3_ast {
        var parts: [Z3_ast] = []
        var escaped = false
        for char in pattern {
            if escaped {
                parts.append(character(char, caseInsensitive))
                escaped = false
                continue
            }
            switch char {
            case "\\": escaped = true
            case "%": parts.append(z3.anyStringRegex())
            case "_": parts.append(z3.anyCharRegex())
            default: parts.append(character(char, caseInsensitive))
            }
        }
        return z3.concatRegex(parts)
    }

    private func character(_ char: Character, _ caseInsensitive: Bool) -> Z3_ast {
        let lower = String(char).lowercased()
        let upper = String(char).uppercased()
        guard caseInsensitive, lower != upper else { return z3.literalRegex(String(char)) }
        return z3.unionRegex([z3.literalRegex(lower), z3.literalRegex(upper)])
    }
}
