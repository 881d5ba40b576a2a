/// Which form of the data each mode measures, and against which baseline: the RLS modes against the bypassing
/// baseline on the same table, each walled mode against the owner's hand-written query on its own storage, so
/// every overhead is a ratio of two queries over the very same rows, pages and chunks.
extension BenchRunner.Mode {
    /// The hand-written queries that name their tenant (no policy, no view); the trivial mode runs the
    /// baseline's query too.
    public var isBaseline: Bool { self == .baseline || self == .walledBaseline || self == .compressedBaseline || self == .trivial }

    /// The baseline this mode's overhead is measured against.
    public var reference: BenchRunner.Mode {
        switch self {
        case .walled, .walledBaseline: return .walledBaseline
        case .compressed, .compressedBaseline: return .compressedBaseline
        default: return .baseline
        }
    }

    /// The forms tenantwall makes, held to the targets: the RLS form (`generated`) and the walled form,
    /// uncompressed and compressed.
    public var isTenantwallForm: Bool { self == .generated || self == .walled || self == .compressed }

    /// How the mode binds its tenant: the walled modes as the generated one (the view reads the same context),
    /// their baselines as the baseline (the tenant is in the query).
    var binding: BenchRunner.Mode {
        switch self {
        case .walled, .compressed: return .generated
        case .walledBaseline, .compressedBaseline, .trivial: return .baseline
        default: return self
        }
    }

    /// The modes of a hypertable workload: the RLS form and the walled form beside it, each with its baseline,
    /// all in the same interleaved rounds. TimescaleDB refuses compression with RLS: no compressed RLS mode.
    public static let hypertableForms: [BenchRunner.Mode] = [.baseline, .generated, .walledBaseline, .walled, .compressedBaseline, .compressed]
}
