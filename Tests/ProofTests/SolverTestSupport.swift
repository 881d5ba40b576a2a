@testable import Catalog
import Proof
import XCTest

/// A documents table as a tenant schema has it, the functions its policies call, and assertions that read
/// like the verdicts they expect. Every `fails` verdict is checked by evaluation: the witness must make the
/// premise TRUE and the conclusion not TRUE.
/// Foundation has a `Predicate` too: in these tests the name is the solver's.
typealias Predicate = Proof.Predicate

enum SolverFixture {
    typealias Column = DatabaseCatalog.Column

    static let columns = [
        Column(name: "id", type: "uuid", notNull: true),
        Column(name: "tenant_id", type: "uuid", notNull: true),
        Column(name: "is_public", type: "boolean", notNull: true),
        Column(name: "title", type: "text", notNull: false),
        Column(name: "owner_id", type: "integer", notNull: false),
        Column(name: "path", type: "character varying(200)", notNull: false),
    ]

    static func function(_ schema: String, _ name: String, args: [String] = [], signature: String? = nil, returns: String = "uuid",
                         language: String = "sql", body: String?, native: Bool = false) -> DatabaseCatalog.Function {
        var f = DatabaseCatalog.Function(schema: schema, name: name, signature: signature ?? args.joined(separator: ", "),
                                         securityDefiner: false, config: [], leakproof: false, volatility: "s", parallel: "s",
                                         owner: "owner", executors: ["PUBLIC"])
        f.body = body
        f.native = native
        f.argumentTypes = args
        f.identity = "\(schema).\(name)(\(args.joined(separator: ",")))"
        f.definition = "CREATE OR REPLACE FUNCTION \(schema).\(name)(\(signature ?? args.joined(separator: ", ")))\n RETURNS \(returns)\n"
            + " LANGUAGE \(language)\n STABLE\nAS $function$\(body ?? "")$function$\n"
        return f
    }

    static let currentTenant = function("app", "current_tenant_id", body: " SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid ")
    static let adminGate = function("app", "admin_mode_enabled", returns: "boolean", language: "plpgsql",
                                    body: "BEGIN RETURN current_setting('app.admin', true) = 'on'; END")

    static func side(role: String = "app_user", memberships: Set<String> = [], functions: [DatabaseCatalog.Function] = [],
                     columns: [Column] = columns) -> Side {
        Side(columns: columns, functions: [currentTenant, adminGate] + functions, role: role, memberships: memberships,
             gates: ["app.admin_mode_enabled": "admin"])
    }

    static let wall = "tenant_id = app.current_tenant_id()"
}

extension XCTestCase {
    var solver: PredicateSolver { PredicateSolver() }

    func verdict(_ premise: String, _ conclusion: String, _ side: Side = SolverFixture.side(), conclusionSide: Side? = nil,
                 assuming: Predicate = .all) -> Verdict {
        solver.entails(.expression(premise), in: side, .expression(conclusion), in: conclusionSide ?? side, assuming: assuming)
    }

    /// Both directions hold.
    func assertEquivalent(_ a: String, _ b: String, _ side: Side = SolverFixture.side(), file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(verdict(a, b, side), .holds, "\(a) ⊨ \(b)", file: file, line: line)
        XCTAssertEqual(verdict(b, a, side), .holds, "\(b) ⊨ \(a)", file: file, line: line)
    }

    /// `premise` does not entail `conclusion`; the witness is checked by evaluating both and returned.
    @discardableResult
    func assertWidens(_ premise: Predicate, _ conclusion: Predicate, _ side: Side = SolverFixture.side(), conclusionSide: Side? = nil,
                      assuming: Predicate = .all, file: StaticString = #filePath, line: UInt = #line) -> Witness? {
        let result = solver.entails(premise, in: side, conclusion, in: conclusionSide ?? side, assuming: assuming)
        guard case .fails(let witness) = result else {
            XCTFail("expected a witness, got \(result)", file: file, line: line)
            return nil
        }
        XCTAssertEqual(solver.evaluate(premise, in: side, under: witness), true, "premise on \(witness)", file: file, line: line)
        XCTAssertEqual(solver.evaluate(assuming, in: side, under: witness), true, "assumption on \(witness)", file: file, line: line)
        XCTAssertEqual(solver.evaluate(conclusion, in: conclusionSide ?? side, under: witness), false,
                          "conclusion on \(witness)", file: file, line: line)
        return witness
    }

    @discardableResult
    func assertWidens(_ premise: String, _ conclusion: String, _ side: Side = SolverFixture.side(), conclusionSide: Side? = nil,
                      file: StaticString = #filePath, line: UInt = #line) -> Witness? {
        assertWidens(.expression(premise), .expression(conclusion), side, conclusionSide: conclusionSide, file: file, line: line)
    }
}
