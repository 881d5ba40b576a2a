import Foundation

/// What `tenant-column add --from` says, before the catalog resolves it into a `TenantColumnPlan.Source`.
///
/// Three spellings, each naming where a row's tenant comes from:
/// - `tenant:<id>`: the whole table belongs to one tenant;
/// - `fk:<constraint>`: each row takes the tenant of the row its single-column foreign key points at (the
///   parent's tenant column is named like the new column unless `--parent-column` says otherwise);
/// - `parent:[<schema>.]<table>.<tenant column> via <local column>`: the same without naming the constraint;
///   the local column must reference the parent through a foreign key or equal the parent's primary key.
///
/// Names with a dot cannot be written in the `parent:` form; name the foreign key with `fk:` then.
public enum TenantColumnSource: Sendable, Equatable {
    case constant(String)
    case foreignKey(String)
    case parent(schema: String?, table: String, tenantColumn: String, via: String)

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static let grammar = "tenant:<id>, fk:<constraint> or parent:[<schema>.]<table>.<tenant column> via <local column>"

    public static func parse(_ text: String) throws -> TenantColumnSource {
        func nonEmpty(_ value: Substring) throws -> String {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw Invalid(description: "--from '\(text)': a part is empty; write \(grammar)") }
            return trimmed
        }
        if text.hasPrefix("tenant:") { return .constant(try nonEmpty(text.dropFirst("tenant:".count))) }
        if text.hasPrefix("fk:") { return .foreignKey(try nonEmpty(text.dropFirst("fk:".count))) }
        if text.hasPrefix("parent:") {
            let rest = text.dropFirst("parent:".count)
            guard let via = rest.range(of: " via ") else { throw Invalid(description: "--from '\(text)': the parent form needs ' via <local column>'; write \(grammar)") }
            let parts = try rest[..<via.lowerBound].split(separator: ".", omittingEmptySubsequences: false).map(nonEmpty)
            let local = try nonEmpty(rest[via.upperBound...])
            switch parts.count {
            case 2: return .parent(schema: nil, table: parts[0], tenantColumn: parts[1], via: local)
            case 3: return .parent(schema: parts[0], table: parts[1], tenantColumn: parts[2], via: local)
            default: throw Invalid(description: "--from '\(text)': name the parent's tenant column as [<schema>.]<table>.<column>")
            }
        }
        throw Invalid(description: "--from '\(text)' is not a source: write \(grammar)")
    }
}
