/*
 * src/dialect/target_failback.h
 *	  The target's side of failback: a logical slot and publication on the
 *	  new primary, made during the cutover's write halt.
 *
 * After cutover the application writes to the target.  Failback replicates
 * those writes back to the old source, so the slot must exist before the
 * first of them: cutover --prepare-failback creates it while writes are
 * still halted, when target == source.  `godwit failback` then streams from
 * it with the same replicate pipeline, target -> source.
 *
 * PostgreSQL targets only: a CockroachDB target would need a changefeed
 * into godwit (see docs/failback.md), which is refused with that reason.
 */
#ifndef GODWIT_DIALECT_TARGET_FAILBACK_H
#define GODWIT_DIALECT_TARGET_FAILBACK_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog/catalog.h"
#include "common/checklist.h"
#include "dialect/pg/pg_conn.h"

/* The slot and publication failback reads on the target. */
#define FAILBACK_SLOT "godwit_failback"
#define FAILBACK_PUBLICATION "godwit_failback"
/* godwit's sessions on the migration's source during failback: past the read-only default */
#define FAILBACK_SESSION_OPTIONS "-c default_transaction_read_only=off"

/*
 * target_failback_check
 *		Can this target feed a failback into a source of this engine: the
 *		source PostgreSQL (failback applies over the PostgreSQL protocol), the
 *		target PostgreSQL (not CockroachDB) with wal_level logical and a role
 *		allowed to create replication slots.  Cheap; meant to run before the
 *		write halt starts, or when migrate starts.
 *
 * Returns false with the reason and the remedy logged (ERR_ARGS or ERR_TARGET).
 */
bool		target_failback_check(PgConn *c, ConnEngine source_engine);

/* The same as a `godwit check` item (scope target, name failback): OK or WARN. */
void		target_failback_check_item(PgConn *c, CheckList *out);

/*
 * target_failback_prepare
 *		(Re)create the failback publication over the migrated tables (their
 *		target names) and the logical slot.  Tables without a primary key get
 *		REPLICA IDENTITY FULL, without which PostgreSQL refuses UPDATE and
 *		DELETE on a published table.  A slot of that name left by an earlier
 *		attempt is dropped first (no application write can be in it: the
 *		application moves only after a cutover succeeds); one in use is an
 *		error.  Writes the slot's consistent point to lsn.
 *
 * Returns false on error (logged, ERR_TARGET).
 */
bool		target_failback_prepare(PgConn *c, const Catalog *cat, char *lsn, size_t lsnlen);

/*
 * target_failback_session
 *		Set up the sessions failback writes with on the migration's source
 *		(c, opened from url with FAILBACK_SESSION_OPTIONS, which override the
 *		read-only default cutover --lock-source left): as a superuser they
 *		also write as a replica (session_replication_role), so the source's
 *		triggers and foreign-key checks do not fire for rows the target already produced, as in
 *		PostgreSQL's own logical replication; c is reopened with those
 *		options.  Otherwise the user triggers that would fire on the migrated
 *		tables are named in a warning.  url->session_options may be replaced
 *		(static strings).  False on error (logged).
 */
bool		target_failback_session(PgConn *c, ConnUrl *url, const Catalog *cat);

/*
 * target_failback_release
 *		At the end of the way back's cutover, on the migration's source (here
 *		the database changes are applied to): lift the read-only default that
 *		cutover --lock-source set, so the application can write there again.
 *		A no-op where there is none.  False on error (logged).
 */
bool		target_failback_release(PgConn *c);

#endif
