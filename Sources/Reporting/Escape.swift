/// Escaping for the text report formats: XML and HTML (JUnit, verify's and bench's HTML pages, SVG labels)
/// and Markdown table cells. One copy, so that every report escapes a hostile table or role name alike.
public enum Escape {
    /// Text and attribute values in XML and HTML: `& < > " '` as entities, and the control characters XML 1.0
    /// forbids even when escaped replaced by U+FFFD (a JUnit file with one is rejected by CI parsers).
    public static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r" { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// A Markdown table cell: `|` escaped, newlines as spaces, and `<` as `&lt;` so that a name cannot open an
    /// HTML tag where the Markdown is rendered (GitHub pull requests).
    public static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "<", with: "&lt;")
    }
}
