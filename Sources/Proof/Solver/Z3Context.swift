import CZ3

/// An error Z3 reported: its code and message, kept as a value so a check ends in `.unknown` instead of the
/// process exiting (Z3's default error handler calls `exit`).
struct Z3Error: Error, CustomStringConvertible {
    var code: Int
    var message: String
    var description: String { "Z3 error \(code): \(message)" }
}

/// The one owner of a `Z3_context`: every C call of the solver goes through here. A context is used by one
/// check on one thread and freed with it, so nothing is shared between threads.
///
/// ASTs live as long as the context (it is created without reference counting); solvers, models and
/// parameter sets are reference counted by Z3 and released here. Z3 reports errors through a handler
/// that only records them: the first error is kept in `error`, and `check` refuses to run past it.
final class Z3Context {
    let raw: Z3_context
    private(set) var error: Z3Error?
    lazy var boolSort = Z3_mk_bool_sort(raw)!
    lazy var intSort = Z3_mk_int_sort(raw)!
    lazy var stringSort = Z3_mk_string_sort(raw)!
    lazy var opaqueSort = Z3_mk_uninterpreted_sort(raw, Z3_mk_string_symbol(raw, "opaque"))!
    private var declarations: [String: Z3_func_decl] = [:]
    /// Every string constant made: the witness never renames a value the formula spells out.
    private(set) var strings: Set<String> = []
    /// Set when a formula looks inside a string (LIKE, `||`, ordering, number conversions): then string
    /// values cannot be renamed for the witness and are nudged by the solver instead.
    var readsText = false

    init() {
        let config = Z3_mk_config()
        Z3_set_param_value(config, "model", "true")
        raw = Z3_mk_context(config)
        Z3_del_config(config)
        Z3_set_error_handler(raw) { _, _ in }
    }

    deinit { Z3_del_context(raw) }

    /// Checks this context has served; it is retired after a while, since its terms are never freed.
    var uses = 0

    /// Forgets what one check recorded, before the next one.
    func reset() {
        strings.removeAll(keepingCapacity: true)
        readsText = false
        uses += 1
    }

    /// Runs one C call and records Z3's error, if any, as a Swift value.
    @discardableResult
    func call<T>(_ body: (Z3_context) -> T?) -> T? {
        let result = body(raw)
        let code = Z3_get_error_code(raw)
        if code != Z3_OK, error == nil {
            error = Z3Error(code: Int(code.rawValue), message: String(cString: Z3_get_error_msg(raw, code)))
        }
        return result
    }

    func ast(_ body: (Z3_context) -> Z3_ast?) -> Z3_ast {
        if let made = call(body) { return made }
        return Z3_mk_false(raw)
    }

    // MARK: constants and variables

    func bool(_ value: Bool) -> Z3_ast { value ? Z3_mk_true(raw) : Z3_mk_false(raw) }
    func int(_ value: Int) -> Z3_ast { ast { Z3_mk_int64($0, Int64(value), intSort) } }
    func string(_ value: String) -> Z3_ast {
        strings.insert(value)
        let bytes = Array(value.utf8).map { CChar(bitPattern: $0) }
        if bytes.isEmpty { return ast { Z3_mk_string($0, "") } }
        return ast { ctx in bytes.withUnsafeBufferPointer { Z3_mk_lstring(ctx, UInt32($0.count), $0.baseAddress) } }
    }
    func variable(_ name: String, _ sort: Z3_sort) -> Z3_ast {
        ast { Z3_mk_const($0, Z3_mk_string_symbol($0, name), sort) }
    }

    /// An uninterpreted function, one declaration per name (the name carries its signature).
    func apply(_ name: String, _ arguments: [Z3_ast], domain: [Z3_sort], range: Z3_sort) -> Z3_ast {
        let declaration: Z3_func_decl
        if let known = declarations[name] {
            declaration = known
        } else {
            guard let made = call({ ctx in (domain as [Z3_sort?]).withUnsafeBufferPointer {
                Z3_mk_func_decl(ctx, Z3_mk_string_symbol(ctx, name), UInt32($0.count), $0.baseAddress, range)
            } }) else { return bool(false) }
            declaration = made
            declarations[name] = made
        }
        return ast { ctx in (arguments as [Z3_ast?]).withUnsafeBufferPointer { Z3_mk_app(ctx, declaration, UInt32($0.count), $0.baseAddress) } }
    }

    // MARK: logic

    func and(_ terms: [Z3_ast]) -> Z3_ast {
        terms.isEmpty ? bool(true) : terms.count == 1 ? terms[0] : ast { ctx in (terms as [Z3_ast?]).withUnsafeBufferPointer { Z3_mk_and(ctx, UInt32($0.count), $0.baseAddress) } }
    }
    func or(_ terms: [Z3_ast]) -> Z3_ast {
        terms.isEmpty ? bool(false) : terms.count == 1 ? terms[0] : ast { ctx in (terms as [Z3_ast?]).withUnsafeBufferPointer { Z3_mk_or(ctx, UInt32($0.count), $0.baseAddress) } }
    }
    func not(_ term: Z3_ast) -> Z3_ast { ast { Z3_mk_not($0, term) } }
    /// The term with each of `from` replaced by the matching `to`.
    func substitute(_ term: Z3_ast, _ from: [Z3_ast], _ to: [Z3_ast]) -> Z3_ast {
        guard !from.isEmpty else { return term }
        return ast { ctx in
            (from as [Z3_ast?]).withUnsafeBufferPointer { f in
                (to as [Z3_ast?]).withUnsafeBufferPointer { t in Z3_substitute(ctx, term, UInt32(f.count), f.baseAddress, t.baseAddress) }
            }
        }
    }
    /// The term with constants folded (`(or false false)` → `false`), to ask whether it is a constant.
    func simplify(_ term: Z3_ast) -> Z3_ast { ast { Z3_simplify($0, term) } }
    func eq(_ a: Z3_ast, _ b: Z3_ast) -> Z3_ast { ast { Z3_mk_eq($0, a, b) } }
    func ite(_ condition: Z3_ast, _ then: Z3_ast, _ otherwise: Z3_ast) -> Z3_ast { ast { Z3_mk_ite($0, condition, then, otherwise) } }
    func implies(_ a: Z3_ast, _ b: Z3_ast) -> Z3_ast { ast { Z3_mk_implies($0, a, b) } }

    // MARK: integers

    func lt(_ a: Z3_ast, _ b: Z3_ast) -> Z3_ast { ast { Z3_mk_lt($0, a, b) } }
    func le(_ a: Z3_ast, _ b: Z3_ast) -> Z3_ast { ast { Z3_mk_le($0, a, b) } }
    func negate(_ a: Z3_ast) -> Z3_ast { ast { Z3_mk_unary_minus($0, a) } }

    // MARK: strings and regular expressions

    func strLt(_ a: Z3_ast, _ b: Z3_ast) -> Z3_ast { readsText = true; return ast { Z3_mk_str_lt($0, a, b) } }
    func strLe(_ a: Z3_ast, _ b: Z3_ast) -> Z3_ast { readsText = true; return ast { Z3_mk_str_le($0, a, b) } }
    func concat(_ parts: [Z3_ast]) -> Z3_ast {
        readsText = true
        return parts.count == 1 ? parts[0] : ast { ctx in (parts as [Z3_ast?]).withUnsafeBufferPointer { Z3_mk_seq_concat(ctx, UInt32($0.count), $0.baseAddress) } }
    }
    func prefix(_ prefix: Z3_ast, of s: Z3_ast) -> Z3_ast { readsText = true; return ast { Z3_mk_seq_prefix($0, prefix, s) } }
    func suffix(_ suffix: Z3_ast, of s: Z3_ast) -> Z3_ast { readsText = true; return ast { Z3_mk_seq_suffix($0, suffix, s) } }
    func contains(_ s: Z3_ast, _ part: Z3_ast) -> Z3_ast { readsText = true; return ast { Z3_mk_seq_contains($0, s, part) } }
    func length(_ s: Z3_ast) -> Z3_ast { readsText = true; return ast { Z3_mk_seq_length($0, s) } }
    /// The string without its first `count` characters.
    func drop(_ count: Int, _ s: Z3_ast) -> Z3_ast {
        readsText = true
        let rest = ast { Z3_mk_sub($0, 2, [length(s), int(count)]) }
        return ast { Z3_mk_seq_extract($0, s, int(count), rest) }
    }
    func strToInt(_ s: Z3_ast) -> Z3_ast { readsText = true; return ast { Z3_mk_str_to_int($0, s) } }
    func intToStr(_ i: Z3_ast) -> Z3_ast { readsText = true; return ast { Z3_mk_int_to_str($0, i) } }
    func inRegex(_ s: Z3_ast, _ re: Z3_ast) -> Z3_ast { readsText = true; return ast { Z3_mk_seq_in_re($0, s, re) } }
    func literalRegex(_ s: String) -> Z3_ast { readsText = true; return ast { Z3_mk_seq_to_re($0, string(s)) } }
    func rangeRegex(_ low: String, _ high: String) -> Z3_ast { ast { Z3_mk_re_range($0, Z3_mk_string($0, low), Z3_mk_string($0, high)) } }
    /// Any one character (Z3 4.8 has no `re.allchar` in its C API).
    func anyCharRegex() -> Z3_ast { rangeRegex("\\u{0}", "\\u{2ffff}") }
    func anyStringRegex() -> Z3_ast { ast { Z3_mk_re_full($0, Z3_mk_re_sort($0, stringSort)) } }
    func plusRegex(_ re: Z3_ast) -> Z3_ast { ast { Z3_mk_re_plus($0, re) } }
    func loopRegex(_ re: Z3_ast, _ count: Int) -> Z3_ast { ast { Z3_mk_re_loop($0, re, UInt32(count), UInt32(count)) } }
    func concatRegex(_ parts: [Z3_ast]) -> Z3_ast {
        parts.isEmpty ? literalRegex("") : parts.count == 1 ? parts[0]
            : ast { ctx in (parts as [Z3_ast?]).withUnsafeBufferPointer { Z3_mk_re_concat(ctx, UInt32($0.count), $0.baseAddress) } }
    }
    func unionRegex(_ parts: [Z3_ast]) -> Z3_ast {
        parts.count == 1 ? parts[0] : ast { ctx in (parts as [Z3_ast?]).withUnsafeBufferPointer { Z3_mk_re_union(ctx, UInt32($0.count), $0.baseAddress) } }
    }
}
