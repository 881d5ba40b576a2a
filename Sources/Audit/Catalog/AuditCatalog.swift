import Catalog

/// The audit rules' names for the one catalog model (the `Catalog` module), kept so that rules and tests
/// written against them read as before.
public typealias AuditCatalog = DatabaseCatalog
public typealias AuditCatalogQueries = CatalogQueries
