/*
 * tenantwall: the native fast path for the functions every tenant-scoped statement calls.
 *
 * Context readers (context_uuid() and friends). The spec's setting (say app.current_tenant_id) starts life as
 * a placeholder any role can SET. The first time a reader or the setter sees it outside parallel mode, it
 * becomes a real custom variable with hooks: the check hook copies the value into a small struct once, when
 * it is set, and the assign hook points this backend's slot at it. A reader then costs a pointer read plus,
 * once per value, the type's own input function: measured at about 0.05 us per statement against 0.9 us for
 * the SQL reader and its InitPlan. Nothing else changes: RESET, SET LOCAL, ROLLBACK TO, DISCARD ALL and
 * function SET clauses go through PostgreSQL's own GUC machinery, so the value the reader sees is always the
 * setting's current value. A malformed value (only a hand-typed SET makes one) fails the statement with
 * 22P02, as the SQL readers do.
 *
 * Parallel workers get the leader's settings, not its memory: in a worker (and whenever the leader is already
 * in parallel mode, where no variable may be defined) a reader falls back to reading the setting by name and
 * caches the parse per call site. So the readers are PARALLEL SAFE and return the same value everywhere.
 *
 * The signed binding. verify_token() checks an HS256 token once per transaction (HMAC-SHA256 from
 * PostgreSQL's own SHA-256, constant-time comparison, alg and exp, the claim path) and stores the verified
 * tenant in tenantwall.verified, a superuser-only variable: a SET, set_config() or ALTER ROLE ... SET by an
 * application role is refused, while the value still travels to parallel workers as settings do. The value
 * carries the role it was verified for and the token's expiry; verified_*() return NULL under another role
 * (SET ROLE, RESET ROLE) or after expiry. It ends with the transaction (or, for scope: session, with the
 * session or DISCARD ALL), and ROLLBACK TO a savepoint taken before it undoes it. EXECUTE on verify_token() is
 * the owner's alone: it takes the keys as an argument, from a SECURITY DEFINER wrapper that can read them.
 *
 * The signed binding in C end to end (0.4.0). set_signed_context(token) verifies the token against keys this
 * backend keeps in memory, with no plpgsql and no SPI: a transaction pays for the HMAC and the claims only.
 * The keys are read from <the extension's schema>.signing_keys (a name the caller cannot choose) by a plain
 * heap scan, which checks no privilege, so the application role, which cannot SELECT the table, still gets
 * its keys verified. They are read once, and again only after an invalidation: the statement trigger
 * signing_keys_changed() on the table sends a relcache invalidation for it with every INSERT, UPDATE, DELETE
 * and TRUNCATE; PostgreSQL delivers it to every backend at its next transaction start (and to the writing
 * backend at its next command), and a relcache callback here drops the cache. So a rotation that has
 * committed is seen by the very next transaction of every session. A key's retired_at is cached with it and
 * compared with now() at each verification, so a key retires at its time with no change to the table.
 * The same trigger carries the binding's configuration as its arguments (scope, then the claim path), so the
 * caller cannot pick another claim; a table without that trigger enabled is refused, since nothing would tell
 * the cache about a change. A token verified under the current keys is remembered (a few per backend, found
 * by a full constant-time comparison), so a user's next transaction on the same connection skips the MAC and
 * the JSON; exp and retired_at are still checked at every use, and any change to the keys forgets them. The
 * claims are read in one pass of PostgreSQL's JSON parser with jsonb's rules, without building a jsonb.
 */
#include "postgres.h"

#include <math.h>

/*
 * With libcrypto (the Makefile finds it with pkg-config), HMAC-SHA256 runs on OpenSSL's SHA256_* block
 * functions: the CPU's SHA instructions where it has them, no EVP fetch, no lock and no allocation, and each
 * key's padded blocks are hashed once, when the keys are loaded, so a MAC costs the token's blocks and one
 * more. Those functions are deprecated in OpenSSL 3 in favour of EVP, whose per-call fetch is what this avoids.
 */
#ifdef TW_OPENSSL
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#endif

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/cryptohash.h"
#include "common/hashfn.h"
#include "common/jsonapi.h"
#include "common/sha2.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "tenantwall.h"

PG_MODULE_MAGIC;

#define TW_VERIFIED "tenantwall.verified"
#define TW_CACHE_RAW 128

TwSlot		tw_slots[TW_SLOTS];
int			tw_nslots = 0;

static char *verified_value = NULL;
static TwValue *verified_current = NULL;

/* A call site's cache for the by-name route: the last value read, parsed (parallel mode). */
typedef struct TwCall
{
	char		raw[TW_CACHE_RAW];
	TwValue    *value;
} TwCall;

void		_PG_init(void);
static void tw_keys_invalidated(Datum arg, Oid relid);

/* GUC extras are freed by the GUC machinery: with free() on 15, from its own context from 16. */
static void *
tw_guc_alloc(size_t size)
{
#if PG_VERSION_NUM >= 160000
	void	   *p = guc_malloc(LOG, size);
#else
	void	   *p = malloc(size);
#endif

	if (p)
		memset(p, 0, size);
	return p;
}

static TwValue *
tw_value_new(const char *tenant, void *(*alloc) (size_t))
{
	size_t		len = strlen(tenant);
	TwValue    *v = alloc(Max(sizeof(TwValue), offsetof(TwValue, tenant) + len + 1));

	if (v == NULL)
		return NULL;
	memcpy(v->tenant, tenant, len + 1);
	v->present = len > 0;
	return v;
}

static void *
tw_palloc0(size_t size)
{
	return palloc0(size);
}

/*
 * The typed form a typed setter (set_context_uuid() and its twins) hands the check hook with the text it sets:
 * the value is the text's own parse, so the readers need not parse it again. It applies to exactly that text,
 * so it is right whoever sets that text; the setter clears it after its call (an error in between leaves it
 * standing, still right for its text).
 */
typedef struct TwTyped
{
	bool		active;
	char		text[MAXINT8LEN + UUID_LEN * 2 + 8];
	TwTypedForm typed;
} TwTyped;

static TwTyped typed_pending;

static bool
tw_check_context(TwSlot *slot, char **newval, void **extra, GucSource source)
{
	TwValue    *v;

	if (!tw_held_allows(slot, source))
		return false;
	v = tw_value_new(*newval ? *newval : "", tw_guc_alloc);

	if (v == NULL)
		return false;
	if (typed_pending.active && strcmp(typed_pending.text, v->tenant) == 0)
	{
		v->typed = typed_pending.typed;
	}
	*extra = v;
	return true;
}

/* Hooks know their variable only by which function they are: one check and one assign hook per slot. */
#define TW_HOOKS(i) \
	static bool tw_check_##i(char **newval, void **extra, GucSource source) \
	{ \
		return tw_check_context(&tw_slots[i], newval, extra, source); \
	} \
	static void tw_assign_##i(const char *newval, void *extra) \
	{ \
		tw_slots[i].current = (TwValue *) extra; \
		tw_held_assigned(&tw_slots[i]); \
	}
TW_HOOKS(0)
TW_HOOKS(1)
TW_HOOKS(2)
TW_HOOKS(3)
TW_HOOKS(4)
TW_HOOKS(5)
TW_HOOKS(6)
TW_HOOKS(7)
static const GucStringCheckHook tw_check_hook[TW_SLOTS] = {
	tw_check_0, tw_check_1, tw_check_2, tw_check_3, tw_check_4, tw_check_5, tw_check_6, tw_check_7
};
static const GucStringAssignHook tw_assign_hook[TW_SLOTS] = {
	tw_assign_0, tw_assign_1, tw_assign_2, tw_assign_3, tw_assign_4, tw_assign_5, tw_assign_6, tw_assign_7
};

/*
 * What verify_token() knows of the value it writes into tenantwall.verified, the role and exp it printed there,
 * handed to the check hook so that it need not parse them back (strtoul and strtod: a tenth of a signed
 * transaction's own cost). Like typed_pending, it describes exactly its text, so it is right whoever sets it.
 */
#define TW_PENDING_MAX 256

static struct
{
	char		text[TW_PENDING_MAX];
	Oid			role;
	double		expires;
	int			tenant;			/* offset of the tenant in text */
}			verified_pending;

/*
 * tenantwall.verified holds "role:exp:tenant". Only verify_token() writes it; anything else is refused here
 * as well as by the variable's superuser-only context.
 */
static bool
tw_check_verified(char **newval, void **extra, GucSource source)
{
	const char *s = *newval ? *newval : "";
	TwValue    *v;
	char	   *end;
	unsigned long role;
	double		expires;

	if (*s != '\0' && strcmp(s, verified_pending.text) == 0)
	{
		v = tw_value_new(s + verified_pending.tenant, tw_guc_alloc);
		if (v == NULL)
			return false;
		v->role = verified_pending.role;
		v->expires = verified_pending.expires;
		*extra = v;
		return true;
	}
	if (*s == '\0')
	{
		v = tw_value_new("", tw_guc_alloc);
		if (v == NULL)
			return false;
		*extra = v;
		return true;
	}
	errno = 0;
	role = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != ':')
		return false;
	s = end + 1;
	expires = strtod(s, &end);
	if (end == s || *end != ':' || !isfinite(expires))
		return false;
	v = tw_value_new(end + 1, tw_guc_alloc);
	if (v == NULL)
		return false;
	v->role = (Oid) role;
	v->expires = expires;
	*extra = v;
	return true;
}

static void
tw_assign_verified(const char *newval, void *extra)
{
	verified_current = (TwValue *) extra;
}

void
_PG_init(void)
{
	DefineCustomStringVariable(TW_VERIFIED,
							   "The tenant of the token verify_token() checked last (tenantwall).",
							   "Set by tenantwall.verify_token() only.",
							   &verified_value, "", PGC_SUSET,
							   GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL | GUC_DISALLOW_IN_FILE,
							   tw_check_verified, tw_assign_verified, NULL);
	CacheRegisterRelcacheCallback(tw_keys_invalidated, (Datum) 0);
	tw_held_init();
}

/*
 * The slot for a context setting, turning the setting into a variable with hooks when it is still a
 * placeholder (or unset) and that is allowed here: never in parallel mode, never for a name that is not
 * custom (no dot) or that already names a real variable (a built-in or another extension's).
 */
TwSlot *
tw_slot(const char *name, bool may_define)
{
	int			i;
	TwSlot	   *slot;
	int			flags;

	for (i = 0; i < tw_nslots; i++)
		if (pg_strcasecmp(tw_slots[i].name, name) == 0)
			return &tw_slots[i];
	if (!may_define || tw_nslots >= TW_SLOTS || IsInParallelMode() || strchr(name, '.') == NULL)
		return NULL;
	if (pg_strncasecmp(name, "tenantwall.", strlen("tenantwall.")) == 0)
		return NULL;
	flags = GetConfigOptionFlags(name, true);
	if (GetConfigOption(name, true, false) != NULL && (flags & GUC_CUSTOM_PLACEHOLDER) == 0)
		return NULL;
	slot = &tw_slots[tw_nslots];
	slot->name = MemoryContextStrdup(TopMemoryContext, name);
	slot->len = strlen(name);
	DefineCustomStringVariable(slot->name, "The tenant context (tenantwall).", NULL, &slot->value, "",
							   PGC_USERSET, GUC_NOT_IN_SAMPLE, tw_check_hook[tw_nslots], tw_assign_hook[tw_nslots], tw_show[tw_nslots]);
	tw_nslots++;
	return slot;
}

/*
 * The slot of a setting named by a text argument. The fast path is a byte comparison with the (usually one)
 * slot's name: no allocation, since a call site's FmgrInfo, and with it fn_extra, is new on every execution of
 * a cached plan. Otherwise the name is made a C string, handed back through name (when not NULL) so that the
 * caller need not make it again.
 */
TwSlot *
tw_slot_of(text *setting, bool may_define, char **name)
{
	int			len = VARSIZE_ANY_EXHDR(setting);
	const char *bytes = VARDATA_ANY(setting);
	char	   *cstring;
	int			i;

	for (i = 0; i < tw_nslots; i++)
		if (tw_slots[i].len == len && memcmp(tw_slots[i].name, bytes, len) == 0)
			return &tw_slots[i];
	cstring = text_to_cstring(setting);
	if (name != NULL)
		*name = cstring;
	return tw_slot(cstring, may_define);
}

/* The current value of the call's setting (first argument), or NULL when unset or empty. */
static TwValue *
tw_context_value(FunctionCallInfo fcinfo, bool by_name)
{
	text	   *setting = PG_GETARG_TEXT_PP(0);
	char	   *name = NULL;
	TwSlot	   *slot;
	TwCall	   *call;
	const char *raw;

	if (!by_name)
	{
		slot = tw_slot_of(setting, !IsInParallelMode(), &name);
		if (slot != NULL)
			return tw_slot_value(slot);
	}
	else
	{
		/* A value held in this backend is not in the setting: the by-name route reads it first. */
		slot = tw_slot_of(setting, false, &name);
		if (slot != NULL && slot->nheld > 0 && slot->held[slot->nheld - 1].value != NULL)
			return slot->held[slot->nheld - 1].value;
	}
	if (name == NULL)
		name = text_to_cstring(setting);

	/* Parallel mode, or a setting that cannot have hooks: read it by name, parse each new value once. */
	raw = GetConfigOption(name, true, false);
	if (raw == NULL || *raw == '\0')
		return NULL;
	if (strlen(raw) >= TW_CACHE_RAW)
		return tw_value_new(raw, tw_palloc0);
	call = (TwCall *) fcinfo->flinfo->fn_extra;
	if (call == NULL)
		call = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(TwCall));
	if (call->value == NULL || strcmp(raw, call->raw) != 0)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (call->value)
			pfree(call->value);
		call->value = tw_value_new(raw, tw_palloc0);
		strlcpy(call->raw, raw, TW_CACHE_RAW);
		MemoryContextSwitchTo(old);
	}
	return call->value;
}

/* A hex digit's value, or -1. */
static inline int
tw_hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * The canonical text of a uuid (8-4-4-4-12 hex digits, either case), parsed into out; false for any other
 * text, which uuid_in then reads (braces, no hyphens, an error). uuid_in reads the canonical form to the same
 * bytes, but with a strtoul() per byte: about a fifth of what a signed transaction adds, where the tenant
 * arrives as the token's text.
 */
static bool
tw_uuid_canonical(const char *s, pg_uuid_t *out)
{
	int			i,
				j = 0;

	for (i = 0; i < UUID_LEN; i++)
	{
		int			hi,
					lo;

		if (j == 8 || j == 13 || j == 18 || j == 23)
		{
			if (s[j] != '-')
				return false;
			j++;
		}
		hi = tw_hex_digit((unsigned char) s[j]);
		lo = hi < 0 ? -1 : tw_hex_digit((unsigned char) s[j + 1]);
		if (lo < 0)
			return false;
		out->data[i] = (uint8) ((hi << 4) | lo);
		j += 2;
	}
	return s[j] == '\0';
}

/* The typed forms: the type's own input function, so a malformed value raises exactly what a cast raises. */
static Datum
tw_uuid(TwValue *v)
{
	pg_uuid_t  *out = palloc(sizeof(pg_uuid_t));

	if (!v->typed.has_uuid)
	{
		if (!tw_uuid_canonical(v->tenant, &v->typed.uuid))
			v->typed.uuid = *DatumGetUUIDP(DirectFunctionCall1(uuid_in, CStringGetDatum(v->tenant)));
		v->typed.has_uuid = true;
	}
	*out = v->typed.uuid;
	return UUIDPGetDatum(out);
}

static Datum
tw_int8(TwValue *v)
{
	if (!v->typed.has_int8)
	{
		v->typed.int8 = DatumGetInt64(DirectFunctionCall1(int8in, CStringGetDatum(v->tenant)));
		v->typed.has_int8 = true;
	}
	return Int64GetDatum(v->typed.int8);
}

static Datum
tw_int4(TwValue *v)
{
	if (!v->typed.has_int4)
	{
		v->typed.int4 = DatumGetInt32(DirectFunctionCall1(int4in, CStringGetDatum(v->tenant)));
		v->typed.has_int4 = true;
	}
	return Int32GetDatum(v->typed.int4);
}

#define TW_READER(fn, getter, convert) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) \
	{ \
		TwValue *v = getter; \
		if (v == NULL || !v->present) \
			PG_RETURN_NULL(); \
		return convert; \
	}

TW_READER(tw_context_uuid, tw_context_value(fcinfo, false), tw_uuid(v))
/* The route parallel workers take, callable on its own so that the benchmark can compare the two. */
TW_READER(tw_context_uuid_by_name, tw_context_value(fcinfo, true), tw_uuid(v))
TW_READER(tw_context_bigint, tw_context_value(fcinfo, false), tw_int8(v))
TW_READER(tw_context_integer, tw_context_value(fcinfo, false), tw_int4(v))
TW_READER(tw_context_text, tw_context_value(fcinfo, false), PointerGetDatum(cstring_to_text(v->tenant)))

/* Seconds since the Unix epoch at the start of the transaction: what now() says. */
static double
tw_now_seconds(void)
{
	TimestampTz now = GetCurrentTransactionStartTimestamp();

	return (double) now / USECS_PER_SEC + (double) ((POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY);
}

/* The verified tenant, if it was verified for this role and has not expired. */
static TwValue *
tw_verified(void)
{
	TwValue    *v = verified_current;

	if (v == NULL || !v->present || v->role != GetOuterUserId() || v->expires <= tw_now_seconds())
		return NULL;
	return v;
}

TW_READER(tw_verified_uuid, tw_verified(), tw_uuid(v))
TW_READER(tw_verified_bigint, tw_verified(), tw_int8(v))
TW_READER(tw_verified_integer, tw_verified(), tw_int4(v))
TW_READER(tw_verified_text, tw_verified(), PointerGetDatum(cstring_to_text(v->tenant)))

/*
 * set_context(setting, value): what set_config(setting, value, true) does, refusing an empty tenant, and
 * giving the setting its hooks first so that the readers never parse it again.
 */
void
tw_require_tenant(bool missing)
{
	if (missing)
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("tenantwall: a tenant id is required"),
						errhint("call clear_tenant_context() to clear the context")));
}

/* Sets the call's setting (first argument) to value for the transaction, as SET LOCAL would. */
static void
tw_set_local(FunctionCallInfo fcinfo, const char *value)
{
	char	   *name;

	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("tenantwall: a setting name is required")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	(void) tw_slot(name, true);
	tw_write_setting(name, value, GUC_ACTION_LOCAL);
}

/* Writes a context setting as the session would (SET LOCAL or SET), with the caller's right to set it. */
void
tw_write_setting(const char *name, const char *value, GucAction action)
{
	(void) set_config_option(name, value, superuser() ? PGC_SUSET : PGC_USERSET, PGC_S_SESSION, action, true, 0, false);
}

PG_FUNCTION_INFO_V1(tw_set_context);
Datum
tw_set_context(PG_FUNCTION_ARGS)
{
	tw_require_tenant(PG_ARGISNULL(1) || VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(1)) == 0);
	tw_set_local(fcinfo, text_to_cstring(PG_GETARG_TEXT_PP(1)));
	PG_RETURN_VOID();
}

/*
 * set_context_uuid(setting, value) and its bigint and integer twins (0.5.0): set_context for a tenant that
 * arrives typed, as the generated set_tenant_context(tenant) passes it. The statement needs no cast to text
 * (the value is written here, as the type's output function writes it), and the readers no parse back: the
 * check hook takes the typed form with the text. What the setting holds is exactly what set_context would
 * have set.
 */
static void
tw_set_typed(FunctionCallInfo fcinfo)
{
	typed_pending.active = true;
	tw_set_local(fcinfo, typed_pending.text);
	typed_pending.active = false;
}

/* Starts a typed form: nothing parsed yet. */
static void
tw_typed_begin(void)
{
	typed_pending.active = false;
	typed_pending.typed.has_uuid = typed_pending.typed.has_int8 = typed_pending.typed.has_int4 = false;
}

/* A uuid's canonical text, as uuid_out writes it, NUL-terminated into out (37 bytes); its length. */
int
tw_uuid_write(const pg_uuid_t *uuid, char *out)
{
	static const char hex[] = "0123456789abcdef";
	int			i,
				j = 0;

	for (i = 0; i < UUID_LEN; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[uuid->data[i] >> 4];
		out[j++] = hex[uuid->data[i] & 0x0F];
	}
	out[j] = '\0';
	return j;
}

PG_FUNCTION_INFO_V1(tw_set_context_uuid);
Datum
tw_set_context_uuid(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *uuid;

	tw_require_tenant(PG_ARGISNULL(1));
	uuid = PG_GETARG_UUID_P(1);
	tw_typed_begin();
	tw_uuid_write(uuid, typed_pending.text);
	typed_pending.typed.has_uuid = true;
	typed_pending.typed.uuid = *uuid;
	tw_set_typed(fcinfo);
	PG_RETURN_VOID();
}

/* The integer twins: the text as the type's output function writes it. */
#define TW_TYPED_INTEGER_SETTER(fn, ctype, getarg, write, has, field) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) \
	{ \
		ctype		value; \
		tw_require_tenant(PG_ARGISNULL(1)); \
		value = getarg(1); \
		tw_typed_begin(); \
		typed_pending.text[write(value, typed_pending.text)] = '\0'; \
		typed_pending.typed.has = true; \
		typed_pending.typed.field = value; \
		tw_set_typed(fcinfo); \
		PG_RETURN_VOID(); \
	}

TW_TYPED_INTEGER_SETTER(tw_set_context_bigint, int64, PG_GETARG_INT64, pg_lltoa, has_int8, int8)
TW_TYPED_INTEGER_SETTER(tw_set_context_integer, int32, PG_GETARG_INT32, pg_ltoa, has_int4, int4)

/* The base64url alphabet's values by byte; -1 for every other byte. */
static const int8 tw_base64url_value[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/* base64url without padding, as JWTs use it, NUL-terminated; NULL when the text is not that. */
static unsigned char *
tw_base64url(const char *s, int len, int *outlen)
{
	const unsigned char *u = (const unsigned char *) s;
	unsigned char *out;
	int32		acc = 0;
	int			n = 0,
				i,
				rest = len % 4;

	if (rest == 1)
		return NULL;
	out = palloc(len * 3 / 4 + 3);
	/* Four characters make three bytes; a negative value (any byte outside the alphabet) taints the group. */
	for (i = 0; i + 4 <= len; i += 4)
	{
		int			a = tw_base64url_value[u[i]],
					b = tw_base64url_value[u[i + 1]],
					c = tw_base64url_value[u[i + 2]],
					d = tw_base64url_value[u[i + 3]];

		if ((a | b | c | d) < 0)
			return NULL;
		acc = (a << 18) | (b << 12) | (c << 6) | d;
		out[n++] = (acc >> 16) & 0xFF;
		out[n++] = (acc >> 8) & 0xFF;
		out[n++] = acc & 0xFF;
	}
	/* The last two or three characters make one or two bytes; their leftover bits are dropped. */
	if (rest > 0)
	{
		acc = 0;
		for (; i < len; i++)
		{
			int			d = tw_base64url_value[u[i]];

			if (d < 0)
				return NULL;
			acc = (acc << 6) | d;
		}
		acc <<= 6 * (4 - rest);
		out[n++] = (acc >> 16) & 0xFF;
		if (rest == 3)
			out[n++] = (acc >> 8) & 0xFF;
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

#ifndef TW_OPENSSL
/* SHA-256(a ‖ b) with ctx, which is reset first (one context serves a whole verification). */
static void
tw_sha256(pg_cryptohash_ctx *ctx, const uint8 *a, size_t alen, const uint8 *b, size_t blen, uint8 *out)
{
	if (pg_cryptohash_init(ctx) < 0 || pg_cryptohash_update(ctx, a, alen) < 0 ||
		pg_cryptohash_update(ctx, b, blen) < 0 || pg_cryptohash_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("tenantwall: SHA-256 failed")));
}
#endif

/* Sets tenantwall.verified (as only a superuser could) to value, for the transaction or the session. */
static void
tw_set_verified(const char *value, bool session)
{
	(void) set_config_option(TW_VERIFIED, value, PGC_SUSET, PGC_S_SESSION,
							 session ? GUC_ACTION_SET : GUC_ACTION_LOCAL, true, 0, false);
}

/*
 * The claims a token's JSON must give, read in one pass of PostgreSQL's own JSON parser (the one jsonb_in
 * uses, so what parses is exactly what jsonb would take) without building a jsonb: each wanted value is a
 * path of object keys ending in a scalar. Semantics are jsonb's: a key given twice counts with its last value
 * (a later occurrence on the path clears what an earlier one gave), a path through anything but objects gives
 * nothing, and keys and strings are compared de-escaped.
 */
#define TW_WANTED 2

typedef struct TwWanted
{
	char	   *const *path;
	int			npath;
	int			deepest;		/* level of the deepest open object on the path (root: 1), 0 when none */
	bool		arm;			/* the last field named the next path key: an object now continues the path */
	bool		final;			/* the last field is the path's end: a scalar now is the value */
	char	   *value;			/* the scalar's text, or NULL */
	JsonTokenType type;
} TwWanted;

typedef struct TwClaims
{
	int			level;			/* open objects and arrays */
	int			nwanted;
	TwWanted	wanted[TW_WANTED];
} TwClaims;

#if PG_VERSION_NUM >= 160000
#define TW_JSON_RETURN return JSON_SUCCESS
typedef JsonParseErrorType TwJsonResult;
#else
#define TW_JSON_RETURN return
typedef void TwJsonResult;
#endif

/* Any event but the awaited one ends the awaiting. */
static void
tw_claims_settle(TwClaims *c)
{
	int			i;

	for (i = 0; i < c->nwanted; i++)
		c->wanted[i].arm = c->wanted[i].final = false;
}

static TwJsonResult
tw_claims_object_start(void *state)
{
	TwClaims   *c = (TwClaims *) state;
	int			i;

	c->level++;
	for (i = 0; i < c->nwanted; i++)
	{
		TwWanted   *w = &c->wanted[i];

		if (c->level == 1 || w->arm)
			w->deepest = c->level;
	}
	tw_claims_settle(c);
	TW_JSON_RETURN;
}

static TwJsonResult
tw_claims_end(void *state)
{
	TwClaims   *c = (TwClaims *) state;
	int			i;

	for (i = 0; i < c->nwanted; i++)
		if (c->wanted[i].deepest == c->level)
			c->wanted[i].deepest = c->level - 1;
	c->level--;
	TW_JSON_RETURN;
}

static TwJsonResult
tw_claims_array_start(void *state)
{
	TwClaims   *c = (TwClaims *) state;

	c->level++;
	tw_claims_settle(c);
	TW_JSON_RETURN;
}

static TwJsonResult
tw_claims_field(void *state, char *fname, bool isnull)
{
	TwClaims   *c = (TwClaims *) state;
	int			i;

	for (i = 0; i < c->nwanted; i++)
	{
		TwWanted   *w = &c->wanted[i];
		int			at = c->level - 1;	/* the path key a field of this object would match */

		w->arm = w->final = false;
		if (w->deepest != c->level || at >= w->npath || strcmp(fname, w->path[at]) != 0)
			continue;
		w->value = NULL;		/* this occurrence replaces any earlier one */
		if (at == w->npath - 1)
			w->final = true;
		else
			w->arm = true;
	}
	TW_JSON_RETURN;
}

static TwJsonResult
tw_claims_scalar(void *state, char *token, JsonTokenType type)
{
	TwClaims   *c = (TwClaims *) state;
	int			i;

	for (i = 0; i < c->nwanted; i++)
		if (c->wanted[i].final)
		{
			c->wanted[i].value = token;
			c->wanted[i].type = type;
		}
	tw_claims_settle(c);
	TW_JSON_RETURN;
}

/*
 * The claims scanner: a JSON reader that fires the callbacks above exactly as pg_parse_json() would, over the
 * decoded bytes in place. It accepts what PostgreSQL's JSON lexer accepts (RFC 8259: no leading zeros, no
 * trailing commas, no raw control characters in strings, literals and numbers not run into letters) and
 * decodes strings the way jsonb does (\u escapes to UTF-8, surrogate pairs joined; \u0000, a lone surrogate,
 * or a non-ASCII escape in a database that is not UTF-8 refused), so the values read are the ones jsonb would
 * give; Tests/IntegrationTests/TokenClaimsDifferentialTests compares the two on thousands of documents. It is
 * stricter in two ways only: invalid UTF-8 and nesting deeper than TW_JSON_DEPTH are refused. It reads only
 * what a key holder signed (the MAC is checked first), and replaces pg_parse_json() because that parser's
 * lexer context, per-character string copies and allocations were most of a new token's cost.
 */
#define TW_JSON_DEPTH 64

typedef struct TwScan
{
	char	   *p;				/* the next byte */
	char	   *end;
	TwClaims   *claims;
	int			depth;
} TwScan;

static bool tw_scan_value(TwScan *s);

static void
tw_scan_space(TwScan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* What PostgreSQL's lexer takes as part of a word: a number or literal must not run into one. */
static bool
tw_json_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static bool
tw_scan_next_is(TwScan *s, char c)
{
	return s->p < s->end && *s->p == c;
}

/* Four hex digits at p as a code unit, or -1. */
static int
tw_hex4(const char *p)
{
	int			v = 0,
				i;

	for (i = 0; i < 4; i++)
	{
		int			d = tw_hex_digit((unsigned char) p[i]);

		if (d < 0)
			return -1;
		v = (v << 4) | d;
	}
	return v;
}

/* Writes code point cp (1 to 0x10FFFF, no surrogate) as UTF-8 at w; the number of bytes. */
static int
tw_utf8(int cp, char *w)
{
	if (cp < 0x80)
	{
		w[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		w[0] = (char) (0xC0 | (cp >> 6));
		w[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		w[0] = (char) (0xE0 | (cp >> 12));
		w[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		w[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	w[0] = (char) (0xF0 | (cp >> 18));
	w[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	w[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	w[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/*
 * The string whose opening quote is at s->p, decoded in place and NUL-terminated; NULL when it is not a valid
 * JSON string. Decoding never writes ahead of reading (an escape is longer than what it stands for), so the
 * terminating NUL lands at or before the closing quote, which has been read.
 */
static char *
tw_scan_string(TwScan *s)
{
	char	   *out = s->p + 1,
			   *w = out,
			   *r = out;

	for (;;)
	{
		unsigned char ch;
		int			cp,
					low;

		if (r >= s->end)
			return NULL;
		ch = (unsigned char) *r;
		if (ch == '"')
			break;
		if (ch < 0x20)
			return NULL;
		if (ch != '\\')
		{
			*w++ = *r++;
			continue;
		}
		if (r + 1 >= s->end)
			return NULL;
		switch (r[1])
		{
			case '"':
			case '\\':
			case '/':
				*w++ = r[1];
				break;
			case 'b':
				*w++ = '\b';
				break;
			case 'f':
				*w++ = '\f';
				break;
			case 'n':
				*w++ = '\n';
				break;
			case 'r':
				*w++ = '\r';
				break;
			case 't':
				*w++ = '\t';
				break;
			case 'u':
				if (s->end - r < 6 || (cp = tw_hex4(r + 2)) < 0)
					return NULL;
				if (cp >= 0xD800 && cp <= 0xDBFF)
				{
					if (s->end - r < 12 || r[6] != '\\' || r[7] != 'u' || (low = tw_hex4(r + 8)) < 0xDC00 || low > 0xDFFF)
						return NULL;
					cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
					r += 6;
				}
				else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0)
					return NULL;
				if (cp > 0x7F && GetDatabaseEncoding() != PG_UTF8)
					return NULL;
				w += tw_utf8(cp, w);
				r += 6;
				continue;
			default:
				return NULL;
		}
		r += 2;
	}
	*w = '\0';
	s->p = r + 1;
	return out;
}

/* The number at s->p, copied (the byte after it is still to be read); NULL when it is not a JSON number. */
static char *
tw_scan_number(TwScan *s)
{
	char	   *start = s->p,
			   *p = s->p,
			   *end = s->end;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (p < end && *p == '.')
	{
		p++;
		if (!(p < end && *p >= '0' && *p <= '9'))
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!(p < end && *p >= '0' && *p <= '9'))
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && tw_json_word_char((unsigned char) *p))
		return NULL;
	s->p = p;
	return pnstrdup(start, p - start);
}

/* true, false or null at s->p, as the lexer reads a word; NULL when it is another word. */
static char *
tw_scan_literal(TwScan *s, JsonTokenType *type)
{
	static const struct
	{
		const char *word;
		JsonTokenType type;
	}			literals[] = {{"true", JSON_TOKEN_TRUE}, {"false", JSON_TOKEN_FALSE}, {"null", JSON_TOKEN_NULL}};
	char	   *p = s->p;
	int			len,
				i;

	while (p < s->end && tw_json_word_char((unsigned char) *p))
		p++;
	len = p - s->p;
	for (i = 0; i < lengthof(literals); i++)
		if (len == strlen(literals[i].word) && memcmp(s->p, literals[i].word, len) == 0)
		{
			s->p = p;
			*type = literals[i].type;
			return (char *) literals[i].word;
		}
	return NULL;
}

/* An object's field name and colon at s->p, the name handed to the callbacks; false when there are none. */
static bool
tw_scan_field(TwScan *s)
{
	char	   *name;

	tw_scan_space(s);
	if (!tw_scan_next_is(s, '"') || (name = tw_scan_string(s)) == NULL)
		return false;
	tw_scan_space(s);
	if (!tw_scan_next_is(s, ':'))
		return false;
	s->p++;
	tw_claims_field(s->claims, name, false);
	return true;
}

/* The object or array whose opening bracket is at s->p, its members in order. */
static bool
tw_scan_container(TwScan *s, bool object)
{
	char		close = object ? '}' : ']';

	s->p++;
	if (++s->depth > TW_JSON_DEPTH)
		return false;
	if (object)
		tw_claims_object_start(s->claims);
	else
		tw_claims_array_start(s->claims);
	tw_scan_space(s);
	if (!tw_scan_next_is(s, close))
		for (;;)
		{
			if ((object && !tw_scan_field(s)) || !tw_scan_value(s))
				return false;
			tw_scan_space(s);
			if (!tw_scan_next_is(s, ','))
				break;
			s->p++;
		}
	if (!tw_scan_next_is(s, close))
		return false;
	s->p++;
	tw_claims_end(s->claims);
	s->depth--;
	return true;
}

static bool
tw_scan_value(TwScan *s)
{
	char	   *token;
	JsonTokenType type;

	tw_scan_space(s);
	if (s->p >= s->end)
		return false;
	switch (*s->p)
	{
		case '{':
			return tw_scan_container(s, true);
		case '[':
			return tw_scan_container(s, false);
		case '"':
			token = tw_scan_string(s);
			type = JSON_TOKEN_STRING;
			break;
		case '-':
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8':
		case '9':
			token = tw_scan_number(s);
			type = JSON_TOKEN_NUMBER;
			break;
		default:
			token = tw_scan_literal(s, &type);
			break;
	}
	if (token == NULL)
		return false;
	tw_claims_scalar(s->claims, token, type);
	return true;
}

/*
 * Reads base64url text s as a JSON object and fills in the wanted values; false when it is not a JSON object
 * (or not valid JSON, or not valid in the database's encoding, or holds a NUL).
 */
static bool
tw_claims(const char *s, int len, TwClaims *c)
{
	int			n;
	unsigned char *raw = tw_base64url(s, len, &n);
	TwScan		scan;

	if (raw == NULL || n == 0 || raw[0] != '{' || memchr(raw, 0, n) != NULL || !pg_verifymbstr((char *) raw, n, true))
		return false;
	c->level = 0;
	scan.p = (char *) raw;
	scan.end = (char *) raw + n;
	scan.claims = c;
	scan.depth = 0;
	if (!tw_scan_value(&scan))
		return false;
	tw_scan_space(&scan);
	return scan.p == scan.end;
}

/* A JSON number as jsonb holds it. */
static Datum
tw_numeric(const char *number)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(number), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

static void
tw_want(TwClaims *c, char *const *path, int npath)
{
	TwWanted   *w = &c->wanted[c->nwanted++];

	memset(w, 0, sizeof(*w));
	w->path = path;
	w->npath = npath;
}

/*
 * A signing key, ready for HMAC-SHA256: with libcrypto, the hash states after the inner and the outer padded
 * key (each MAC starts from a copy); without, the padded keys themselves. And when it retires (DT_NOEND: never).
 */
typedef struct TwKey
{
#ifdef TW_OPENSSL
	SHA256_CTX	inner;
	SHA256_CTX	outer;
#else
	uint8		pads[2 * PG_SHA256_BLOCK_LENGTH];
#endif
	TimestampTz retired;
} TwKey;

/* Prepares key from HMAC's inner and outer padded keys (PG_SHA256_BLOCK_LENGTH bytes each). */
static void
tw_key_prepare(TwKey *key, const uint8 *inner, const uint8 *outer)
{
#ifdef TW_OPENSSL
	if (!SHA256_Init(&key->inner) || !SHA256_Update(&key->inner, inner, PG_SHA256_BLOCK_LENGTH) ||
		!SHA256_Init(&key->outer) || !SHA256_Update(&key->outer, outer, PG_SHA256_BLOCK_LENGTH))
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("tenantwall: SHA-256 failed")));
#else
	memcpy(key->pads, inner, PG_SHA256_BLOCK_LENGTH);
	memcpy(key->pads + PG_SHA256_BLOCK_LENGTH, outer, PG_SHA256_BLOCK_LENGTH);
#endif
}

/* What one verification needs to compute MACs: nothing with libcrypto, a hash context without. */
typedef struct TwMac
{
#ifndef TW_OPENSSL
	pg_cryptohash_ctx *ctx;
#endif
	int			unused;
} TwMac;

static void
tw_mac_begin(TwMac *mac)
{
#ifndef TW_OPENSSL
	/* One context for every MAC; on an error, the transaction's resource owner frees it. */
	mac->ctx = pg_cryptohash_create(PG_SHA256);
	if (mac->ctx == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("tenantwall: SHA-256 failed")));
#endif
}

static void
tw_mac_end(TwMac *mac)
{
#ifndef TW_OPENSSL
	pg_cryptohash_free(mac->ctx);
#endif
}

/* HMAC-SHA256 of message under key, into out (PG_SHA256_DIGEST_LENGTH bytes). */
static void
tw_mac(TwMac *mac, const TwKey *key, const uint8 *message, size_t len, uint8 *out)
{
	uint8		inner[PG_SHA256_DIGEST_LENGTH];
#ifdef TW_OPENSSL
	SHA256_CTX	c = key->inner;

	if (!SHA256_Update(&c, message, len) || !SHA256_Final(inner, &c))
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("tenantwall: SHA-256 failed")));
	c = key->outer;
	if (!SHA256_Update(&c, inner, PG_SHA256_DIGEST_LENGTH) || !SHA256_Final(out, &c))
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("tenantwall: SHA-256 failed")));
	explicit_bzero(&c, sizeof(c));
#else
	tw_sha256(mac->ctx, key->pads, PG_SHA256_BLOCK_LENGTH, message, len, inner);
	tw_sha256(mac->ctx, key->pads + PG_SHA256_BLOCK_LENGTH, PG_SHA256_BLOCK_LENGTH, inner, PG_SHA256_DIGEST_LENGTH, out);
#endif
}

/*
 * The last header that passed the alg check, as its base64url text: headers repeat from token to token (one
 * issuer writes them all), and the same bytes pass the same check. Not a secret, so compared plainly.
 */
#define TW_HEADER_MAX 256
static char known_header[TW_HEADER_MAX];
static int	known_header_len = 0;

static bool
tw_header_known(const char *s, int len)
{
	return len > 0 && len == known_header_len && memcmp(s, known_header, len) == 0;
}

static void
tw_header_remember(const char *s, int len)
{
	if (len > 0 && len <= TW_HEADER_MAX)
	{
		memcpy(known_header, s, len);
		known_header_len = len;
	}
}

/*
 * A number of 1 to 15 digits (an exp is one: Unix seconds), as a double, exactly what strtod() gives for it
 * (every such integer is a double), without strtod's locale and rounding machinery. False for anything else.
 */
static bool
tw_small_integer(const char *number, double *out)
{
	int64		v = 0;
	int			i;

	for (i = 0; number[i] >= '0' && number[i] <= '9'; i++)
	{
		if (i == 15)
			return false;
		v = v * 10 + (number[i] - '0');
	}
	if (i == 0 || number[i] != '\0')
		return false;
	*out = (double) v;
	return true;
}

/*
 * Checks the token's bytes t (len of them) against keys (those not retired at the transaction's start), then
 * its alg, exp and the claim path. On success, *matched has bit k set for each key k (of the first 64) whose
 * MAC matched (the memo is used only with 64 keys or fewer), *expires is exp and *tenant the claim. No side effects. Every key is tried, matched or not,
 * and each MAC compared in full, so timing tells nothing of which byte or key differed.
 */
static bool
tw_check(const char *token, int len, const TwKey *keys, int nkeys, char *const *path, int npath,
		 uint64 *matched, double *expires, char **tenant)
{
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	const char *t = token,
			   *end = token + len,
			   *dot1,
			   *dot2;
	int			siglen,
				i,
				k;
	unsigned char *sig;
	TwClaims	header,
				payload;
	TwWanted   *alg,
			   *exp,
			   *claim;
	static char *const alg_path[] = {"alg"};
	static char *const exp_path[] = {"exp"};
	bool		any = false;
	TwMac		macs;

	*matched = 0;
	if (npath == 0)
		return false;
	/* The token's own bytes, never copied: a text holds no NUL, so it splits at its dots as a C string would. */
	dot1 = memchr(t, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', end - dot1 - 1) : NULL;
	if (dot1 == NULL || dot2 == NULL || memchr(dot2 + 1, '.', end - dot2 - 1) != NULL)
		return false;
	sig = tw_base64url(dot2 + 1, end - dot2 - 1, &siglen);
	if (sig == NULL || siglen != PG_SHA256_DIGEST_LENGTH)
		return false;

	tw_mac_begin(&macs);
	for (k = 0; k < nkeys; k++)
	{
		uint8		mac[PG_SHA256_DIGEST_LENGTH];
		uint8		diff = 0;

		if (keys[k].retired <= now)
			continue;
		tw_mac(&macs, &keys[k], (const uint8 *) t, dot2 - t, mac);
		for (i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
			diff |= mac[i] ^ sig[i];
		any |= (diff == 0);
		if (k < 64)
			*matched |= (uint64) (diff == 0) << k;
	}
	tw_mac_end(&macs);
	if (!any)
		return false;

	/* Signed by a key holder: from here on, the token's own claims decide. */
	if (!tw_header_known(t, dot1 - t))
	{
		memset(&header, 0, sizeof(header));
		tw_want(&header, alg_path, 1);
		if (!tw_claims(t, dot1 - t, &header))
			return false;
		alg = &header.wanted[0];
		if (alg->value == NULL || alg->type != JSON_TOKEN_STRING || strcmp(alg->value, "HS256") != 0)
			return false;
		tw_header_remember(t, dot1 - t);
	}
	memset(&payload, 0, sizeof(payload));
	tw_want(&payload, exp_path, 1);
	tw_want(&payload, path, npath);
	if (!tw_claims(dot1 + 1, dot2 - dot1 - 1, &payload))
		return false;
	exp = &payload.wanted[0];
	claim = &payload.wanted[1];
	if (exp->value == NULL || exp->type != JSON_TOKEN_NUMBER)
		return false;
	/* What numeric_float8 of the numeric would give (both round the decimal once); out of range: no tenant. */
	if (!tw_small_integer(exp->value, expires))
	{
		errno = 0;
		*expires = strtod(exp->value, NULL);
		if (errno != 0 || !isfinite(*expires))
			return false;
	}
	if (!(*expires > tw_now_seconds()))
		return false;
	if (claim->value == NULL)
		return false;
	if (claim->type == JSON_TOKEN_STRING)
		*tenant = claim->value;
	else if (claim->type == JSON_TOKEN_NUMBER)
		*tenant = DatumGetCString(DirectFunctionCall1(numeric_out, tw_numeric(claim->value)));
	else
		return false;
	return **tenant != '\0';
}

/* "head:tail", in a new string; head is headlen bytes, not terminated. */
static char *
tw_colon_join(const char *head, int headlen, const char *tail)
{
	size_t		taillen = strlen(tail);
	char	   *out = palloc(headlen + 1 + taillen + 1);

	memcpy(out, head, headlen);
	out[headlen] = ':';
	memcpy(out + headlen + 1, tail, taillen + 1);
	return out;
}

/* "exp:tenant", the part of tenantwall.verified after the role; exp as an integer when it is one (most are). */
static char *
tw_verified_suffix(double expires, const char *tenant)
{
	if (expires == floor(expires) && fabs(expires) < 1e15)
	{
		char		number[MAXINT8LEN + 1];

		return tw_colon_join(number, pg_lltoa((int64) expires, number), tenant);
	}
	return psprintf("%.17g:%s", expires, tenant);
}

/*
 * Sets tenantwall.verified to "role:" and suffix ("exp:tenant") for the calling role, handing the check hook
 * the role and exp it would parse back.
 */
static void
tw_set_verified_tenant(const char *suffix, double expires, bool session)
{
	char		role[MAXINT8LEN + 1];
	int			rolelen = pg_ultoa_n(GetOuterUserId(), role);
	char	   *value = tw_colon_join(role, rolelen, suffix);

	if (strlcpy(verified_pending.text, value, TW_PENDING_MAX) >= TW_PENDING_MAX)
		verified_pending.text[0] = '\0';
	verified_pending.role = GetOuterUserId();
	verified_pending.expires = expires;
	verified_pending.tenant = rolelen + 1 + (strchr(suffix, ':') - suffix) + 1;
	tw_set_verified(value, session);
}

/*
 * Tokens this backend verified under the current keys: the token's bytes, which keys matched, and the
 * verified part of the setting. A token seen again skips the MAC and the JSON: the same bytes under the same
 * keys give the same answer, and what changes with time (a key's retired_at, the token's exp) is checked at
 * every use. The memo is dropped with the keys (any change to signing_keys). It is looked up by a keyed hash
 * of the token's signature (a seed drawn per backend from pg_strong_random) in a compact index, one cache line, and only
 * an entry whose hash matches is compared with the token, in full and in constant time: comparing every entry
 * in full read eight scattered 4 kB entries per new token, cache misses that cost more than the check itself
 * in a real transaction. With the seed unknown, which entry a token's hash meets tells nothing of its bytes.
 */
#define TW_MEMO_SLOTS 8
#define TW_MEMO_MAX 2048

typedef struct TwMemo
{
	int			len;			/* 0: empty */
	uint64		matched;
	double		expires;
	char		token[TW_MEMO_MAX];
	char		suffix[TW_MEMO_MAX];
} TwMemo;

static TwMemo *memo = NULL;
static int	memo_next = 0;

/* The memo's index: each entry's length (0: empty) and keyed hash. */
static struct
{
	int			len;
	uint64		hash;
}			memo_index[TW_MEMO_SLOTS];
static uint64 memo_seed;
static bool memo_seeded = false;

static void
tw_memo_clear(void)
{
	memset(memo_index, 0, sizeof(memo_index));
	if (memo != NULL)
		memset(memo, 0, sizeof(TwMemo) * TW_MEMO_SLOTS);
}

/*
 * The token's keyed hash, for the memo's index: of its length and its last bytes, which are its signature
 * (a MAC, so distinct tokens differ there). Equal hashes only pick the entries compared in full, so a hash
 * over the whole token would find no more, at several times the cost.
 */
#define TW_MEMO_HASHED 32

static uint64
tw_memo_hash(const char *token, int len)
{
	int			n = Min(len, TW_MEMO_HASHED);

	if (!memo_seeded)
	{
		if (!pg_strong_random(&memo_seed, sizeof(memo_seed)))
			ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("tenantwall: no random seed for the token memo")));
		memo_seeded = true;
	}
	return hash_bytes_extended((const unsigned char *) token + len - n, n, memo_seed ^ (uint64) len);
}

/* The entry holding exactly these bytes, or NULL: entries whose hash matches are compared in full. */
static TwMemo *
tw_memo_find(const char *token, int len, uint64 hash)
{
	TwMemo	   *found = NULL;
	int			i,
				j;

	if (memo == NULL || len > TW_MEMO_MAX)
		return NULL;
	for (i = 0; i < TW_MEMO_SLOTS; i++)
	{
		uint64		diff = 0,
					a,
					b;

		if (memo_index[i].len != len || memo_index[i].hash != hash)
			continue;
		for (j = 0; j + 8 <= len; j += 8)
		{
			memcpy(&a, memo[i].token + j, 8);
			memcpy(&b, token + j, 8);
			diff |= a ^ b;
		}
		for (; j < len; j++)
			diff |= (uint8) (memo[i].token[j] ^ token[j]);
		if (diff == 0)
			found = &memo[i];
	}
	return found;
}

static void
tw_memo_add(const char *token, int len, uint64 hash, uint64 matched, double expires, const char *suffix)
{
	TwMemo	   *m;

	if (len > TW_MEMO_MAX || strlen(suffix) >= TW_MEMO_MAX)
		return;
	if (memo == NULL)
		memo = MemoryContextAllocZero(TopMemoryContext, sizeof(TwMemo) * TW_MEMO_SLOTS);
	memo_index[memo_next].len = len;
	memo_index[memo_next].hash = hash;
	m = &memo[memo_next];
	memo_next = (memo_next + 1) % TW_MEMO_SLOTS;
	memcpy(m->token, token, len);
	m->len = len;
	m->matched = matched;
	m->expires = expires;
	strlcpy(m->suffix, suffix, TW_MEMO_MAX);
}

/*
 * Verifies token and stores the tenant (for the session when session, else for the transaction), or stores
 * none. With use_memo, keys are the cached keys and the memo may answer.
 */
static bool
tw_verify(text *token, const TwKey *keys, int nkeys, char *const *path, int npath, bool session, bool use_memo)
{
	const char *bytes;
	int			len,
				k;
	uint64		matched = 0;
	double		expires = 0;
	char	   *tenant;
	char	   *suffix = NULL;
	uint64		hash = 0;
	TwMemo	   *m;

	if (token == NULL)
	{
		tw_set_verified("", session);
		return false;
	}
	bytes = VARDATA_ANY(token);
	len = VARSIZE_ANY_EXHDR(token);
	if (use_memo)
		hash = tw_memo_hash(bytes, len);
	if (use_memo && (m = tw_memo_find(bytes, len, hash)) != NULL)
	{
		TimestampTz now = GetCurrentTransactionStartTimestamp();
		bool		current = false;

		for (k = 0; k < nkeys && k < 64; k++)
			current |= (m->matched & (UINT64CONST(1) << k)) != 0 && keys[k].retired > now;
		if (current && m->expires > tw_now_seconds())
		{
			suffix = m->suffix;
			expires = m->expires;
		}
	}
	else if (tw_check(bytes, len, keys, nkeys, path, npath, &matched, &expires, &tenant))
	{
		suffix = tw_verified_suffix(expires, tenant);
		if (use_memo && nkeys <= 64)
			tw_memo_add(bytes, len, hash, matched, expires, suffix);
	}
	if (suffix == NULL)
	{
		tw_set_verified("", session);
		return false;
	}
	tw_set_verified_tenant(suffix, expires, session);
	return true;
}

/*
 * verify_token(token, keys, claim, session): keys are HMAC-SHA256's inner and outer padded keys, 64 bytes
 * each, one array element per valid key. True, and the tenant stored, when the signature matches a key, alg
 * is HS256, exp is a number in the future and the claim path holds a string or a number; otherwise false, and
 * no tenant. The 0.3.0 route (a wrapper passes the keys); set_signed_context() is the cached one.
 */
PG_FUNCTION_INFO_V1(tw_verify_token);
Datum
tw_verify_token(PG_FUNCTION_ARGS)
{
	bool		session = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	Datum	   *keys,
			   *path;
	bool	   *nulls,
			   *pathnulls;
	int			nkeys,
				npath,
				n = 0,
				i;
	TwKey	   *valid;
	char	  **names;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		tw_set_verified("", session);
		PG_RETURN_BOOL(false);
	}
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), BYTEAOID, -1, false, TYPALIGN_INT, &keys, &nulls, &nkeys);
	valid = palloc0(sizeof(TwKey) * Max(nkeys, 1));
	for (i = 0; i < nkeys; i++)
	{
		bytea	   *key;

		if (nulls[i])
			continue;
		key = DatumGetByteaPP(keys[i]);
		if (VARSIZE_ANY_EXHDR(key) != 2 * PG_SHA256_BLOCK_LENGTH)
			continue;
		tw_key_prepare(&valid[n], (uint8 *) VARDATA_ANY(key), (uint8 *) VARDATA_ANY(key) + PG_SHA256_BLOCK_LENGTH);
		valid[n].retired = DT_NOEND;
		n++;
	}
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), TEXTOID, -1, false, TYPALIGN_INT, &path, &pathnulls, &npath);
	names = palloc0(sizeof(char *) * Max(npath, 1));
	for (i = 0; i < npath; i++)
	{
		if (pathnulls[i])
		{
			tw_set_verified("", session);
			PG_RETURN_BOOL(false);
		}
		names[i] = TextDatumGetCString(path[i]);
	}
	PG_RETURN_BOOL(tw_verify(PG_GETARG_TEXT_PP(0), valid, n, names, npath, session, false));
}

/*
 * This backend's copy of signing_keys and of the binding's configuration (the trigger's arguments). valid is
 * cleared by the relcache callback; generation counts invalidations, so a load that an invalidation overtook
 * is used once and read again by the next call.
 */
typedef struct TwKeyCache
{
	bool		valid;
	uint64		generation;
	Oid			relid;
	int			nkeys;
	TwKey	   *keys;
	bool		session;
	int			npath;
	char	  **path;
} TwKeyCache;

static TwKeyCache key_cache;
static MemoryContext key_context = NULL;

#define TW_KEYS_TABLE "signing_keys"
#define TW_KEYS_TRIGGER_FUNCTION "signing_keys_changed"

static void
tw_keys_invalidated(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == key_cache.relid || key_cache.relid == InvalidOid)
	{
		key_cache.valid = false;
		key_cache.generation++;
	}
}

/* The column of the keys table named name, of type type; an error when there is none. */
static AttrNumber
tw_keys_column(Relation rel, const char *name, Oid type)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0 && att->atttypid == type)
			return att->attnum;
	}
	ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					errmsg("tenantwall: %s has no column %s of type %s", RelationGetRelationName(rel), name,
						   format_type_be(type))));
	return InvalidAttrNumber;
}

/*
 * The binding's configuration, from the one signing_keys_changed() trigger on the keys table enabled ALWAYS:
 * an AFTER ... FOR EACH STATEMENT trigger on INSERT, UPDATE, DELETE and TRUNCATE, with no WHEN and no column
 * list (anything less would let a change pass unseen), whose arguments are the scope ('transaction' or
 * 'session') and the claim path. Copied into the cache's context.
 */
static void
tw_keys_configuration(Relation rel, Oid nsp)
{
	TriggerDesc *desc = rel->trigdesc;
	Trigger    *found = NULL;
	int			i;
	const int16 events = TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE | TRIGGER_TYPE_DELETE | TRIGGER_TYPE_TRUNCATE;

	for (i = 0; desc != NULL && i < desc->numtriggers; i++)
	{
		Trigger    *tg = &desc->triggers[i];
		char	   *name;

		if (get_func_namespace(tg->tgfoid) != nsp || (name = get_func_name(tg->tgfoid)) == NULL ||
			strcmp(name, TW_KEYS_TRIGGER_FUNCTION) != 0)
			continue;
		/* ALWAYS: a change applied with session_replication_role = replica (logical replication) counts too. */
		if (tg->tgenabled != TRIGGER_FIRES_ALWAYS)
			continue;
		if (TRIGGER_FOR_ROW(tg->tgtype) || !TRIGGER_FOR_AFTER(tg->tgtype) || (tg->tgtype & events) != events ||
			tg->tgqual != NULL || tg->tgnattr != 0 || tg->tgnargs < 2 ||
			(strcmp(tg->tgargs[0], "transaction") != 0 && strcmp(tg->tgargs[0], "session") != 0))
			continue;
		if (found != NULL)
			ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
							errmsg("tenantwall: %s has more than one %s trigger", RelationGetRelationName(rel),
								   TW_KEYS_TRIGGER_FUNCTION)));
		found = tg;
	}
	if (found == NULL)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						errmsg("tenantwall: %s has no %s trigger enabled ALWAYS", RelationGetRelationName(rel),
							   TW_KEYS_TRIGGER_FUNCTION),
						errdetail("Without it, no session would learn that a key was rotated or revoked."),
						errhint("Apply the spec again: it creates the trigger with the binding's scope and claim.")));
	key_cache.session = strcmp(found->tgargs[0], "session") == 0;
	key_cache.npath = found->tgnargs - 1;
	key_cache.path = MemoryContextAlloc(key_context, sizeof(char *) * key_cache.npath);
	for (i = 1; i < found->tgnargs; i++)
		key_cache.path[i - 1] = MemoryContextStrdup(key_context, found->tgargs[i]);
}

/* Reads the keys and the configuration into the cache: from the keys table in the schema of function fn. */
static void
tw_keys_load(Oid fn)
{
	Oid			nsp = get_func_namespace(fn);
	Oid			relid = get_relname_relid(TW_KEYS_TABLE, nsp);
	Relation	rel;
	Snapshot	snapshot;
	SysScanDesc scan;
	HeapTuple	tuple;
	AttrNumber	inner_col,
				outer_col,
				retired_col;
	uint64		generation;
	int			size = 4;

	if (!OidIsValid(relid))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
						errmsg("tenantwall: %s.%s does not exist", get_namespace_name(nsp), TW_KEYS_TABLE)));
	if (key_context == NULL)
		key_context = AllocSetContextCreate(TopMemoryContext, "tenantwall signing keys", ALLOCSET_SMALL_SIZES);
	MemoryContextReset(key_context);
	tw_memo_clear();
	key_cache.valid = false;
	key_cache.nkeys = 0;
	key_cache.npath = 0;
	key_cache.relid = relid;

	/* Opening it takes a lock, which reads pending invalidations: count from after that. */
	rel = table_open(relid, AccessShareLock);
	generation = key_cache.generation;
	if (rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
						errmsg("tenantwall: %s is not a table", RelationGetRelationName(rel))));
	inner_col = tw_keys_column(rel, "inner_key", BYTEAOID);
	outer_col = tw_keys_column(rel, "outer_key", BYTEAOID);
	retired_col = tw_keys_column(rel, "retired_at", TIMESTAMPTZOID);
	tw_keys_configuration(rel, nsp);

	key_cache.keys = MemoryContextAlloc(key_context, sizeof(TwKey) * size);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = systable_beginscan(rel, InvalidOid, false, snapshot, 0, NULL);
	while ((tuple = systable_getnext(scan)) != NULL)
	{
		bool		inner_null,
					outer_null,
					retired_null;
		Datum		inner = heap_getattr(tuple, inner_col, RelationGetDescr(rel), &inner_null);
		Datum		outer = heap_getattr(tuple, outer_col, RelationGetDescr(rel), &outer_null);
		Datum		retired = heap_getattr(tuple, retired_col, RelationGetDescr(rel), &retired_null);
		bytea	   *in,
				   *out;
		TwKey	   *key;

		if (inner_null || outer_null)
			continue;
		in = DatumGetByteaPP(inner);
		out = DatumGetByteaPP(outer);
		if (VARSIZE_ANY_EXHDR(in) != PG_SHA256_BLOCK_LENGTH || VARSIZE_ANY_EXHDR(out) != PG_SHA256_BLOCK_LENGTH)
			continue;
		if (key_cache.nkeys == size)
		{
			size *= 2;
			key_cache.keys = repalloc(key_cache.keys, sizeof(TwKey) * size);
		}
		key = &key_cache.keys[key_cache.nkeys++];
		tw_key_prepare(key, (uint8 *) VARDATA_ANY(in), (uint8 *) VARDATA_ANY(out));
		key->retired = retired_null ? DT_NOEND : DatumGetTimestampTz(retired);
	}
	systable_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
	key_cache.valid = generation == key_cache.generation;
}

/*
 * set_signed_context(token): verify_token with this backend's cached keys and the binding's own scope and
 * claim path. Anyone may call it: it binds only the tenant a current key signed, for the calling role.
 */
PG_FUNCTION_INFO_V1(tw_set_signed_context);
Datum
tw_set_signed_context(PG_FUNCTION_ARGS)
{
	if (!key_cache.valid)
		tw_keys_load(fcinfo->flinfo->fn_oid);
	(void) tw_verify(PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), key_cache.keys, key_cache.nkeys,
					 key_cache.path, key_cache.npath, key_cache.session, true);
	PG_RETURN_VOID();
}

/*
 * signing_keys_changed(): the keys table's statement trigger. The relcache invalidation it queues reaches this
 * backend at its next command and every other backend at its next transaction, if this one commits.
 */
PG_FUNCTION_INFO_V1(tw_signing_keys_changed);
Datum
tw_signing_keys_changed(PG_FUNCTION_ARGS)
{
	TriggerData *data = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
						errmsg("tenantwall: signing_keys_changed() is a trigger function")));
	CacheInvalidateRelcache(data->tg_relation);
	return PointerGetDatum(NULL);
}

/* clear_verified(): no tenant, for the session; anyone may give up their own context. */
PG_FUNCTION_INFO_V1(tw_clear_verified);
Datum
tw_clear_verified(PG_FUNCTION_ARGS)
{
	tw_set_verified("", true);
	PG_RETURN_VOID();
}
