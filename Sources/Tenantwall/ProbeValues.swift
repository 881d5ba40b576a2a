import Foundation
import PolicyGen
import Quoting

/// Literal values for probe rows: something valid for each column type, and tenant ids per tenant type.
public enum ProbeValues {
    public static func literal(forType raw: String, seed: Int) -> String {
        let type = TypeName.normalize(raw) ?? raw
        let value = text(TypeCategory(type), seed: seed)
        if type.hasSuffix("[]") { return SQL.literal("{\"\(value)\"}") + "::" + type }
        return SQL.literal(value) + "::" + type
    }

    /// A value of the category as text, distinct per seed where the type allows it.
    public static func text(_ category: TypeCategory, seed: Int) -> String {
        switch category {
        case .uuid: return ProbeValues.uuid(seed)
        case .timestamp: return "\(date(seed)) 10:00:00+00"
        case .date: return date(seed)
        case .json: return "{}"
        case .boolean: return "false"
        case .inet: return "10.0.0.\(seed % 250)"
        case .interval: return "1 hour"
        case .time: return "10:00:00"
        case .macaddr: return "08:00:2b:01:02:\(String(format: "%02x", seed % 256))"
        case let category where category.isNumber: return String(seed % 30000)
        default: return "probe-\(seed)"
        }
    }

    /// A distinct day for each seed below 336, in 2026.
    public static func date(_ seed: Int) -> String {
        let day = 1 + seed % 28, month = 1 + (seed / 28) % 12
        return "2026-" + (month < 10 ? "0" : "") + "\(month)-" + (day < 10 ? "0" : "") + "\(day)"
    }

    public static func uuid(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    /// The id of probe tenant number `n` (0, 1, 2 …) as text.
    public static func tenant(_ n: Int, type: TenantType) -> String {
        switch type {
        case .uuid: return "7e4a47e0-0000-4000-8000-" + String(uuid(n).suffix(12))
        case .bigint, .integer: return String(910_000 + n)
        case .text: return "probe-tenant-\(n)"
        }
    }
}
