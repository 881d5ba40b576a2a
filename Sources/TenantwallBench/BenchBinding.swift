import Foundation
import Identity
import PolicyGen
import Quoting
import Tenantwall

/// How each mode tells the server its tenant. The contrast and `context` modes read a plain setting holding
/// the tenant id; the generated policies follow the spec's binding: the same id in the context binding, a
/// signed token (HS256, minted here with the benchmark's own key) in the signed binding, so the benchmark
/// measures the signature check the policies run. On the native extension, the signed binding's token is
/// verified by `set_tenant_context()` (the policies then read the verified tenant), so that is how the
/// generated mode binds; the inline comparison mode presents the token in its setting, which its policies
/// verify per statement. The baseline names its tenant in the query.
public struct BenchBinding: Sendable {
    public let plainSetting: String
    public let generatedSetting: String
    let tenancy: Tenancy
    /// Tenant id → token, in the signed binding.
    let tokens: [String: String]

    public init(tenancy: Tenancy, tenants: [String] = [], secret: [UInt8]? = nil) throws {
        self.tenancy = tenancy
        plainSetting = tenancy.setting
        guard tenancy.binding == .signed, let secret else {
            generatedSetting = tenancy.setting
            tokens = [:]
            return
        }
        generatedSetting = tenancy.tokenSetting
        var tokens: [String: String] = [:]
        let expires = Date().addingTimeInterval(24 * 3600)
        for id in tenants {
            tokens[id] = try JWT.sign(JWT.claims(path: tenancy.claim, value: JWT.claimValue(id, numeric: tenancy.type.isNumeric), expires: expires), secret: secret)
        }
        self.tokens = tokens
    }

    var signed: Bool { tenancy.binding == .signed && !tokens.isEmpty }

    /// The statement and arguments that bind a session of `mode` to `tenant`, for the transaction (`local`) or
    /// the session; nil for the baseline.
    public func bind(_ mode: BenchRunner.Mode, tenant: String, local: Bool) -> (sql: String, arguments: [String?])? {
        let token = tokens[tenant] ?? tenant
        let setConfig = "SELECT pg_catalog.set_config($1, $2, \(local))"
        switch mode.binding {
        case .baseline: return nil
        case .generated where signed && tenancy.nativeReader || tenancy.citus:
            // The verified token (native signed binding), or SET LOCAL carried to the workers (Citus).
            return ("SELECT \(SQL.qualified(tenancy.helperSchema, "set_tenant_context"))($1\(tenancy.citus ? "::" + tenancy.type.rawValue : ""))", [token])
        case .generated, .inline: return (setConfig, [generatedSetting, signed ? token : tenant])
        case .context, .contrast: return (setConfig, [plainSetting, tenant])
        case .walledBaseline, .walled, .compressedBaseline, .compressed, .trivial: return nil  // `binding` maps them to the above
        }
    }

    /// The one statement of the end-to-end pattern that binds the transaction, taking the value `value(_:)`
    /// gives: tenantwall's setter for the generated and inline modes, a bare `set_config` for the others.
    func contextStatement(_ mode: BenchRunner.Mode) -> String? {
        if mode == .trivial { return "SELECT $1::\(tenancy.type.rawValue)" }
        switch mode.binding {
        case .baseline: return nil
        case .generated: return "SELECT \(SQL.qualified(tenancy.helperSchema, "set_tenant_context"))($1\(tenancy.citus ? "::" + tenancy.type.rawValue : ""))"
        case .inline: return "SELECT \(SQL.qualified(BenchSpec.inlineSchema, "set_tenant_context"))($1)"
        case .context, .contrast: return "SELECT pg_catalog.set_config(\(SQL.literal(plainSetting)), $1, true)"
        case .walledBaseline, .walled, .compressedBaseline, .compressed, .trivial: return nil
        }
    }

    /// What `contextStatement(_:)` takes for a tenant.
    public func value(_ mode: BenchRunner.Mode, tenant: String) -> String {
        (mode.binding == .generated || mode == .inline) ? tokens[tenant] ?? tenant : tenant
    }
}
