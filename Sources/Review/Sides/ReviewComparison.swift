import Catalog
import Proof

/// The comparison of two built sides: the access models (Proof's `AccessModel`) of both catalogs compared by
/// `AccessDiff`, each `Change` turned into the report's `ReviewChange` with its witness kept for the runner.
enum ReviewComparison {
    /// A change before its witness has run.
    struct Pending {
        var change: ReviewChange
        var witness: Witness?
    }

    struct Result {
        var changes: [Pending] = []
        var notes: [String] = []
        var identical = 0
    }

    static func compare(base: BuiltSide, head: BuiltSide, settings: ReviewSettings) -> Result {
        Result(notes: ["the access comparison (AccessDiff) is not part of this build: only each side's access counts are reported"])
    }
}
