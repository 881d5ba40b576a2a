import CZ3

/// Nudging a model towards values a reader recognises and PostgreSQL runs: small uuids and integers, short
/// text, uuids in PostgreSQL's form where a uuid is read, and no error on either side where one can be had.
extension WitnessBuilder {
    typealias Choice = (name: String, candidates: [Z3_ast], index: Int)

    /// Tries small values for every variable at once, as assumptions: when they cannot all hold, the ones in
    /// the unsatisfiable core move on to their next candidate. True when a nudged model is in the solver.
    /// A setting the model left unset or empty is first tried set (to a uuid where it may be one): a witness
    /// that reads "another tenant's row, with a tenant set" says more than one with no context at all.
    /// Where the check reads text, each string's last candidate is the model's own value, so every round is a
    /// check of concrete values (Z3 4.8 can take seconds on a string left free beside a pinned one).
    func nudge(_ entries: [Variables.Entry], _ values: [String: Literal?], all: [Variables.Entry]) -> Bool {
        var choices: [Choice] = preferences.enumerated().map { ("preference \($0.offset)", [$0.element], 0) }
        for entry in entries {
            guard let current = values[entry.name] else { continue }
            let readAsUUID = uuidReads.contains(entry.term)
            var candidates = current.map { value in candidatesFor(entry, value, readAsUUID: readAsUUID) } ?? []
            if readAsUUID, current != nil, current != .string("") { candidates.append(pin(entry, .string(""))) }
            if z3.readsText, [.text, .uuid, .unknown].contains(entry.type) {
                candidates.append(current.map { pin(entry, $0) } ?? entry.isNull)
            }
            if !candidates.isEmpty { choices.append((entry.name, candidates, 0)) }
        }
        for entry in all where entry.name.hasPrefix("setting:") && !entries.contains(where: { $0.name == entry.name }) {
            let shaped = z3.apply("is_uuid", [entry.term], domain: [z3.stringSort], range: z3.boolSort)
            let isUUID = solver.evaluate(shaped).flatMap(z3.literal) == .bool(true)
            guard values[entry.name] == .some(nil) || values[entry.name] == .some(.string("")) || !isUUID else { continue }
            let set = z3.and([z3.not(entry.isNull), z3.not(z3.eq(entry.term, z3.string("")))])
            let uuids = z3.readsText ? Self.smallUUIDs.map { z3.and([set, z3.eq(entry.term, z3.string($0))]) } : [z3.and([set, shaped])]
            choices.insert((entry.name, uuids + [set], 0), at: preferences.count)
        }
        if choices.count == preferences.count { return false }
        for round in 0..<12 where !choices.isEmpty {
            let indicators = choices.enumerated().map { i, choice -> Z3_ast in
                let indicator = z3.variable("nudge!\(round)!\(i)", z3.boolSort)
                solver.assert(z3.implies(indicator, choice.candidates[choice.index]))
                return indicator
            }
            let (outcome, core) = solver.check(assuming: indicators)
            guard case .unsatisfiable = outcome else {
                if case .satisfiable = outcome { return true }
                break
            }
            // The last variable in the conflict yields (all of them moving at once could meet again).
            guard let i = indicators.lastIndex(where: { core.contains($0) }) else { break }
            choices[i].index += 1
            choices.removeAll { $0.index >= $0.candidates.count }
        }
        // Nothing nudged, or no round found a model: put back the model the check found.
        if case .satisfiable = solver.check() { return true }
        return false
    }

    /// The small values to try for one variable, each as the condition "it has this value".
    private func candidatesFor(_ entry: Variables.Entry, _ value: Literal, readAsUUID: Bool) -> [Z3_ast] {
        let type: SQLType = readAsUUID ? .uuid : entry.type
        return candidates(type, value).map { pin(entry, $0) }
    }

    /// "The variable has this value", and for text, whether PostgreSQL reads it as a uuid: the solver's uuid
    /// predicate is its own choice, so a concrete text is told the truth.
    func pin(_ entry: Variables.Entry, _ value: Literal) -> Z3_ast {
        let equal = z3.and([z3.not(entry.isNull), z3.eq(entry.term, term(value))])
        guard case .string(let s) = value, [.text, .uuid, .unknown].contains(entry.type) else { return equal }
        let shaped = z3.apply("is_uuid", [term(value)], domain: [z3.stringSort], range: z3.boolSort)
        return z3.and([equal, Translator.canonicalUUID(s) != nil ? shaped : z3.not(shaped)])
    }
}
