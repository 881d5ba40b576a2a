/*
 * The held context (0.6.0, tenancy.context_store: backend): set_tenant_context() without writing a setting.
 *
 * Writing a setting per transaction is what a context statement costs above any other statement: the GUC
 * write, its undo at commit (on PostgreSQL 15 a walk of every setting) and its string copies, about +10% to
 * +18% of a trivial statement's own cost (docs/bench.md). hold_context_*() keep the tenant in this backend's
 * memory instead, for the (sub)transaction level it was set at, and everything that reads the setting still
 * sees it:
 *   - the readers (context_uuid() and friends) read the held value first;
 *   - current_setting(), SHOW and pg_settings go through the variable's show hook, which shows it, so a
 *     hand-written policy or job reading current_setting() sees what it saw before;
 *   - a parallel worker gets the leader's settings, not its memory: before a plan that may start workers, the
 *     executor hook writes the held value into the setting (SET LOCAL), so the worker reads the same tenant.
 *     Only such statements pay for a write.
 * It keeps SET LOCAL's life: it ends with the transaction (commit, abort, PREPARE), ROLLBACK TO a savepoint
 * taken before it undoes it, RELEASE keeps it, RESET, RESET ALL and set_config(name, NULL) clear it at their
 * level, and a function whose SET clause names the setting undoes, at its exit, a value held inside it.
 *
 * One thing cannot be kept: a function's SET clause entered while a value is held would, at its exit, restore
 * the setting's own value where the held one belongs. So while a value is held, writing the setting any other
 * way (SET, SET LOCAL, set_config(), a function's SET clause) is refused, loudly; the application changes the
 * tenant with set_tenant_context() and clears it with clear_tenant_context() (release_context()), and SET works
 * again once the transaction ends. Nothing is widened by holding: a held value is only what the setter was
 * given, and it is gone at the end of the transaction, before any other client can use the connection.
 *
 * How the hooks tell a restore from a RESET: an assign hook runs for both, but PostgreSQL ends a
 * subtransaction's settings (AtEOXact_GUC) after calling the subtransaction callbacks, at the same nesting
 * level; the callback below pops that level's held values and marks the level as restoring, so an assign at
 * that level is a restore. A RESET runs at a live level, and is taken as one.
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "tenantwall.h"

static ExecutorStart_hook_type prev_executor_start = NULL;
static ProcessUtility_hook_type prev_process_utility = NULL;

/* The nesting level whose end is restoring settings (0: none). */
static int	restore_level = 0;

/* The held code's own writes: a mirror for parallel workers, or a release. */
static bool mirroring = false;
static bool releasing = false;

/*
 * Holds value (NULL: the setting's own value shows) for the current level, replacing what this level held.
 * Only from an assign hook, which must not fail, may the stack be full: then the innermost entry takes it.
 */
static void
tw_hold(TwSlot *slot, TwValue *value, bool may_error)
{
	int			level = GetCurrentTransactionNestLevel();
	TwHeld	   *top = slot->nheld > 0 ? &slot->held[slot->nheld - 1] : NULL;

	if (top != NULL && top->level == level)
	{
		top->value = value;
		return;
	}
	if (slot->nheld >= TW_HELD_DEPTH)
	{
		if (may_error)
			ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							errmsg("tenantwall: the tenant context is held at more than %d savepoint levels",
								   TW_HELD_DEPTH)));
		top->value = value;
		return;
	}
	slot->held[slot->nheld].level = level;
	slot->held[slot->nheld].value = value;
	slot->nheld++;
}

/* The check hook's question: may the setting be written now? Not by hand while a value is held. */
bool
tw_held_allows(TwSlot *slot, GucSource source)
{
	if (slot->nheld == 0 || mirroring || releasing || source != PGC_S_SESSION)
		return true;
	GUC_check_errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
	GUC_check_errdetail("The tenant context is held by set_tenant_context() for this transaction.");
	GUC_check_errhint("Change the tenant with set_tenant_context(), clear it with clear_tenant_context(); "
					  "SET works again once the transaction ends.");
	return false;
}

/* The assign hook's part: any change but a restore or a mirror clears the held value at this level. */
void
tw_held_assigned(TwSlot *slot)
{
	if (slot->nheld == 0 || mirroring)
		return;
	if (!releasing && restore_level == GetCurrentTransactionNestLevel())
		return;
	tw_hold(slot, NULL, false);
}

/* The show hooks: the held value, else the setting's own. One per slot, as with the other hooks. */
static const char *
tw_show_slot(TwSlot *slot)
{
	if (slot->nheld > 0 && slot->held[slot->nheld - 1].value != NULL)
		return slot->held[slot->nheld - 1].value->tenant;
	return slot->value ? slot->value : "";
}

#define TW_SHOW(i) static const char *tw_show_##i(void) { return tw_show_slot(&tw_slots[i]); }
TW_SHOW(0)
TW_SHOW(1)
TW_SHOW(2)
TW_SHOW(3)
TW_SHOW(4)
TW_SHOW(5)
TW_SHOW(6)
TW_SHOW(7)
const GucShowHook tw_show[TW_SLOTS] = {
	tw_show_0, tw_show_1, tw_show_2, tw_show_3, tw_show_4, tw_show_5, tw_show_6, tw_show_7
};

static void
tw_held_xact(XactEvent event, void *arg)
{
	int			i;

	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			for (i = 0; i < tw_nslots; i++)
				tw_slots[i].nheld = 0;
			restore_level = 0;
			mirroring = releasing = false;
			break;
		default:
			break;
	}
}

static void
tw_held_subxact(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	int			level,
				i;

	if (event == SUBXACT_EVENT_START_SUB)
	{
		restore_level = 0;
		return;
	}
	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	level = GetCurrentTransactionNestLevel();
	restore_level = level;
	for (i = 0; i < tw_nslots; i++)
	{
		TwSlot	   *s = &tw_slots[i];

		if (s->nheld == 0 || s->held[s->nheld - 1].level < level)
			continue;
		if (event == SUBXACT_EVENT_ABORT_SUB)
			s->nheld--;
		else if (s->nheld > 1 && s->held[s->nheld - 2].level == level - 1)
		{
			s->held[s->nheld - 2].value = s->held[s->nheld - 1].value;
			s->nheld--;
		}
		else
			s->held[s->nheld - 1].level = level - 1;
	}
}

/* Before a plan that may start parallel workers: each held value into its setting, which workers receive. */
static void
tw_held_mirror(void)
{
	int			i;

	for (i = 0; i < tw_nslots; i++)
	{
		TwSlot	   *s = &tw_slots[i];
		TwValue    *v = s->nheld > 0 ? s->held[s->nheld - 1].value : NULL;

		if (v == NULL || (s->value != NULL && strcmp(s->value, v->tenant) == 0))
			continue;
		mirroring = true;
		PG_TRY();
		{
			tw_write_setting(s->name, v->tenant, GUC_ACTION_LOCAL);
		}
		PG_FINALLY();
		{
			mirroring = false;
		}
		PG_END_TRY();
	}
}

static void
tw_held_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (queryDesc->plannedstmt->parallelModeNeeded && (eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 &&
		!IsInParallelMode())
		tw_held_mirror();
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/* RESET ALL leaves a setting nobody SET alone, and a held one was never SET: it clears it here. */
static void
tw_held_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
						ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *queryEnv,
						DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;
	int			i;

	if (IsA(stmt, VariableSetStmt) && ((VariableSetStmt *) stmt)->kind == VAR_RESET_ALL)
		for (i = 0; i < tw_nslots; i++)
			if (tw_slots[i].nheld > 0)
				tw_hold(&tw_slots[i], NULL, true);
	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
}

void
tw_held_init(void)
{
	RegisterXactCallback(tw_held_xact, NULL);
	RegisterSubXactCallback(tw_held_subxact, NULL);
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = tw_held_executor_start;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = tw_held_process_utility;
}

/* The slot of a held setter's setting (first argument), given its hooks here if need be. */
static TwSlot *
tw_held_slot(FunctionCallInfo fcinfo)
{
	TwSlot	   *slot;

	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("tenantwall: a setting name is required")));
	slot = tw_slot_of(PG_GETARG_TEXT_PP(0), true, NULL);
	if (slot == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("tenantwall: the setting \"%s\" cannot hold a tenant context",
							   text_to_cstring(PG_GETARG_TEXT_PP(0))),
						errdetail("A held context needs a custom setting (a name with a dot, outside tenantwall.*) "
								  "that no other extension defines, set outside parallel mode.")));
	return slot;
}

/* A held value of len bytes of text, for the transaction. */
static TwValue *
tw_held_value(int len)
{
	TwValue    *v = MemoryContextAllocZero(TopTransactionContext,
										   Max(sizeof(TwValue), offsetof(TwValue, tenant) + len + 1));

	v->present = true;
	return v;
}

/* hold_context_uuid(setting, value) and its twins: set_context_uuid() and its twins, held. */
PG_FUNCTION_INFO_V1(tw_hold_context_uuid);
Datum
tw_hold_context_uuid(PG_FUNCTION_ARGS)
{
	TwSlot	   *slot;
	TwValue    *v;

	tw_require_tenant(PG_ARGISNULL(1));
	slot = tw_held_slot(fcinfo);
	v = tw_held_value(UUID_LEN * 2 + 4);
	v->typed.uuid = *PG_GETARG_UUID_P(1);
	v->typed.has_uuid = true;
	tw_uuid_write(&v->typed.uuid, v->tenant);
	tw_hold(slot, v, true);
	PG_RETURN_VOID();
}

#define TW_HOLD_INTEGER(fn, ctype, getarg, write, has, field) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) \
	{ \
		TwSlot	   *slot; \
		TwValue    *v; \
		tw_require_tenant(PG_ARGISNULL(1)); \
		slot = tw_held_slot(fcinfo); \
		v = tw_held_value(MAXINT8LEN); \
		v->typed.field = getarg(1); \
		v->typed.has = true; \
		v->tenant[write(v->typed.field, v->tenant)] = '\0'; \
		tw_hold(slot, v, true); \
		PG_RETURN_VOID(); \
	}

TW_HOLD_INTEGER(tw_hold_context_bigint, int64, PG_GETARG_INT64, pg_lltoa, has_int8, int8)
TW_HOLD_INTEGER(tw_hold_context_integer, int32, PG_GETARG_INT32, pg_ltoa, has_int4, int4)

/* hold_context(setting, value): a text tenant, held; the empty one refused as set_context refuses it. */
PG_FUNCTION_INFO_V1(tw_hold_context);
Datum
tw_hold_context(PG_FUNCTION_ARGS)
{
	TwSlot	   *slot;
	TwValue    *v;
	text	   *value;
	int			len;

	tw_require_tenant(PG_ARGISNULL(1) || VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(1)) == 0);
	slot = tw_held_slot(fcinfo);
	value = PG_GETARG_TEXT_PP(1);
	len = VARSIZE_ANY_EXHDR(value);
	v = tw_held_value(len);
	memcpy(v->tenant, VARDATA_ANY(value), len);
	v->tenant[len] = '\0';
	tw_hold(slot, v, true);
	PG_RETURN_VOID();
}

/*
 * release_context(setting): what clear_tenant_context() does with a held context: the setting set to '' for
 * the session, as set_config(setting, '', false) would, which also clears what is held at this level.
 */
PG_FUNCTION_INFO_V1(tw_release_context);
Datum
tw_release_context(PG_FUNCTION_ARGS)
{
	TwSlot	   *slot = tw_held_slot(fcinfo);

	releasing = true;
	PG_TRY();
	{
		tw_write_setting(slot->name, "", GUC_ACTION_SET);
	}
	PG_FINALLY();
	{
		releasing = false;
	}
	PG_END_TRY();
	PG_RETURN_VOID();
}
