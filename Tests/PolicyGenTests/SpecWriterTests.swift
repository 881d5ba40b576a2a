import Foundation
import PolicyGen
import XCTest

/// The spec `init` writes reads back as the same spec, with its questions as comments where they belong.
final class SpecWriterTests: XCTestCase {
    func draft() -> SpecDraft {
        var tenancy = Tenancy()
        tenancy.column = "org id"
        tenancy.type = .bigint
        tenancy.setting = "app.org"
        var roles = Roles()
        roles.owner = "owner"
        roles.app = "yes"            // a YAML 1.1 boolean, unless quoted
        roles.readonly = ["bi: team", "#report"]
        roles.ownerAccess = .all
        roles.create = false
        let orgs = Table(schema: "public", name: "orgs", isolation: .self, key: "id", reason: nil,
                         columns: [Column(name: "id", type: "bigint", notNull: true, defaultValue: .function("identity")),
                                   Column(name: "name", type: "character varying(40)", defaultValue: .string("it's \"new\"\\n"))],
                         primaryKey: ["id"], grants: [("yes", [.select, .insert])], restrict: nil, indexes: [], hypertable: nil, partitioning: nil)
        var events = Table(schema: "raw data", name: "events", isolation: .tenant, key: nil, reason: nil,
                           columns: [Column(name: "org id", type: "bigint", notNull: true),
                                     Column(name: "at", type: "timestamp with time zone", notNull: true, defaultValue: .function("now()")),
                                     Column(name: "amount", type: "numeric(12,2)", defaultValue: .number("-1.5")),
                                     Column(name: "flag", type: "boolean", defaultValue: .bool(false)),
                                     Column(name: "kind", type: "raw.event_kind", defaultValue: .string("now()")),
                                     Column(name: "true", type: "text", defaultValue: .string("42"))],
                           primaryKey: ["org id", "at"], grants: [("yes", [.select, .insert, .update, .delete]), ("bi: team", [.select])],
                           restrict: nil, indexes: [], hypertable: nil, partitioning: nil)
        events.indexes = [Index(name: "events_recent", columns: [IndexColumn(name: "org id", descending: false), IndexColumn(name: "at", descending: true)],
                                include: ["amount"], unique: true, predicate: "(kind <> 'x'::raw.event_kind)", location: nil)]
        events.partitioning = Partitioning(column: "at", interval: "1 month", premake: 2, manager: .native)
        let settings = Table(schema: "public", name: "settings", isolation: .exempt, key: nil, reason: "written by yes: why?",
                             columns: [Column(name: "k", type: "text")], primaryKey: [], grants: [("yes", [])], restrict: nil, indexes: [],
                             hypertable: nil, partitioning: nil)
        return SpecDraft(
            tenancy: tenancy, roles: roles, adminCandidate: "ops_admin", ownerReaders: ["raw data.daily", "public.purge()"],
            tables: [SpecDraft.TableDraft(table: orgs),
                     SpecDraft.TableDraft(table: events, undeclaredGrants: [("ingest", [.insert])], questions: ["is this\nright? # no: 'yes'"],
                                          notes: ["defaults the spec cannot say stay as they are: id nextval('s'::regclass)"]),
                     SpecDraft.TableDraft(table: settings, questions: ["why may public.settings go without RLS?"])],
            legacyFunctions: [SpecDraft.LegacySetter(function: LegacyFunction(signature: "public.set_org(bigint)", action: .replace), today: "sets the tenant for the session"),
                              SpecDraft.LegacySetter(function: LegacyFunction(signature: "public.sudo()", action: .revoke), today: "sets app.sudo")],
            tenancyQuestions: ["is app.org the setting?"], roleQuestions: ["ingest writes raw data.events (insert) and is not declared: " + String(repeating: "word ", count: 40)])
    }

    func testWhatItWritesReadsBackAsTheSameSpec() throws {
        let text = SpecWriter.write(draft(), header: ["Written by a test."])
        let spec = try SpecLoader.load([("init.yaml", text)])
        XCTAssertEqual(spec.tenancy.column, "org id")
        XCTAssertEqual(spec.tenancy.type, .bigint)
        XCTAssertEqual(spec.tenancy.setting, "app.org")
        XCTAssertEqual(spec.tenancy.helpers, .inline)
        XCTAssertEqual(spec.tenancy.scope, .transaction)
        XCTAssertEqual(spec.roles.owner, "owner")
        XCTAssertEqual(spec.roles.app, "yes")
        XCTAssertEqual(spec.roles.admin, "")
        XCTAssertEqual(spec.roles.readonly, ["bi: team", "#report"])
        XCTAssertEqual(spec.roles.ownerAccess, .all)
        XCTAssertFalse(spec.roles.create)
        XCTAssertEqual(spec.tables.map(\.qualifiedName), ["public.orgs", "raw data.events", "public.settings"])
        XCTAssertEqual(spec.tables.map(\.isolation), [.self, .tenant, .exempt])
        XCTAssertEqual(spec.tables[0].key, "id")
        XCTAssertEqual(spec.tables[2].reason, "written by yes: why?")

        let written = draft().tables.map(\.table)
        for (read, wrote) in zip(spec.tables, written) {
            XCTAssertEqual(read.columns.map(\.name), wrote.columns.map(\.name))
            XCTAssertEqual(read.columns.map(\.type), wrote.columns.map(\.type))
            XCTAssertEqual(read.columns.map(\.notNull), wrote.columns.map(\.notNull))
            XCTAssertEqual(read.columns.map(\.defaultValue), wrote.columns.map(\.defaultValue), read.qualifiedName)
            XCTAssertEqual(read.primaryKey, wrote.primaryKey)
            XCTAssertEqual(read.grants.map(\.role), wrote.grants.map(\.role))
            XCTAssertEqual(read.grants.map(\.commands), wrote.grants.map(\.commands))
        }
        let index = try XCTUnwrap(spec.tables[1].indexes.first)
        XCTAssertEqual(index.name, "events_recent")
        XCTAssertEqual(index.columns, [IndexColumn(name: "org id", descending: false), IndexColumn(name: "at", descending: true)])
        XCTAssertEqual(index.include, ["amount"])
        XCTAssertTrue(index.unique)
        XCTAssertEqual(index.predicate, "(kind <> 'x'::raw.event_kind)")
        let partitioning = try XCTUnwrap(spec.tables[1].partitioning)
        XCTAssertEqual([partitioning.column, partitioning.interval, "\(partitioning.premake)", partitioning.manager.rawValue], ["at", "1 month", "2", "native"])
        XCTAssertEqual(spec.legacyFunctions.map(\.signature), ["public.set_org(bigint)", "public.sudo()"])
        XCTAssertEqual(spec.legacyFunctions.map(\.action), [.replace, .revoke])
        // An empty grant stays empty: the spec's default grants would hand the app all four commands.
        XCTAssertEqual(spec.tables[2].grants.map(\.role), ["yes"])
        XCTAssertEqual(spec.tables[2].grants.first?.commands, [])
    }

    func testQuestionsAndNotesAreCommentsWhereTheyBelong() {
        let lines = SpecWriter.write(draft()).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func line(_ prefix: String) -> Int? { lines.firstIndex { $0.hasPrefix(prefix) } }
        let tenancy = line("tenancy:")!, roles = line("roles:")!, tables = line("tables:")!
        let tenancyQuestion = line("  # QUESTION: is app.org the setting?")!
        XCTAssertTrue(tenancy < tenancyQuestion && tenancyQuestion < roles)
        let roleQuestion = line("  # QUESTION: ingest writes raw data.events")!
        XCTAssertTrue(roles < roleQuestion && roleQuestion < tables)
        XCTAssertTrue(lines.contains("  # admin: ops_admin"), "the admin candidate is offered, commented")
        XCTAssertTrue(lines.contains("      # ingest: [insert]   (not declared: see the question under roles)"))
        // A question's line break and '#' stay inside the comment.
        let eventsQuestion = line("    # QUESTION: is this right? # no: 'yes'")!
        XCTAssertTrue(lines[eventsQuestion - 1].contains("isolation: tenant"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("    # defaults the spec cannot say stay as they are: id nextval") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("  # public.set_org(bigint) sets the tenant for the session") })
        let owner = line("  owner_access: all")!
        XCTAssertTrue(lines[owner - 1].hasPrefix("  #") && lines[roles...owner].joined().contains("raw data.daily, public.purge()"))
        for comment in lines where comment.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
            XCTAssertLessThanOrEqual(comment.count, 110, comment)
        }
        let wrapped = lines[roleQuestion + 1]
        XCTAssertTrue(wrapped.hasPrefix("  #   word"), wrapped)
    }

    func testScalarsArePlainOnlyWhenTheyReadBackAsTheSameString() throws {
        let text = SpecWriter.write(draft())
        XCTAssertTrue(text.contains("  app: \"yes\""))
        XCTAssertTrue(text.contains("amount: {type: \"numeric(12,2)\", default: -1.5}"), text)
        XCTAssertTrue(text.contains("at: {type: timestamp with time zone, not_null: true, default: now()}"))
        XCTAssertTrue(text.contains("kind: {type: raw.event_kind, default: \"now()\"}"), "a string that looks like a function stays a string")
        XCTAssertTrue(text.contains("interval: 1 month"))
        XCTAssertTrue(text.contains("- {function: \"public.set_org(bigint)\", action: replace}"))
    }
}
