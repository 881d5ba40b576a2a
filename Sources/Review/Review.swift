/// `tenantwall review` and `tenantwall prove`: two states of a database built in scratch databases, their access
/// models compared with the solver, widenings confirmed by running their witnesses.
public enum Review {}
