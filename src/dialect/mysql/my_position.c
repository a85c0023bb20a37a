/*
 * src/dialect/mysql/my_position.c
 *	  Source positions of MySQL / MariaDB (SourceOps.current_position,
 *	  position_reached, position_lag_bytes): GTID sets.
 *
 * A position is the text of a GTID set, as the binlog stream writes it into
 * the replication checkpoint: MariaDB's gtid_binlog_pos ("0-1-100,7-22-3")
 * or MySQL's gtid_executed ("3E11FA47-...:1-5,..."), told apart by the ':'
 * only MySQL's form has.  "Reached" is set containment (gtid.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/gtid.h"
#include "common/mem.h"
#include "dialect/mysql/my_conn.h"
#include "dialect/mysql/my_source.h"

bool
my_current_position(Source *src, char *out, size_t outlen)
{
	MySource   *s = (MySource *) src;
	char	   *v = NULL;
	size_t		o = 0;

	if (!my_query_value(&s->conn, s->conn.flavor == MY_FLAVOR_MARIADB ? "SELECT @@GLOBAL.gtid_binlog_pos"
						: "SELECT @@GLOBAL.gtid_executed", &v))
		return false;
	for (const char *p = v ? v : ""; *p && o + 1 < outlen; p++)
		if (*p != '\n' && *p != ' ')
			out[o++] = *p;
	out[o] = '\0';
	free(v);
	return true;
}

static GtidFlavor
flavor_of(const char *a, const char *b)
{
	return (a && strchr(a, ':')) || (b && strchr(b, ':')) ? GTID_FLAVOR_MYSQL : GTID_FLAVOR_MARIADB;
}

bool
my_position_reached(const char *applied, const char *wanted)
{
	GtidSet		a,
				w;
	char		err[128];
	GtidFlavor	f = flavor_of(applied, wanted);
	bool		reached;

	if (wanted == NULL || wanted[0] == '\0')
		return true;
	if (applied == NULL)
		return false;
	if (!gtid_set_parse(applied, f, &a, err, sizeof(err)))
	{
		gtid_set_free(&a);
		return false;
	}
	if (!gtid_set_parse(wanted, f, &w, err, sizeof(err)))
	{
		gtid_set_free(&a);
		gtid_set_free(&w);
		return true;			/* nothing sensible to wait for */
	}
	reached = gtid_set_contains(&a, &w);
	gtid_set_free(&a);
	gtid_set_free(&w);
	return reached;
}

int64_t
my_position_lag_bytes(const char *applied, const char *current)
{
	(void) applied;
	(void) current;
	return -1;					/* GTIDs say nothing about bytes */
}
