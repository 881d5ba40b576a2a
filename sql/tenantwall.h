/*
 * tenantwall.h: what the context readers (tenantwall.c) and the held context (held.c) share: a setting's
 * parsed value, the slot a context setting gets in this backend, and the few functions both call.
 */
#ifndef TENANTWALL_H
#define TENANTWALL_H

#include "fmgr.h"
#include "utils/guc.h"
#include "utils/uuid.h"

#define TW_SLOTS 8
/* How many (sub)transaction levels deep one setting's held values may stack. */
#define TW_HELD_DEPTH 32

/* A tenant's typed forms: each filled in once, by the parse of its text or by a typed setter. */
typedef struct TwTypedForm
{
	bool		has_uuid;
	bool		has_int8;
	bool		has_int4;
	pg_uuid_t	uuid;
	int64		int8;
	int32		int4;
} TwTypedForm;

/* A setting's value, parsed once when it is set. The typed forms are filled in on first use. */
typedef struct TwValue
{
	bool		present;		/* neither unset nor '' */
	Oid			role;			/* verified: the role it was verified for */
	double		expires;		/* verified: the token's exp, Unix seconds */
	TwTypedForm typed;
	char		tenant[FLEXIBLE_ARRAY_MEMBER];
} TwValue;

/*
 * A value held for one (sub)transaction level (held.c). NULL: the setting's own value shows again at that
 * level (a RESET, a release, a function's SET clause undone at its exit).
 */
typedef struct TwHeld
{
	int			level;
	TwValue    *value;
} TwHeld;

/* A context setting this backend has turned into a variable with hooks. */
typedef struct TwSlot
{
	char	   *name;
	int			len;
	char	   *value;			/* the setting's own value (the GUC's storage) */
	TwValue    *current;		/* that value, parsed */
	int			nheld;			/* the held values, innermost last; none outside a transaction */
	TwHeld		held[TW_HELD_DEPTH];
} TwSlot;

extern TwSlot tw_slots[TW_SLOTS];
extern int	tw_nslots;

/* What a reader of the slot sees: the innermost held value, else the setting's own. */
static inline TwValue *
tw_slot_value(TwSlot *slot)
{
	if (slot->nheld > 0 && slot->held[slot->nheld - 1].value != NULL)
		return slot->held[slot->nheld - 1].value;
	return slot->current;
}

/* tenantwall.c */
extern TwSlot *tw_slot(const char *name, bool may_define);
extern TwSlot *tw_slot_of(text *setting, bool may_define, char **name);
extern void tw_require_tenant(bool missing);
extern int	tw_uuid_write(const pg_uuid_t *uuid, char *out);
extern void tw_write_setting(const char *name, const char *value, GucAction action);

/* held.c */
extern void tw_held_init(void);
extern bool tw_held_allows(TwSlot *slot, GucSource source);
extern void tw_held_assigned(TwSlot *slot);
extern const GucShowHook tw_show[TW_SLOTS];

#endif
