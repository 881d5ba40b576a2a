import Postgres
import PolicyGen

/// A Grafana data-source provisioning fragment for one tenant's login role.
///
/// With one Grafana organisation per tenant, each organisation gets one data source, logging in as that
/// tenant's role: the database decides the tenant, so nothing typed into a panel or a dashboard variable can
/// reach another tenant's rows. The fragment holds the password, so it is written only where it was asked for.
///
///     let yaml = GrafanaDataSource(name: "clinic 7", user: "clinic_7", password: p, settings: db.settings,
///                                  serverVersion: db.serverVersion).yaml
public struct GrafanaDataSource: Sendable {
    /// The plugin id of Grafana's built-in PostgreSQL data source in Grafana 10 and later; older Grafanas know it
    /// as `postgres`, which newer ones still accept as an alias.
    public static let type = "grafana-postgresql-datasource"

    public var name: String
    public var user: String
    public var password: String
    public var settings: Connection.Settings
    /// `server_version_num` of the server (150020 for 15.20).
    public var serverVersion: Int
    /// The tenant's Grafana organisation; omitted (Grafana's default, 1) when nil.
    public var orgID: Int?

    public init(name: String, user: String, password: String, settings: Connection.Settings, serverVersion: Int, orgID: Int? = nil) {
        self.name = name
        self.user = user
        self.password = password
        self.settings = settings
        self.serverVersion = serverVersion
        self.orgID = orgID
    }

    /// Grafana's `sslmode` takes disable, require, verify-ca or verify-full; libpq's prefer and allow become
    /// what the connection actually did.
    public var sslMode: String {
        switch settings.sslMode {
        case "disable", "require", "verify-ca", "verify-full": return settings.sslMode
        default: return settings.sslInUse ? "require" : "disable"
        }
    }

    /// Grafana's `postgresVersion`: major × 100 (1500 for 15, 1800 for 18).
    public var postgresVersion: Int { serverVersion / 10000 * 100 }

    public var yaml: String {
        let q = YAMLText.quoted
        var lines = [
            // No value in the comment: a name with a line break would end it and start YAML of its own.
            "# A Grafana data source for one tenant's login role, written by `tenantwall tenant add`. It holds a password: keep it secret.",
            "apiVersion: 1",
            "datasources:",
            "  - name: \(q(name))",
            "    type: \(Self.type)",
        ]
        if let orgID { lines.append("    orgId: \(orgID)") }
        lines += [
            "    access: proxy",
            "    url: \(q(settings.host + ":" + settings.port))",
            "    user: \(q(user))",
            "    jsonData:",
            "      database: \(q(settings.database))",
            "      sslmode: \(q(sslMode))",
            "      postgresVersion: \(postgresVersion)",
            "    secureJsonData:",
            "      password: \(q(password))",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
