import ArgumentParser
import Foundation
import Identity
import PolicyGen
import Tenantwall

/// `tenant add`'s options for the tenant's login role (the `role` binding): which role it joins, its password,
/// and a Grafana data source that logs in with it. The password never comes from the command line (other
/// users can read the process list) and is never printed, except into the data-source file asked for.
struct TenantLoginOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Make the tenant role a member of this read-only role (one of the spec's roles.readonly) instead of the app role.", valueName: "role"))
    var memberOf: String?

    @Flag(help: "Make the tenant role a member of the spec's read-only role (when it names exactly one).")
    var readOnly = false

    @Option(help: ArgumentHelp("Give the tenant role the password in this environment variable (default with --grafana-datasource: a generated one).", valueName: "name"))
    var passwordEnv: String?

    @Option(help: ArgumentHelp("Write a Grafana data-source provisioning file for the tenant role, with its password; - for stdout.", valueName: "file|-"))
    var grafanaDatasource: String?

    @Option(help: ArgumentHelp("The tenant's Grafana organisation, written as the data source's orgId.", valueName: "id"))
    var grafanaOrgId: Int?

    var toStdout: Bool { grafanaDatasource == "-" }

    func validate() throws {
        if readOnly && memberOf != nil { throw ValidationError("give --read-only or --member-of, not both") }
        if grafanaOrgId != nil && grafanaDatasource == nil { throw ValidationError("--grafana-org-id goes with --grafana-datasource") }
        if let grafanaOrgId, grafanaOrgId < 1 { throw ValidationError("--grafana-org-id takes a Grafana organisation id (1 or more)") }
        if grafanaDatasource?.isEmpty == true { throw ValidationError("--grafana-datasource takes a file name or -") }
    }

    /// The login to create, checked against the spec.
    func login(for spec: Spec) throws -> TenantLogin {
        let wantsLogin = readOnly || memberOf != nil || passwordEnv != nil || grafanaDatasource != nil
        if wantsLogin && spec.tenancy.binding != .role {
            throw ToolError("--member-of, --read-only, --password-env and --grafana-datasource are for tenant login roles: the spec's binding is \(spec.tenancy.binding.rawValue), not role")
        }
        var role = memberOf
        if readOnly {
            guard spec.roles.readonly.count == 1 else {
                throw ToolError("--read-only needs exactly one role in the spec's roles.readonly (it has \(spec.roles.readonly.count)); name one with --member-of")
            }
            role = spec.roles.readonly[0]
        }
        var login = TenantLogin(memberOf: role)
        if let passwordEnv {
            guard let value = ProcessInfo.processInfo.environment[passwordEnv], !value.isEmpty else { throw ToolError("environment variable \(passwordEnv) is not set") }
            login.password = value
        } else if grafanaDatasource != nil {
            login.password = TenantLogin.generatedPassword()
        }
        _ = try login.role(in: spec)
        return login
    }

    /// Creates the data-source file, empty and readable by its owner only, before anything is provisioned: a
    /// file that cannot be written stops the command while nothing has changed.
    func prepareFile() throws {
        guard let path = grafanaDatasource, !toStdout else { return }
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw ToolError("cannot write \(path)")
        }
    }

    /// Writes the fragment where it was asked for.
    func write(_ dataSource: GrafanaDataSource) throws {
        guard let path = grafanaDatasource else { return }
        if toStdout { return print(dataSource.yaml, terminator: "") }
        do {
            try Data(dataSource.yaml.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ToolError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
