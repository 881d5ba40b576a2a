import Foundation

/// Which custom settings a function sets, read from its source: `set_config('app.x', …, is_local)` and
/// `SET [LOCAL | SESSION] app.x = …` / `TO …`. Text, not a parse: PL/pgSQL bodies are not SQL the parser reads,
/// and a setter is short enough that the two forms cover what applications write.
public struct SettingWrite: Sendable, Equatable {
    public var setting: String
    /// Whether the value outlives the transaction (`set_config(…, false)`, a plain `SET`); nil when the
    /// third argument is not a constant.
    public var session: Bool?

    public init(setting: String, session: Bool?) {
        self.setting = setting
        self.session = session
    }
}

public enum SettingWrites {
    public static func read(_ body: String) -> [SettingWrite] {
        var out: [SettingWrite] = []
        let characters = Array(body)
        let lowered = Array(body.lowercased())
        let name = Array("set_config")
        var i = 0
        while i + name.count <= lowered.count {
            guard Array(lowered[i..<i + name.count]) == name, i == 0 || !isWordCharacter(lowered[i - 1]) else { i += 1; continue }
            var j = i + name.count
            while j < characters.count, characters[j].isWhitespace { j += 1 }
            i += name.count
            guard j < characters.count, characters[j] == "(", let arguments = arguments(characters, open: j) else { continue }
            guard arguments.count == 3, let setting = literal(arguments[0]), setting.contains(".") else { continue }
            let scope = arguments[2].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            out.append(SettingWrite(setting: setting, session: scope == "false" ? true : scope == "true" ? false : nil))
        }
        let pattern = #"(?i)(?:^|[\s;'])SET\s+(LOCAL\s+|SESSION\s+)?([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)\s*(=|\bTO\b)"#
        if let regex = try? NSRegularExpression(pattern: pattern) {
            let range = NSRange(body.startIndex..., in: body)
            for match in regex.matches(in: body, range: range) {
                guard let settingRange = Range(match.range(at: 2), in: body) else { continue }
                let local = Range(match.range(at: 1), in: body).map { body[$0].lowercased().hasPrefix("local") } ?? false
                out.append(SettingWrite(setting: String(body[settingRange]), session: !local))
            }
        }
        return out
    }

    static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    /// The top-level arguments of a call whose `(` is at `open`, or nil when it never closes.
    static func arguments(_ characters: [Character], open: Int) -> [String]? {
        var depth = 0, quoted = false, current = "", out: [String] = []
        var k = open + 1
        while k < characters.count {
            let c = characters[k]
            k += 1
            if c == "'" { quoted.toggle(); current.append(c); continue }
            if quoted { current.append(c); continue }
            switch c {
            case "(": depth += 1; current.append(c)
            case ")":
                if depth == 0 { out.append(current); return out }
                depth -= 1; current.append(c)
            case "," where depth == 0: out.append(current); current = ""
            default: current.append(c)
            }
        }
        return nil
    }

    /// `'app.x'` or `'app.x'::text`: the string; nil for anything computed.
    static func literal(_ argument: String) -> String? {
        var text = argument.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.lowercased().hasSuffix("::text") { text = String(text.dropLast(6)).trimmingCharacters(in: .whitespaces) }
        guard text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") else { return nil }
        let inner = String(text.dropFirst().dropLast())
        guard !inner.replacingOccurrences(of: "''", with: "").contains("'") else { return nil }
        return inner.replacingOccurrences(of: "''", with: "'")
    }
}
