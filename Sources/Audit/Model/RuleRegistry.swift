/// Every audit rule, in id order. Ids are stable and documented in docs/audit.md.
public enum RuleRegistry {
    public static let all: [any AuditRule] = [
        RLSDisabled(), DormantPolicies(), RLSWithoutPolicy(), RLSNotForced(), PolicyToPublic(), PolicyAlwaysTrue(),
        WriteCheckDropsScope(), FailOpenNull(), UnsafeCurrentSetting(), PolicyWithoutRowColumn(), HardcodedTenant(),
        AppRoleBypasses(), AppRoleOwnsTable(), ViewNotSecurityInvoker(), MaterializedViewOverProtected(), DefinerSearchPath(),
        DefinerExecutableByApp(), LeakproofFunction(), TriggerRunsAsBypassingRole(), PartitionReadable(), UngovernedPrivileges(),
        GrantToPublic(), HypertableGrantsReachChunks(), ForgeableSetting(), SessionScopeSetter(), ImmutableReadsSession(),
        UniqueWithoutTenant(), ForeignKeyIntoProtected(), DefaultPrivilegesToApp(), MembershipEscalation(), ForgeableMembership(),
        CitusSubqueryPolicy(), CitusRestrictivePolicy(), CitusOwnerCannotLogIn(), CitusContextNotPropagated(), TenantsTableReadable(), DerivedTimeSeriesReadable(),
        EffectivePredicateCrossesTenants(),
        ContextPerRow(), VolatileFunctionInPolicy(), PolicyColumnNotIndexed(), MultiplePermissivePolicies(), DuplicateIndex(), CitusFanOutUnguarded(),
        Drift(),
        ExemptTenantTable(), SessionScopedContext(), ContextBindingTrustsApplication(),
        SuppressionWithoutReason(), IndexWithoutConcurrently(), ConcurrentlyInTransaction(), NotNullWithoutDefault(),
        ConstraintWithoutNotValid(), ColumnTypeChange(), VolatileDefault(), DropOrRename(), MissingLockTimeout(),
        DisablesIsolation(), IdentifierTooLong(), AddUniqueWithoutIndex(), SetNotNullWithoutCheck(), TableRewriteLock(),
        TransactionControlInFile(), MigrationGrantsToPublic(), MigrationPolicyAlwaysTrue(), MigrationTenantTableWithoutRLS(),
    ]

    public static func rule(_ id: String) -> (any AuditRule)? { all.first { $0.id == id || $0.name == id } }
}
