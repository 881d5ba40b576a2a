import CZ3

extension PredicateSolver {
    /// Whether `predicate` admits the row and context of `witness`: true (TRUE), false (FALSE, NULL or an
    /// error), nil when the witness leaves it open (a value it does not give, an opaque value).
    ///
    /// Reads the witness's literals back, as a reader of the report would, so a test can check that a witness
    /// really is a counterexample: the premise admits it and the conclusion does not.
    public func evaluate(_ predicate: Predicate, in side: Side, under witness: Witness) -> Bool? {
        Z3ContextPool.shared.using { evaluate(predicate, in: side, under: witness, $0) }
    }

    private func evaluate(_ predicate: Predicate, in side: Side, under witness: Witness, _ z3: Z3Context) -> Bool? {
        let translator = Translator(z3)
        try? translator.remember(predicate, side)
        guard let admitted = try? translator.admits(predicate, in: side) else { return nil }
        var pins: [Z3_ast] = []
        for entry in translator.variables.orderedColumns {
            guard let given = witness.row[entry.name] else { return nil }
            pins.append(pin(entry, given, translator))
        }
        let keys = translator.variables.orderedContext.map(\.key)
        for (key, entry) in translator.variables.orderedContext {
            guard let given = witness.context[WitnessBuilder.witnessName(key, among: keys)] ?? witness.context[key] else {
                // A value no statement sets, left out of the witness because it does not matter: free here too.
                if WitnessBuilder.isUnreadable(key, entry) { continue }
                return nil
            }
            pins.append(pin(entry, given, translator, raw: key.hasPrefix("setting:") || key == "session_user"))
        }
        pins += translator.allConstraints
        func possible(_ outcome: Z3_ast) -> Bool? {
            let solver = Z3Solver(z3, timeoutMilliseconds: timeoutMilliseconds)
            for p in pins { solver.assert(p) }
            solver.assert(outcome)
            switch solver.check() {
            case .satisfiable: return true
            case .unsatisfiable: return false
            case .undecided: return nil
            }
        }
        guard let canTrue = possible(admitted), let canFalse = possible(z3.not(admitted)) else { return nil }
        return canTrue == canFalse ? nil : canTrue
    }

    /// The condition "this variable has the witness's value", the value read back from its SQL literal.
    private func pin(_ entry: Variables.Entry, _ given: String?, _ translator: Translator, raw: Bool = false) -> Z3_ast {
        let z3 = translator.z3
        guard let given else { return entry.isNull }
        let text = raw ? given : Self.unquote(given)
        let value: Z3_ast
        switch entry.type {
        case .bool: value = z3.bool(text == "true")
        case .int:
            if let n = Int(text) { value = z3.int(n) } else if let s = Translator.seconds(text) { value = z3.int(s) } else { return z3.bool(true) }
        case .opaque: return z3.not(entry.isNull)
        default:
            value = z3.string(text)
            // Whether PostgreSQL reads the text as a uuid is known here: say so to the solver.
            let shaped = translator.isUUID(value)
            return z3.and([z3.not(entry.isNull), z3.eq(entry.term, value), Translator.canonicalUUID(text) == text ? shaped : z3.not(shaped)])
        }
        return z3.and([z3.not(entry.isNull), z3.eq(entry.term, value)])
    }

    /// `'it''s'::text` → `it's`; `42` → `42`.
    static func unquote(_ literal: String) -> String {
        var text = literal
        if text.hasPrefix("'"), let end = text.lastIndex(of: "'"), end > text.startIndex {
            text = String(text[text.index(after: text.startIndex)..<end]).replacingOccurrences(of: "''", with: "'")
        } else if text.hasPrefix("E'"), let end = text.lastIndex(of: "'"), end > text.index(after: text.startIndex) {
            text = String(text[text.index(text.startIndex, offsetBy: 2)..<end]).replacingOccurrences(of: "''", with: "'")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        return text
    }
}
