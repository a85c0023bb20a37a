/*
 * src/core/status.h
 *	  godwit status: where a migration stands, read from the target's _godwit
 *	  state (and, when given, the source's current position for the lag).
 */
#ifndef GODWIT_CORE_STATUS_H
#define GODWIT_CORE_STATUS_H

#include <stdbool.h>

#include "dialect/pg/pg_conn.h"
#include "dialect/source.h"

/*
 * status_print
 *		Print the migration's phase, fetch progress, replication position and
 *		lag, the last verify and the last cutover, as text or one JSON object.
 *		src may be NULL (no lag in bytes then).  False on error (logged).
 */
bool		status_print(PgConn *target, Source *src, bool json);

#endif
