import CLibPQ

extension Connection {
    /// Sends several prepared statements in one round trip and one Sync (libpq pipeline mode), so they run in
    /// one implicit transaction: the way to set a transaction-scoped tenant context and query without paying a
    /// second round trip or an explicit BEGIN/COMMIT.
    ///
    /// Returns each statement's result in order. When one fails the server skips the rest (their results are
    /// "pipeline aborted") and rolls the transaction back; the first error is thrown after the pipeline is
    /// drained, so the connection is left ready for the next call.
    @discardableResult
    public func pipeline(_ steps: [(statement: String, parameters: [String?])]) throws -> [QueryResult] {
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError.client("could not enter pipeline mode: \(String(cString: PQerrorMessage(handle)))")
        }
        var sent = 0
        var failure: Error?
        for step in steps {
            let ok = withCStrings(step.parameters) { values in
                PQsendQueryPrepared(handle, step.statement, Int32(step.parameters.count), values, nil, nil, 0)
            }
            guard ok == 1 else {
                failure = PostgresError.client("could not send \(step.statement): \(String(cString: PQerrorMessage(handle)))")
                break
            }
            sent += 1
        }
        if PQpipelineSync(handle) != 1, failure == nil {
            failure = PostgresError.client("could not send the pipeline: \(String(cString: PQerrorMessage(handle)))")
        }
        var results: [QueryResult] = []
        // Each statement's results end with a NULL; the Sync's own result closes the pipeline.
        for index in 0..<sent {
            while let result = PQgetResult(handle) {
                defer { PQclear(result) }
                switch PQresultStatus(result) {
                case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                    results.append(Self.rows(of: result))
                case PGRES_PIPELINE_ABORTED:
                    break
                default:
                    if failure == nil { failure = Self.error(from: result, connection: handle, sql: "EXECUTE \(steps[index].statement)") }
                }
            }
        }
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        PQexitPipelineMode(handle)
        if let failure { throw failure }
        return results
    }
}
