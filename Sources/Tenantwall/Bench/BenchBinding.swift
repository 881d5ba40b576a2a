import Foundation
import Migrations
import PolicyGen

/// How each mode tells the server its tenant. The contrast style reads a plain setting holding the tenant id;
/// the generated policies follow the spec's binding: the same id in the context binding, a signed token
/// (HS256, minted here with the benchmark's own key) in the signed binding, so the benchmark measures the
/// signature check the policies run. The baseline names its tenant in the query.
public struct BenchBinding: Sendable {
    public let plainSetting: String
    public let generatedSetting: String
    /// Tenant id → token, in the signed binding.
    let tokens: [String: String]

    public init(tenancy: Tenancy, tenants: [String] = [], secret: [UInt8]? = nil) throws {
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
            let value: Any = [.bigint, .integer].contains(tenancy.type) ? (Int(id) ?? 0) as Any : id as Any
            tokens[id] = try JWT.sign(JWT.claims(path: tenancy.claim, value: value, expires: expires), secret: secret)
        }
        self.tokens = tokens
    }

    public func setting(_ mode: BenchRunner.Mode) -> String { mode == .generated ? generatedSetting : plainSetting }

    public func value(_ mode: BenchRunner.Mode, tenant: String) -> String { mode == .generated ? tokens[tenant] ?? tenant : tenant }
}
