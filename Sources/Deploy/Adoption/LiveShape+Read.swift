import Catalog
import PolicyGen
import Postgres
import Quoting
import Tenantwall

extension LiveShape {
    /// Reads, for the spec's tables, what changes how indexes are built (see `LiveShape(catalog:spec:)`), from one
    /// read of the catalog.
    public static func read(_ connection: Connection, spec: Spec) throws -> LiveShape {
        LiveShape(catalog: try CatalogReader.read(connection), spec: spec)
    }
}
