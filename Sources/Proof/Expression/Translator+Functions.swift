import Catalog
import CZ3
import Foundation

/// Function calls: the context readers PostgreSQL provides, gates, SQL functions inlined, and every other
/// function as a value keyed by its identity and body (so a changed body is a different value).
extension Translator {
    static let inlineDepthLimit = 8

    func call(_ name: [String], _ args: [Expr], _ scope: Scope, hint: SQLType?) throws -> SQLValue {
        let args = try positional(name, args, scope)
        let short = name.last ?? ""
        let function = FunctionLookup.find(name, arguments: args.count, in: scope.side.functions)
        let qualified = function?.qualified ?? name.joined(separator: ".")
        if let gateRole = scope.side.gates[qualified] {
            let member = scope.side.role == gateRole || scope.side.memberships.contains(gateRole)
            return member ? contextVariable("gate:" + qualified, type: .bool, nullable: false) : logic.constant(false)
        }
        if function == nil || function?.schema == "pg_catalog" {
            if short == "current_setting", name.count == 1 || name.first == "pg_catalog" { return try currentSetting(args, scope) }
            if short == "pg_has_role" { return try pgHasRole(args, scope) }
            if short == "coalesce" { return logic.coalesce(try unified(args, scope, hint: hint)) }
            if short == "nullif", args.count == 2 { return try translate(.nullIf(args[0], args[1]), scope, hint: hint) }
        }
        let values = try argumentValues(args, of: function, scope)
        guard let function else {
            // A function of a user schema the side does not list: a value of the context (or of its arguments),
            // maybe NULL, keyed by its name.
            if name.count > 1 { return unknownFunction(qualified, values, hint: hint) }
            return builtin(short, values, hint: hint)
        }
        if let (body, inner) = try inlined(function, values, scope) {
            let result = try translate(body, inner, hint: FunctionLookup.returnType(function) ?? hint)
            return try coerce(result, to: FunctionLookup.returnType(function) ?? result.type)
        }
        // Read as the declared types, so that `f('x')` and `f('x'::text)` are one value.
        let types = function.argumentTypes.map(SQLType.init)
        let typed = try values.enumerated().map { i, v in i < types.count ? try coerce(v, to: types[i]) : v }
        return opaqueFunction(function, typed, hint: hint)
    }

    /// A call's arguments in the function's order: `f('x', ok => false)` as `f('x', false)`, an argument named
    /// past one left out taking the default of the one left out. Unchanged when no argument is named.
    func positional(_ name: [String], _ args: [Expr], _ scope: Scope) throws -> [Expr] {
        guard args.contains(where: { if case .namedArgument = $0 { return true } else { return false } }) else { return args }
        guard let function = FunctionLookup.find(name, arguments: args.count, in: scope.side.functions) else {
            throw Unreadable(construct: "a call with named arguments to \(name.joined(separator: ".")), which the catalog does not list")
        }
        let names = FunctionLookup.argumentNames(function)
        var slots = [Expr?](repeating: nil, count: function.argumentTypes.count)
        for (i, arg) in args.enumerated() {
            if case .namedArgument(let argName, let value) = arg {
                guard let at = names.firstIndex(of: argName), slots[at] == nil else {
                    throw Unreadable(construct: "the argument \(argName) of \(function.qualified)")
                }
                slots[at] = value
            } else if i < slots.count {
                slots[i] = arg
            }
        }
        let defaults = FunctionLookup.defaults(function)
        return try slots.enumerated().map { i, slot in
            guard let value = slot ?? (i < defaults.count ? defaults[i] : nil) else {
                throw Unreadable(construct: "the argument \(names[i] ?? "$\(i + 1)") of \(function.qualified), which the call leaves out")
            }
            return value
        }
    }

    /// The body of an SQL function to read in place of the call, with the scope that binds its parameters (by
    /// position, `$1`, and by name) to the call's values, each converted to the parameter's type; nil when the
    /// function is not inlined (not plain SQL, not one expression, or nested too deep).
    func inlined(_ function: DatabaseCatalog.Function, _ values: [SQLValue], _ scope: Scope) throws -> (Expr, Scope)? {
        guard scope.depth < Translator.inlineDepthLimit,
              let body = FunctionLookup.inlinableBody(function) ?? nativeReturn(function, scope) else { return nil }
        var inner = Scope(side: scope.side, depth: scope.depth + 1, definer: function.securityDefiner ? function.owner : scope.definer)
        let types = function.argumentTypes.map(SQLType.init)
        inner.parameters = try values.enumerated().map { i, v in i < types.count ? try coerce(v, to: types[i]) : v }
        for (i, argName) in FunctionLookup.argumentNames(function).enumerated() where i < inner.parameters.count {
            if let argName { inner.named[argName] = inner.parameters[i] }
        }
        return (body, inner)
    }

    /// A PL/pgSQL function whose body only returns the tenantwall extension's C reader on constants
    /// (`BEGIN RETURN "tenantwall"."context_bigint"('app.current_tenant_id'); END`, the application's
    /// `current_tenant_id()` on Citus with the extension) is that call: the same value, which the shards'
    /// policies call directly (Tenancy.shardPolicyReader). Any other plain PL/pgSQL reader stays a value keyed by
    /// its body (SolverWideningTests): the solver does not take a body it cannot read as the value it returns.
    func nativeReturn(_ function: DatabaseCatalog.Function, _ scope: Scope) -> Expr? {
        guard !function.native, !function.securityDefiner, FunctionLookup.language(function) == "plpgsql",
              let body = function.body, let value = PlpgsqlGuard.plainReturn(body),
              case .call(let name, let args) = value, args.allSatisfy(Self.isConstant),
              FunctionLookup.find(name, arguments: args.count, in: scope.side.functions)?.native == true else { return nil }
        return value
    }

    static func isConstant(_ expr: Expr) -> Bool {
        switch expr {
        case .literal: return true
        case .cast(let inner, _): return isConstant(inner)
        default: return false
        }
    }

    /// The values of a call's arguments, the ones left out taking their defaults (read where the call is: a
    /// default cannot see the other arguments).
    func argumentValues(_ args: [Expr], of function: DatabaseCatalog.Function?, _ scope: Scope) throws -> [SQLValue] {
        var values = try args.map { try translate($0, scope) }
        guard let function, function.argumentTypes.count > values.count else { return values }
        let defaults = FunctionLookup.defaults(function)
        for i in values.count..<function.argumentTypes.count {
            guard i < defaults.count, let value = defaults[i] else { throw Unreadable(construct: "the default of an argument of \(function.qualified)") }
            values.append(try translate(value, Scope(side: scope.side, depth: scope.depth + 1)))
        }
        return values
    }

    /// A function the solver cannot look into: with no argument that reads the row, a context value
    /// `function:<identity>`; otherwise an uninterpreted function of its arguments. Both keyed by the body too.
    func opaqueFunction(_ function: DatabaseCatalog.Function, _ values: [SQLValue], hint: SQLType?) -> SQLValue {
        let type = FunctionLookup.returnType(function) ?? hint ?? .text
        let identity = function.identity.isEmpty ? function.qualified + "()" : function.identity
        let version = String(FNV.hash(FunctionLookup.version(function)), radix: 16)
        if values.isEmpty {
            return contextVariable("function:\(identity)@\(version)", type: type)
        }
        return uninterpreted("function:\(identity)@\(version)", values, type: type)
    }

    /// A function of its arguments only (a builtin such as `lower`, or a function the solver cannot read):
    /// NULL on a NULL argument, and maybe NULL otherwise.
    func uninterpreted(_ key: String, _ values: [SQLValue], type: SQLType) -> SQLValue {
        let domain = values.map { sort($0.type) }
        if values.contains(where: { [.text, .uuid, .unknown].contains($0.type) }) { z3.readsText = true }
        let signature = key + "/" + values.map { "\($0.type)" }.joined(separator: ",") + "->\(type)"
        let term = z3.apply(signature, values.map(\.term), domain: domain, range: sort(type))
        let null = z3.apply(signature + "#null", values.map(\.term), domain: domain, range: z3.boolSort)
        var v = logic.value(type, term, null: z3.or(values.map(\.isNull) + [null]), from: values)
        v.rowDependent = values.contains(where: \.rowDependent)
        return v
    }

    func unknownFunction(_ qualified: String, _ values: [SQLValue], hint: SQLType?) -> SQLValue {
        let key = "function:\(qualified)()"
        let type = variables.context[key]?.type ?? hint ?? comparedTypes()[qualified] ?? .opaque
        if values.isEmpty { return contextVariable(key, type: type) }
        return uninterpreted("function:\(qualified)", values, type: type)
    }

    func builtin(_ name: String, _ values: [SQLValue], hint: SQLType?) -> SQLValue {
        let text: Set<String> = ["lower", "upper", "btrim", "trim", "ltrim", "rtrim", "concat", "replace", "substr", "substring", "left", "right", "md5"]
        let int: Set<String> = ["length", "char_length", "octet_length", "abs", "now", "current_timestamp", "current_date", "statement_timestamp", "transaction_timestamp", "clock_timestamp", "pg_backend_pid", "txid_current"]
        let type: SQLType = text.contains(name) ? .text : int.contains(name) ? .int : name == "gen_random_uuid" ? .uuid : (hint ?? .opaque)
        if values.isEmpty { return contextVariable("function:\(name)()", type: type, nullable: false) }
        return uninterpreted("builtin:\(name)", values, type: type)
    }

    /// `current_setting('x')` (an error when unset) and `current_setting('x', true)` (NULL when unset).
    ///
    /// The name and `missing_ok` are read as values, so an inlined helper's parameter (`current_setting(setting,
    /// true)` in `context_uuid(setting text)`, called as `context_uuid('app.tenant_id')`) is the call's constant.
    /// A name that is not a constant (a column, a setting) is unreadable: which setting is read is not known.
    func currentSetting(_ args: [Expr], _ scope: Scope) throws -> SQLValue {
        guard let first = args.first, let name = try? constant(first, scope, as: .text), case .string(let name) = name else {
            throw Unreadable(construct: "current_setting with a name that is not a constant")
        }
        var missingOK = false
        if args.count > 1 {
            guard let flag = try? constant(args[1], scope, as: .bool), case .bool(let b) = flag else {
                throw Unreadable(construct: "current_setting with a missing_ok that is not a constant")
            }
            missingOK = b
        }
        var v = contextVariable("setting:" + name, type: .text)
        if !missingOK {
            v.isError = v.isNull
            v.isNull = z3.bool(false)
        }
        return v
    }

    /// The value of an expression that is a constant once read (a literal, an inlined function's parameter bound
    /// to a literal, a cast of one): nil when it is NULL, may fail, or depends on anything.
    func constant(_ expr: Expr, _ scope: Scope, as type: SQLType) throws -> Literal? {
        let v = try coerce(try translate(expr, scope, hint: type), to: type)
        guard z3.literal(z3.simplify(v.isNull)) == .bool(false), z3.literal(z3.simplify(v.isError)) == .bool(false) else { return nil }
        return z3.literal(z3.simplify(v.term))
    }

    /// `pg_has_role([user,] 'role', 'MEMBER' | 'USAGE')` for the side's own role: a constant from its memberships
    /// (casts of the names, `'admin'::name` as views print them, looked through). USAGE is read as MEMBER: the
    /// memberships do not say which are NOINHERIT.
    func pgHasRole(_ args: [Expr], _ scope: Scope) throws -> SQLValue {
        let side = scope.side
        let args = args.map(Translator.uncast)
        let (user, role) = args.count == 3 ? (args[0], args[1]) : (Expr.contextValue("current_user"), args.first ?? .literal(.null))
        let userIsRole: Bool
        switch user {
        case .contextValue("current_user"): userIsRole = scope.definer == nil
        case .literal(.string(let name)): userIsRole = name == side.role
        default: userIsRole = false
        }
        guard userIsRole, case .literal(.string(let target)) = role else {
            return uninterpreted("builtin:pg_has_role", try args.map { try translate($0, scope) }, type: .bool)
        }
        return logic.constant(target == side.role || side.memberships.contains(target))
    }

    /// The expression under any casts.
    static func uncast(_ expr: Expr) -> Expr {
        if case .cast(let inner, _) = expr { return uncast(inner) }
        return expr
    }

    func caseWhen(_ subject: Expr?, _ branches: [CaseBranch], _ otherwise: Expr?, _ scope: Scope, hint: SQLType?) throws -> SQLValue {
        let conditions = try branches.map { branch -> SQLValue in
            guard let subject else { return try boolean(branch.condition, scope) }
            return try translate(.compare("=", subject, branch.condition), scope)
        }
        let results = try unified(branches.map(\.result) + [otherwise ?? .literal(.null)], scope, hint: hint)
        return logic.choose(zip(conditions, results).map { ($0, $1) }, otherwise: results[results.count - 1])
    }
}
