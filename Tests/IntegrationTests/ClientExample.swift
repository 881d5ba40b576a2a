import Foundation
import XCTest

/// One runnable example under `clients/`: where its toolchain comes from, why it cannot run here, and how to
/// run it with a scenario's environment.
///
/// Every toolchain is a Debian package that scripts/setup.sh installs; an example whose toolchain is absent is
/// skipped with the package to install, never passed. The examples read their connection from libpq's `PG*`
/// variables and the scenario from `TW_*` variables, and print one JSON line per step (docs/clients.md).
struct ClientExample: Sendable {
    let name: String
    /// Why the example cannot run here (the missing program or package), or nil.
    let missing: @Sendable () -> String?
    /// The command line, building the program first where the language needs it.
    let command: @Sendable () throws -> [String]
    var environment: [String: String] = [:]
    /// Whether the example shows the Citus pattern (steps `routed` and `routed-other`).
    var routes = false

    static let directory = TestServer.root.appendingPathComponent("clients")

    /// Debian's Go packages live in GOPATH form under /usr/share/gocode; the examples build in GOPATH mode
    /// against them, offline, with no go.mod to resolve.
    static let goEnvironment = ["GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOFLAGS": "", "GOPROXY": "off"]
    /// Debian's node-pg is in /usr/share/nodejs; where a NodeSource nodejs makes it uninstallable, setup.sh
    /// unpacks the same Debian files under /usr/local/lib/tenantwall/nodejs.
    static let nodePath = "/usr/share/nodejs:/usr/local/lib/tenantwall/nodejs/usr/share/nodejs"

    static func go(_ name: String, package: String, debian: String, routes: Bool = false) -> ClientExample {
        ClientExample(name: name, missing: {
            guard let go = Toolchain.find("go") else { return "no go toolchain (apt-get install golang-go; scripts/setup.sh installs it)" }
            guard FileManager.default.fileExists(atPath: "/usr/share/gocode/src/" + package) else {
                return "no \(package) in /usr/share/gocode (apt-get install \(debian); scripts/setup.sh installs it) for \(go)"
            }
            return nil
        }, command: { [try Toolchain.goBuild(name)] }, environment: goEnvironment, routes: routes)
    }

    static let goLibPQ = go("go-libpq", package: "github.com/lib/pq", debian: "golang-github-lib-pq-dev")
    static let goPgx = go("go-pgx", package: "github.com/jackc/pgx/v4", debian: "golang-github-jackc-pgx-v4-dev", routes: true)

    static let nodePg = ClientExample(name: "node-pg", missing: {
        guard let node = Toolchain.find("node") else { return "no node (apt-get install node-pg brings nodejs; scripts/setup.sh installs it)" }
        let probe = Toolchain.run([node, "-e", "require('pg')"], environment: ["NODE_PATH": nodePath], timeout: 30)
        return probe.status == 0 ? nil : "node cannot load pg from \(nodePath) (apt-get install node-pg; scripts/setup.sh installs it): \(probe.stderr.prefix(300))"
    }, command: { [try XCTUnwrap(Toolchain.find("node")), directory.appendingPathComponent("node-pg/example.js").path] },
       environment: ["NODE_PATH": nodePath])

    static func python(_ name: String, modules: [String], debian: String, routes: Bool = false) -> ClientExample {
        ClientExample(name: name, missing: {
            Toolchain.python(importing: modules) == nil
                ? "no python3 that imports \(modules.joined(separator: ", ")) (apt-get install \(debian); scripts/setup.sh installs it)" : nil
        }, command: {
            [try XCTUnwrap(Toolchain.python(importing: modules)), directory.appendingPathComponent(name + "/example.py").path]
        }, routes: routes)
    }

    /// dbt is not in Debian: scripts/setup.sh installs dbt-core and dbt-postgres 1.9 from PyPI into a virtual
    /// environment at /opt/tenantwall/dbt (later dbt-core fetches a parser from GitHub at install time).
    static var dbtBinary: String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["DBT"], !path.isEmpty { return FileManager.default.isExecutableFile(atPath: path) ? path : nil }
        let fixed = (environment["TENANTWALL_DBT"] ?? "/opt/tenantwall/dbt") + "/bin/dbt"
        return FileManager.default.isExecutableFile(atPath: fixed) ? fixed : Toolchain.find("dbt")
    }

    static let psycopg = python("python-psycopg", modules: ["psycopg"], debian: "python3-psycopg", routes: true)
    static let sqlalchemy = python("python-sqlalchemy", modules: ["sqlalchemy", "psycopg2"], debian: "python3-sqlalchemy python3-psycopg2")

    /// Runs the example with the scenario's connection and `TW_*` settings; the steps it printed, by name.
    func run(_ environment: [String: String]) throws -> (steps: [String: ClientStep], output: String) {
        let result = Toolchain.run(try command(), environment: self.environment.merging(environment) { $1 }, timeout: 120)
        let output = "exit \(result.status)\nstdout:\n\(result.stdout)\nstderr:\n\(result.stderr)"
        guard result.status == 0 else { throw ToolchainError(message: "\(name) failed: \(output)") }
        var steps: [String: ClientStep] = [:]
        for line in result.stdout.split(separator: "\n") {
            let step = try ClientStep(json: String(line))
            steps[step.name] = step
        }
        return (steps, output)
    }
}

/// One step an example printed: the backend it ran on, the tenant column of each row it read, or the
/// SQLSTATE it failed with.
struct ClientStep: Equatable {
    var name: String
    var backend: Int?
    var tenants: [String]?
    var error: String?

    init(json: String) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], let name = object["step"] as? String else {
            throw ToolchainError(message: "not a step: \(json)")
        }
        self.name = name
        backend = (object["backend"] as? NSNumber)?.intValue
        tenants = object["tenants"] as? [String]
        error = object["error"] as? String
    }
}

struct ToolchainError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Finding and running the examples' programs.
enum Toolchain {
    static func find(_ program: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return path.map { $0 + "/" + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Debian's python3 first (its packages are what setup installs), then the first on PATH.
    static func python(importing modules: [String]) -> String? {
        let candidates = ["/usr/bin/python3"] + [find("python3")].compactMap { $0 }
        return candidates.first { candidate in
            FileManager.default.isExecutableFile(atPath: candidate)
                && run([candidate, "-c", modules.map { "import " + $0 }.joined(separator: "; ")], timeout: 30).status == 0
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var built: [String: String] = [:]

    /// Builds clients/<name> once per test run into a temporary directory.
    static func goBuild(_ name: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let binary = built[name] { return binary }
        let binary = FileManager.default.temporaryDirectory.appendingPathComponent("tenantwall-\(name)-\(getpid())").path
        let go = try XCTUnwrap(find("go"))
        let result = run([go, "build", "-o", binary, "."], environment: ClientExample.goEnvironment, timeout: 600,
                         directory: ClientExample.directory.appendingPathComponent(name))
        guard result.status == 0 else { throw ToolchainError(message: "go build \(name) failed:\n\(result.stderr)") }
        built[name] = binary
        return binary
    }

    /// Runs a program to completion (killed after `timeout` seconds), its output in files so that a full pipe
    /// never blocks it. DATABASE_URL is removed: the examples connect where the test says.
    static func run(_ argv: [String], environment: [String: String] = [:], timeout: TimeInterval,
                    directory: URL? = nil) -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DATABASE_URL")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let tmp = FileManager.default.temporaryDirectory
        let out = tmp.appendingPathComponent("tw-client-out-\(UUID().uuidString)"), err = tmp.appendingPathComponent("tw-client-err-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        do {
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            process.standardInput = FileHandle.nullDevice
            try process.run()
        } catch {
            return (127, "", "\(argv[0]): \(error)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { process.terminate(); process.waitUntilExit(); break }
            usleep(20_000)
        }
        process.waitUntilExit()
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        return (process.terminationStatus, read(out), read(err) + (Date() > deadline ? "\n(killed after \(Int(timeout)) s)" : ""))
    }
}
