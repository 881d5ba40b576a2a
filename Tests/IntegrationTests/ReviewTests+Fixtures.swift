import Foundation
import XCTest

/// Folders, git repositories and specs the review tests build their sides from, all in temporary directories.
enum ReviewFixture {
    /// A hand-written tenant schema as a team writes it before tenantwall: a tenants table, a notes table with
    /// RLS, a reader of its own, an `app_user` role (made unless it exists: roles belong to the whole server).
    /// `policy` is the notes policy's USING, `grants` what the role holds on notes.
    static func schema(policy: String = "tenant_id = current_tenant_id()", grants: String = "SELECT, INSERT", role: String = "app_user") -> String {
        """
        DO $$ BEGIN CREATE ROLE \(role); EXCEPTION WHEN duplicate_object THEN NULL; END $$;
        CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);
        CREATE TABLE notes (
            tenant_id uuid NOT NULL REFERENCES tenants (id),
            id bigint GENERATED ALWAYS AS IDENTITY,
            body text NOT NULL,
            is_public boolean NOT NULL DEFAULT false,
            PRIMARY KEY (tenant_id, id)
        );
        CREATE FUNCTION current_tenant_id() RETURNS uuid LANGUAGE sql STABLE
            AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
        ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
        CREATE POLICY notes_tenant ON notes TO \(role) USING (\(policy));
        GRANT SELECT ON tenants TO \(role);
        GRANT \(grants) ON notes TO \(role);

        """
    }

    /// A temporary folder with `base/migrations/V1__schema.sql` and `head/migrations/V1__schema.sql`.
    static func folders(base: String, head: String) throws -> (root: URL, base: String, head: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tw-review-\(UUID().uuidString.prefix(8))")
        for (side, sql) in [("base", base), ("head", head)] {
            let folder = root.appendingPathComponent(side).appendingPathComponent("migrations")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try sql.write(to: folder.appendingPathComponent("V1__schema.sql"), atomically: true, encoding: .utf8)
        }
        return (root, root.appendingPathComponent("base").path, root.appendingPathComponent("head").path)
    }

    /// A throwaway git repository; returns its folder.
    static func gitRepository() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tw-review-git-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main"], in: root)
        try git(["config", "user.email", "review@example.com"], in: root)
        try git(["config", "user.name", "review test"], in: root)
        return root
    }

    /// Commits everything in the repository and returns the commit's hash.
    @discardableResult
    static func commitAll(_ message: String, in root: URL) throws -> String {
        try git(["add", "-A"], in: root)
        try git(["commit", "-q", "-m", message], in: root)
        return try git(["rev-parse", "HEAD"], in: root).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    static func git(_ arguments: [String], in root: URL) throws -> String {
        let run = try command("/usr/bin/env", ["git"] + arguments, in: root)
        guard run.status == 0 else { throw TenantwallProcessError(message: "git \(arguments.joined(separator: " ")): \(run.stderr)") }
        return run.stdout
    }

    /// The `tenantwall` binary run in `directory` (a git repository's work tree: refs are resolved there).
    static func tenantwall(_ arguments: [String], in directory: URL) throws -> TenantwallProcess.Run {
        try command(TenantwallProcess.binary.path, arguments, in: directory)
    }

    static func command(_ executable: String, _ arguments: [String], in directory: URL) throws -> TenantwallProcess.Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "DATABASE_URL")
        process.environment = environment
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tw-review-out-\(UUID().uuidString)")
        let err = out.appendingPathExtension("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return TenantwallProcess.Run(status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                                     stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// A spec of `count` tenant tables (plus the tenants table), the context binding, an app and an admin role.
    /// `shared` names tables made `isolation: shared` (readable by every tenant).
    static func spec(tables count: Int, shared: Set<Int> = []) -> String {
        var yaml = """
            tenancy:
              column: tenant_id
              type: uuid
              helper_schema: app_helpers
            roles:
              owner: app_owner
              app: app_user
              admin: app_admin
            tables:
              - name: tenants
                isolation: self
                key: id
                columns:
                  id: uuid
                  name: {type: text, not_null: true}
                primary_key: [id]

            """
        for n in 1...count {
            yaml += """
                  - name: table_\(n)
                    isolation: \(shared.contains(n) ? "shared" : "tenant")
                    columns:
                      tenant_id: uuid
                      id: {type: bigint, default: identity}
                      label: {type: text, not_null: true}
                      is_public: {type: boolean, not_null: true, default: "false"}
                    primary_key: [tenant_id, id]

                """
        }
        return yaml
    }
}
