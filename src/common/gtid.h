/*
 * src/common/gtid.h
 *	  Global transaction ids of MariaDB and MySQL: parse, format, merge, compare.
 *
 * MariaDB: a GTID is domain-server-seq; a binlog *position* is a list with one
 * GTID per replication domain ("0-1-100,1-2-7").  Within a domain, sequence
 * numbers grow, so position A has reached B when A's seq >= B's in every domain
 * of B.
 *
 * MySQL: a GTID is uuid[:tag]:gno; a GTID *set* is a list of intervals per
 * source uuid (and, from 8.3, per tag):
 * "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:11,...".  Set A has reached B when
 * A contains every transaction of B.
 *
 * Both are held in one GtidSet with a flavor, so the replication checkpoint can
 * store, compare and print either.
 */
#ifndef GODWIT_COMMON_GTID_H
#define GODWIT_COMMON_GTID_H

#include <stdbool.h>
#include <stdint.h>

#include "common/strbuf.h"

typedef enum GtidFlavor
{
	GTID_FLAVOR_MARIADB,
	GTID_FLAVOR_MYSQL,
} GtidFlavor;

typedef struct MariadbGtid
{
	uint32_t	domain;
	uint32_t	server;
	uint64_t	seq;
} MariadbGtid;

typedef struct GtidInterval
{
	uint64_t	start;			/* inclusive */
	uint64_t	end;			/* inclusive */
} GtidInterval;

typedef struct GtidSid
{
	uint8_t		uuid[16];
	char		tag[33];		/* "" when untagged */
	GtidInterval *iv;			/* sorted, disjoint, non-adjacent */
	int			niv;
	int			cap;
} GtidSid;

typedef struct GtidSet
{
	GtidFlavor	flavor;
	MariadbGtid *md;			/* MariaDB: one per domain, sorted by domain */
	int			nmd;
	int			cap_md;
	GtidSid    *sids;			/* MySQL: sorted by uuid, tag */
	int			nsids;
	int			cap_sids;
} GtidSet;

void		gtid_set_init(GtidSet *s, GtidFlavor flavor);
void		gtid_set_free(GtidSet *s);
void		gtid_set_copy(GtidSet *dst, const GtidSet *src);	/* dst is initialised */
bool		gtid_set_is_empty(const GtidSet *s);

/*
 * gtid_set_parse
 *		Parse text into *out (initialised here).  Whitespace and newlines
 *		between elements are allowed (MySQL prints "...,\n...").
 *
 * Returns false with a message in err (errlen bytes) on malformed input;
 * *out is then empty but must still be freed.
 */
bool		gtid_set_parse(const char *text, GtidFlavor flavor, GtidSet *out,
						   char *err, int errlen);
void		gtid_set_format(const GtidSet *s, StrBuf *out);

/* Record one transaction.  MariaDB: the domain's entry becomes this GTID. */
void		gtid_set_add_mariadb(GtidSet *s, MariadbGtid g);
/* MySQL: add gno to uuid/tag (tag may be NULL or ""), merging intervals. */
void		gtid_set_add_mysql(GtidSet *s, const uint8_t uuid[16], const char *tag,
							   uint64_t gno);

/* True when a has reached (contains) every transaction of b. */
bool		gtid_set_contains(const GtidSet *a, const GtidSet *b);

bool		gtid_uuid_parse(const char *s, uint8_t out[16]);
void		gtid_uuid_format(const uint8_t uuid[16], char out[37]);

#endif
