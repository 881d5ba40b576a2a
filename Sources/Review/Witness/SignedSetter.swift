import Foundation
import Identity
import Quoting

/// The signed binding's setter (`set_tenant_context(token)`, a `SECURITY DEFINER` function whose body calls the
/// extension's `verify_token` with the keys and the claim path): a witness' tenant is set by calling it, as the
/// role, with a token signed by a key the run adds to the keys table inside its rolled-back transaction.
struct SignedSetter: Sendable, Equatable {
    var setter: ContextFunction
    /// The keys table, from the setter's body (`FROM "desk"."signing_keys" AS k`).
    var keysSchema: String
    var keysTable: String
    /// The claim path (`app_metadata.org_id`), from `'{"app_metadata","org_id"}'::text[]` in the body.
    var claim: String

    var keys: String { SQL.qualified(keysSchema, keysTable) }

    /// The setter as the extension 0.4.0 generates it: `SELECT "desk"."set_signed_context"(token)`, the keys in
    /// `desk.signing_keys`, the claim from that table's trigger (`ContextFunction.signingClaim`). Else the
    /// plpgsql setter of earlier versions, read from its body.
    init?(_ function: ContextFunction, among functions: [ContextFunction]) {
        if function.argumentTypes.count == 1,
           let schema = Self.capture(#""?([A-Za-z0-9_$]+)"?\."?set_signed_context"?\s*\("#, function.body, 1)?.first,
           let native = functions.first(where: { $0.schema == schema && $0.name == "set_signed_context" }), let claim = native.signingClaim {
            self.init(setter: function, keysSchema: schema, keysTable: "signing_keys", claim: claim)
            return
        }
        self.init(function)
    }

    init(setter: ContextFunction, keysSchema: String, keysTable: String, claim: String) {
        self.setter = setter
        self.keysSchema = keysSchema
        self.keysTable = keysTable
        self.claim = claim
    }

    init?(_ function: ContextFunction) {
        guard function.body.contains("verify_token"), function.argumentTypes.count == 1,
              let keys = Self.capture(#"FROM\s+"?([A-Za-z0-9_$]+)"?\."?([A-Za-z0-9_$]+)"?\s+AS\s+k\b"#, function.body, 2),
              let claim = Self.capture(#"'\{([^}]*)\}'::text\[\]"#, function.body, 1) else { return nil }
        self.init(setter: function, keysSchema: keys[0], keysTable: keys[1],
                  claim: claim[0].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }.joined(separator: "."))
    }

    static func capture(_ pattern: String, _ text: String, _ groups: Int) -> [String]? {
        guard let regex = try? Regex(pattern), let match = text.firstMatch(of: regex) else { return nil }
        return (1...groups).compactMap { match.output[$0].substring.map(String.init) }
    }

    /// The key id a run adds: derived from the secret, so a script reads the same each time for one secret.
    static func keyID(_ secret: [UInt8]) -> String {
        "tenantwall-witness-" + secret.prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// The key, as the keys table stores it (HMAC's padded blocks), added as the superuser.
    func keyInsert(secret: [UInt8]) -> String {
        let blocks = SigningKeyBlocks(secret: secret)
        return "INSERT INTO \(keys) (id, inner_key, outer_key) VALUES (\(SQL.literal(Self.keyID(secret)))"
            + ", \(SQL.literal(SigningKeyBlocks.byteaHex(blocks.inner)))::bytea, \(SQL.literal(SigningKeyBlocks.byteaHex(blocks.outer)))::bytea)"
    }

    /// `SELECT set_tenant_context('<token>')` for the tenant `value`. The token lasts ten years: its key lives
    /// only inside the run's transaction, so a pasted script works whenever it is run.
    func call(_ value: SQLLiteralValue, secret: [UInt8]) throws -> String {
        let numeric = ["bigint", "integer", "smallint", "int8", "int4", "int2", "numeric"].contains(value.cast ?? "")
            || (value.cast == nil && Int(value.text) != nil)
        let claims = JWT.claims(path: claim, value: JWT.claimValue(value.text, numeric: numeric),
                                expires: Date().addingTimeInterval(10 * 365 * 86_400))
        let token = try JWT.sign(claims, secret: secret)
        return "SELECT \(SQL.qualified(setter.schema, setter.name))(\(SQL.literal(token))::text)"
    }
}
