import Quoting

/// Names of the change trail's objects, in one place for the generator, plan's fingerprint, verify and the tests.
public struct TrailNames: Sendable {
    public let schema: String
    public let role: String
    public let tenantColumn: String
    public let tenantType: String

    public init(spec: Spec) {
        schema = spec.trailSchema
        role = spec.trailRole
        tenantColumn = spec.tenancy.column
        tenantType = spec.tenancy.type.rawValue
    }

    /// `<schema>.change_trail`, quoted.
    public var table: String { SQL.qualified(schema, "change_trail") }
    public var append: String { SQL.qualified(schema, "change_trail_append") }
    public var guardFunction: String { SQL.qualified(schema, "change_trail_guard") }
    public var redact: String { SQL.qualified(schema, "trail_redact") }
    /// The row trigger on every trailed table (on a walled hypertable, on its storage).
    public static let trigger = "tw_change_trail"
    /// The setting `trail_redact` turns on, transaction-locally, for the guard.
    public static let redactionSetting = "tenantwall.trail_redaction"
}
