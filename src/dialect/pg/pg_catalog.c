/*
 * src/dialect/pg/pg_catalog.c
 *	  Read a PostgreSQL source's schema into the catalog model, from
 *	  pg_catalog (SourceOps.read_catalog of the PostgreSQL driver).
 *
 * Everything is read in one REPEATABLE READ transaction (or inside the
 * caller's transaction, e.g. an exported snapshot) with search_path set to
 * pg_catalog only, as pg_dump does: format_type(), pg_get_expr(),
 * pg_get_indexdef() and pg_get_constraintdef() then qualify every name
 * outside pg_catalog, so their text is valid DDL on the target as it is.
 *
 * What is read (one query each, for the selected tables at once):
 *   tables      relkind r and p, not partitions, not owned by an extension;
 *               a partitioned table is one table (its rows are read through
 *               it); estimates summed over its leaves
 *   columns     pg_attribute + pg_attrdef (defaults, generated expressions)
 *   types       the closure of the column types (array elements, domain
 *               bases, composite attributes): resolved in C
 *   enums       pg_enum labels; domains' CHECKs; composites' attributes
 *   constraints primary key, unique, foreign keys, checks (pg_constraint)
 *   indexes     the rest of pg_index (not backing a constraint)
 *   sequences   pg_sequence + pg_sequences, with the column that owns each
 */
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "dialect/pg/pg_source.h"

/* The schemas godwit never migrates. */
#define PG_SYSTEM_SCHEMAS \
	"n.nspname NOT IN ('pg_catalog', 'information_schema', '_godwit') " \
	"AND n.nspname NOT LIKE 'pg\\_%' "

static const char *const SQL_TABLES =
	"SELECT c.oid, n.nspname, c.relname, c.relkind, c.relreplident, "
	"  CASE WHEN c.relkind = 'p' THEN "
	"    (SELECT CASE WHEN bool_and(l.reltuples < 0) THEN -1 ELSE sum(greatest(l.reltuples, 0)) END "
	"     FROM pg_partition_tree(c.oid) pt JOIN pg_class l ON l.oid = pt.relid WHERE pt.isleaf) "
	"  ELSE c.reltuples END::int8, "
	"  (CASE WHEN c.relkind = 'p' THEN "
	"    (SELECT coalesce(sum(l.relpages), 0) FROM pg_partition_tree(c.oid) pt "
	"     JOIN pg_class l ON l.oid = pt.relid WHERE pt.isleaf) "
	"  ELSE c.relpages END)::int8 * current_setting('block_size')::int8 "
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND " PG_SYSTEM_SCHEMAS
	"AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
	"                AND d.objid = c.oid AND d.deptype = 'e') "
	"ORDER BY 2, 3";

static const char *const SQL_COLUMNS =
	"SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attndims, a.attnotnull, "
	"  format_type(a.atttypid, a.atttypmod), a.attidentity, a.attgenerated, "
	"  pg_get_expr(d.adbin, d.adrelid), "
	"  CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation "
	"       AND co.collnamespace = 'pg_catalog'::regnamespace THEN co.collname END "
	"FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
	"LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
	"LEFT JOIN pg_collation co ON co.oid = a.attcollation "
	"WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
	"ORDER BY a.attrelid, a.attnum";

/* Every type the columns need: array elements, domain bases, composite attributes. */
static const char *const SQL_TYPES =
	"WITH RECURSIVE need(oid) AS ("
	"  SELECT DISTINCT a.atttypid FROM pg_attribute a "
	"  WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
	"  UNION "
	"  SELECT d.dep FROM need JOIN pg_type t ON t.oid = need.oid "
	"  CROSS JOIN LATERAL ("
	"    SELECT t.typelem WHERE t.typelem <> 0 "
	"    UNION ALL SELECT t.typbasetype WHERE t.typbasetype <> 0 "
	"    UNION ALL SELECT a.atttypid FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
	"              WHERE c.oid = t.typrelid AND c.relkind = 'c' AND a.attnum > 0 AND NOT a.attisdropped"
	"  ) d(dep)"
	") "
	"SELECT t.oid, n.nspname, t.typname, t.typtype, t.typelem, t.typlen, t.typbasetype, t.typtypmod, "
	"  t.typnotnull, coalesce(r.relkind, ''), e.extname, "
	"  CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, "
	"  pg_get_expr(t.typdefaultbin, 0), "
	"  CASE WHEN t.typtype = 'd' AND t.typcollation <> 0 AND t.typcollation <> bt.typcollation "
	"       AND co.collnamespace = 'pg_catalog'::regnamespace THEN co.collname END "
	"FROM need JOIN pg_type t ON t.oid = need.oid "
	"JOIN pg_namespace n ON n.oid = t.typnamespace "
	"LEFT JOIN pg_type bt ON bt.oid = t.typbasetype "
	"LEFT JOIN pg_class r ON r.oid = t.typrelid "
	"LEFT JOIN pg_collation co ON co.oid = t.typcollation "
	"LEFT JOIN pg_depend dep ON dep.classid = 'pg_type'::regclass AND dep.objid = t.oid "
	"  AND dep.deptype = 'e' "
	"LEFT JOIN pg_extension e ON e.oid = dep.refobjid "
	"ORDER BY t.oid";

static const char *const SQL_ENUM_LABELS =
	"SELECT enumtypid, enumlabel FROM pg_enum WHERE enumtypid = ANY ($1::oid[]) "
	"ORDER BY enumtypid, enumsortorder";

static const char *const SQL_DOMAIN_CHECKS =
	"SELECT contypid, conname, pg_get_constraintdef(oid) FROM pg_constraint "
	"WHERE contypid = ANY ($1::oid[]) AND contype = 'c' ORDER BY contypid, conname";

static const char *const SQL_COMPOSITE_ATTRS =
	"SELECT c.reltype, a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid "
	"FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
	"WHERE c.reltype = ANY ($1::oid[]) AND c.relkind = 'c' AND a.attnum > 0 AND NOT a.attisdropped "
	"ORDER BY c.reltype, a.attnum";

/* The leaf partitions of the selected partitioned tables (any depth). */
static const char *const SQL_LEAVES =
	"SELECT p.oid, pt.relid::oid, l.relname "
	"FROM pg_class p CROSS JOIN LATERAL pg_partition_tree(p.oid) pt "
	"JOIN pg_class l ON l.oid = pt.relid "
	"WHERE p.oid = ANY ($1::oid[]) AND p.relkind = 'p' AND pt.isleaf "
	"ORDER BY 1, 2";

/*
 * Constraints of the selected tables and of their leaf partitions; a
 * partition's copy of its parent's constraint (conparentid <> 0) is left
 * out.  Key columns are read by name: a partition's attnums may differ from
 * its parent's.
 */
static const char *const SQL_CONSTRAINTS =
	"SELECT con.conrelid, con.conname, con.contype, "
	"  ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord) "
	"        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord), "
	"  rn.nspname, rc.relname, "
	"  ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord) "
	"        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord), "
	"  con.confupdtype, con.confdeltype, con.confmatchtype, con.condeferrable, con.condeferred, "
	"  con.convalidated, pg_get_constraintdef(con.oid), pg_get_expr(con.conbin, con.conrelid) "
	"FROM pg_constraint con "
	"LEFT JOIN pg_class rc ON rc.oid = con.confrelid "
	"LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace "
	"WHERE con.conrelid = ANY ($1::oid[]) AND con.contype IN ('p', 'u', 'f', 'c', 'x') "
	"  AND con.conparentid = 0 "
	"ORDER BY con.conrelid, con.conname";

/*
 * Indexes that back no constraint and are not a partition's copy of its
 * parent's index.  Keys by name (NULL for an expression).  definition_tail
 * is what follows "USING <method> " in pg_get_indexdef(): the prefix is
 * rebuilt with the same quoting and compared, so odd names cannot confuse
 * the split.
 */
static const char *const SQL_INDEXES =
	"SELECT i.indrelid, ic.relname, i.indisunique, i.indisvalid, am.amname, i.indnkeyatts, "
	"  i.indnatts, "
	"  ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord) "
	"        LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.ord), "
	"  i.indoption, "
	"  ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnatts) k "
	"        ORDER BY k), "
	"  pg_get_expr(i.indpred, i.indrelid, true), "
	"  CASE WHEN starts_with(x.def, x.prefix) THEN substr(x.def, length(x.prefix) + 1) END, x.def "
	"FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
	"JOIN pg_am am ON am.oid = ic.relam "
	"JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
	"CROSS JOIN LATERAL (SELECT pg_get_indexdef(i.indexrelid) AS def, "
	"  'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' "
	"  || quote_ident(ic.relname) || ' ON ' || CASE WHEN c.relkind = 'p' THEN 'ONLY ' ELSE '' END "
	"  || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' USING ' "
	"  || quote_ident(am.amname) || ' ' AS prefix) x "
	"WHERE i.indrelid = ANY ($1::oid[]) AND NOT i.indisprimary "
	"  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
	"                  AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) "
	"  AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid) "
	"ORDER BY i.indrelid, ic.relname";

/*
 * Sequences, with the column that owns each (serial: 'a', identity: 'i')
 * and whether a default of a selected table / of any table uses it.
 * pg_sequences.last_value is NULL when the sequence was never called.
 */
static const char *const SQL_SEQUENCES =
	"SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, "
	"  s.seqmax, s.seqmin, s.seqcycle, ps.last_value, dep.refobjid, on_.nspname, ot.relname, "
	"  oa.attname, "
	"  EXISTS (SELECT 1 FROM pg_depend d JOIN pg_attrdef ad ON ad.oid = d.objid "
	"          WHERE d.classid = 'pg_attrdef'::regclass AND d.refobjid = c.oid "
	"          AND ad.adrelid = ANY ($1::oid[])), "
	"  EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_attrdef'::regclass "
	"          AND d.refobjid = c.oid) "
	"FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace "
	"LEFT JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = c.relname "
	"LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid "
	"  AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i') "
	"LEFT JOIN pg_class ot ON ot.oid = dep.refobjid "
	"LEFT JOIN pg_namespace on_ ON on_.oid = ot.relnamespace "
	"LEFT JOIN pg_attribute oa ON oa.attrelid = dep.refobjid AND oa.attnum = dep.refobjsubid "
	"WHERE " PG_SYSTEM_SCHEMAS
	"  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass "
	"                  AND e.objid = c.oid AND e.deptype = 'e') "
	"ORDER BY 1, 2";

/* One row of pg_type, as the resolver needs it. */
typedef struct PgType
{
	uint32_t	oid;
	char	   *nspname;
	char	   *typname;
	char		typtype;
	uint32_t	typelem;
	int			typlen;
	uint32_t	typbasetype;
	int32_t		typtypmod;
	bool		typnotnull;
	char		relkind;		/* composite: 'c' for CREATE TYPE, else a table's row type */
	char	   *extname;
	char	   *base_text;		/* domain: format_type(base, typmod) */
	char	   *default_expr;	/* domain default */
	char	   *collation;		/* domain collation (pg_catalog), NULL if the base's */
} PgType;

/* A leaf partition of a selected partitioned table. */
typedef struct Leaf
{
	uint32_t	oid;
	Table	   *parent;
	char	   *relname;
} Leaf;

/*
 * An index or foreign key defined on a leaf partition: carried to the
 * merged table when every leaf of its parent has the same one.
 */
typedef struct LeafObject
{
	const Leaf *leaf;
	char	   *signature;		/* the definition, without the leaf's name */
	bool		is_index;
	IndexDef	ix;
	ForeignKeyDef fk;
} LeafObject;

typedef struct Reader
{
	PgSource   *src;
	Catalog    *cat;
	PgType	   *types;			/* sorted by oid */
	int			ntypes;
	char	   *oids;			/* "{1,2,3}": the selected tables, for $1 */
	char	   *all_oids;		/* the selected tables and their leaf partitions */
	Leaf	   *leaves;
	int			nleaves;
	LeafObject *leafobjs;
	int			nleafobjs;
	int			cap_leafobjs;
} Reader;

/* ------------------------------------------------------------- helpers */

static uint32_t
get_oid(const PGresult *r, int row, int col)
{
	return (uint32_t) strtoul(PQgetvalue(r, row, col), NULL, 10);
}

static char *
get_str(Catalog *c, const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : arena_strdup(&c->arena, PQgetvalue(r, row, col));
}

static bool
get_bool(const PGresult *r, int row, int col)
{
	return PQgetvalue(r, row, col)[0] == 't';
}

/* Run one catalog query with the table OIDs as $1 (or no parameter). */
static PGresult *
reader_query(Reader *rd, const char *sql, bool with_oids, const char *what)
{
	const char *params[1] = {rd->oids};
	PGresult   *r = pg_query_quiet(&rd->src->conn, sql, with_oids ? 1 : 0, with_oids ? params : NULL);

	if (r == NULL)
	{
		err_set_kind(ERR_SOURCE);
		log_error_dh(rd->src->conn.last_error, "check that the migration user can read pg_catalog",
					 "could not read the %s of the source catalog", what);
	}
	return r;
}

/*
 * Parse a text array literal ({a,"b c",NULL}) into n arena strings (NULL
 * elements as NULL).  One dimension only, as catalog arrays are.
 */
static int
parse_text_array(Arena *a, const char *s, char ***out)
{
	char	  **items = NULL;
	int			n = 0,
				cap = 0;

	*out = NULL;
	if (s == NULL || *s != '{')
		return 0;
	s++;
	while (*s && *s != '}')
	{
		StrBuf		b;
		bool		quoted = *s == '"';

		sb_init(&b, 0);
		if (quoted)
		{
			for (s++; *s && *s != '"'; s++)
			{
				if (*s == '\\' && s[1])
					s++;
				sb_appendc(&b, *s);
			}
			if (*s == '"')
				s++;
		}
		else
			while (*s && *s != ',' && *s != '}')
				sb_appendc(&b, *s++);
		if (n == cap)
		{
			char	  **grown = arena_alloc_array0(a, (size_t) (cap ? cap * 2 : 8), sizeof(char *));

			if (n)
				memcpy(grown, items, sizeof(char *) * (size_t) n);
			items = grown;
			cap = cap ? cap * 2 : 8;
		}
		items[n++] = (!quoted && strcmp(b.data, "NULL") == 0) ? NULL : arena_strdup(a, b.data);
		sb_free(&b);
		if (*s == ',')
			s++;
	}
	*out = items;
	return n;
}

/* Parse "{1,2}" (int2[]) or "1 2" (int2vector) into arena ints. */
static int
parse_int_list(Arena *a, const char *s, int **out)
{
	int			n = 0;
	int		   *v = arena_alloc_array0(a, strlen(s) / 2 + 1, sizeof(int));

	while (*s)
	{
		char	   *end;
		long		x;

		if (*s == '{' || *s == '}' || *s == ',' || *s == ' ')
		{
			s++;
			continue;
		}
		x = strtol(s, &end, 10);
		if (end == s)
			break;
		v[n++] = (int) x;
		s = end;
	}
	*out = v;
	return n;
}

static const PgType *
find_type(const Reader *rd, uint32_t oid)
{
	int			lo = 0,
				hi = rd->ntypes - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (rd->types[mid].oid == oid)
			return &rd->types[mid];
		if (rd->types[mid].oid < oid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static bool
is_array_type(const PgType *t)
{
	return t->typtype == 'b' && t->typelem != 0 && t->typlen == -1;
}

static bool
is_builtin(const PgType *t)
{
	return strcmp(t->nspname, "pg_catalog") == 0;
}

/* ------------------------------------------------------------- tables */

/*
 * read_tables
 *		Add the tables filter selects to the catalog; set rd->oids to their OIDs.
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_tables(Reader *rd, const TableFilter *filter)
{
	PGresult   *r = reader_query(rd, SQL_TABLES, false, "tables");
	StrBuf		oids;

	if (r == NULL)
		return false;
	sb_init(&oids, 0);
	sb_appendc(&oids, '{');
	for (int i = 0; i < PQntuples(r); i++)
	{
		Table	   *t;

		if (!table_filter_match(filter, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2)))
			continue;
		t = catalog_add_table(rd->cat, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
		t->oid = get_oid(r, i, 0);
		t->is_partitioned = PQgetvalue(r, i, 3)[0] == 'p';
		t->replica_identity = PQgetvalue(r, i, 4)[0];
		t->est_rows = strtoll(PQgetvalue(r, i, 5), NULL, 10);
		t->est_bytes = strtoll(PQgetvalue(r, i, 6), NULL, 10);
		if (oids.len > 1)
			sb_appendc(&oids, ',');
		sb_appendf(&oids, "%u", t->oid);
	}
	sb_appendc(&oids, '}');
	rd->oids = arena_strdup(&rd->cat->arena, oids.data);
	sb_free(&oids);
	PQclear(r);
	return true;
}

/* ------------------------------------------------------------- types */

/*
 * read_types
 *		Load the pg_type rows of every type the columns need (rd->types).
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_types(Reader *rd)
{
	PGresult   *r = reader_query(rd, SQL_TYPES, true, "column types");
	Catalog    *c = rd->cat;

	if (r == NULL)
		return false;
	rd->ntypes = PQntuples(r);
	rd->types = arena_alloc_array0(&c->arena, (size_t) rd->ntypes + 1, sizeof(PgType));
	for (int i = 0; i < rd->ntypes; i++)
	{
		PgType	   *t = &rd->types[i];

		t->oid = get_oid(r, i, 0);
		t->nspname = get_str(c, r, i, 1);
		t->typname = get_str(c, r, i, 2);
		t->typtype = PQgetvalue(r, i, 3)[0];
		t->typelem = get_oid(r, i, 4);
		t->typlen = atoi(PQgetvalue(r, i, 5));
		t->typbasetype = get_oid(r, i, 6);
		t->typtypmod = atoi(PQgetvalue(r, i, 7));
		t->typnotnull = get_bool(r, i, 8);
		t->relkind = PQgetvalue(r, i, 9)[0];
		t->extname = get_str(c, r, i, 10);
		t->base_text = get_str(c, r, i, 11);
		t->default_expr = get_str(c, r, i, 12);
		t->collation = get_str(c, r, i, 13);
	}
	PQclear(r);
	return true;
}

/* The user type a type depends on once arrays are stripped, for UserType.deps. */
static uint32_t
dep_oid(const Reader *rd, uint32_t oid)
{
	const PgType *t = find_type(rd, oid);

	if (t && is_array_type(t))
		t = find_type(rd, t->typelem);
	if (t == NULL || is_builtin(t) || t->extname)
		return 0;
	if (t->typtype == 'e' || t->typtype == 'd' || (t->typtype == 'c' && t->relkind == 'c'))
		return t->oid;
	return 0;
}

static void
add_dep(Catalog *c, UserType *u, uint32_t oid)
{
	uint32_t   *deps;

	if (oid == 0)
		return;
	for (int i = 0; i < u->ndeps; i++)
		if (u->deps[i] == oid)
			return;
	deps = arena_alloc_array0(&c->arena, (size_t) u->ndeps + 1, sizeof(uint32_t));
	if (u->ndeps)
		memcpy(deps, u->deps, sizeof(uint32_t) * (size_t) u->ndeps);
	deps[u->ndeps++] = oid;
	u->deps = deps;
}

/* Enums, domains and composite types among the types the columns need. */
static bool
read_user_types(Reader *rd)
{
	Catalog    *c = rd->cat;
	StrBuf		enums,
				domains,
				comps;
	PGresult   *r;
	bool		ok = true;

	sb_init(&enums, 0);
	sb_init(&domains, 0);
	sb_init(&comps, 0);
	for (int i = 0; i < rd->ntypes; i++)
	{
		PgType	   *t = &rd->types[i];
		StrBuf	   *list = NULL;

		if (is_builtin(t) || t->extname)
			continue;
		if (t->typtype == 'e')
		{
			catalog_add_enum(c, t->nspname, t->typname)->oid = t->oid;
			list = &enums;
		}
		else if (t->typtype == 'd')
		{
			UserType   *u = catalog_add_type(c, USERTYPE_DOMAIN, t->nspname, t->typname);

			u->oid = t->oid;
			u->base_type = t->base_text;
			u->notnull = t->typnotnull;
			u->default_expr = t->default_expr;
			u->collation = t->collation;
			add_dep(c, u, dep_oid(rd, t->typbasetype));
			list = &domains;
		}
		else if (t->typtype == 'c' && t->relkind == 'c')
		{
			catalog_add_type(c, USERTYPE_COMPOSITE, t->nspname, t->typname)->oid = t->oid;
			list = &comps;
		}
		if (list)
			sb_appendf(list, "%s%u", list->len ? "," : "{", t->oid);
	}

	if (enums.len)
	{
		const char *p[1];

		sb_appendc(&enums, '}');
		p[0] = enums.data;
		r = pg_query_quiet(&rd->src->conn, SQL_ENUM_LABELS, 1, p);
		ok = r != NULL;
		for (int i = 0; ok && i < PQntuples(r); i++)
		{
			EnumType   *e = catalog_find_enum_oid(c, get_oid(r, i, 0));
			char	  **labels = arena_alloc_array0(&c->arena, (size_t) e->nlabels + 1, sizeof(char *));

			if (e->nlabels)
				memcpy(labels, e->labels, sizeof(char *) * (size_t) e->nlabels);
			labels[e->nlabels++] = get_str(c, r, i, 1);
			e->labels = labels;
		}
		PQclear(r);
	}
	if (ok && domains.len)
	{
		const char *p[1];

		sb_appendc(&domains, '}');
		p[0] = domains.data;
		r = pg_query_quiet(&rd->src->conn, SQL_DOMAIN_CHECKS, 1, p);
		ok = r != NULL;
		for (int i = 0; ok && i < PQntuples(r); i++)
		{
			UserType   *u = catalog_find_type_oid(c, get_oid(r, i, 0));
			char	  **names = arena_alloc_array0(&c->arena, (size_t) u->nchecks + 1, sizeof(char *));
			char	  **defs = arena_alloc_array0(&c->arena, (size_t) u->nchecks + 1, sizeof(char *));

			if (u->nchecks)
			{
				memcpy(names, u->check_names, sizeof(char *) * (size_t) u->nchecks);
				memcpy(defs, u->check_defs, sizeof(char *) * (size_t) u->nchecks);
			}
			names[u->nchecks] = get_str(c, r, i, 1);
			defs[u->nchecks++] = get_str(c, r, i, 2);
			u->check_names = names;
			u->check_defs = defs;
		}
		PQclear(r);
	}
	if (ok && comps.len)
	{
		const char *p[1];

		sb_appendc(&comps, '}');
		p[0] = comps.data;
		r = pg_query_quiet(&rd->src->conn, SQL_COMPOSITE_ATTRS, 1, p);
		ok = r != NULL;
		for (int i = 0; ok && i < PQntuples(r); i++)
		{
			UserType   *u = catalog_find_type_oid(c, get_oid(r, i, 0));
			char	  **names = arena_alloc_array0(&c->arena, (size_t) u->nattrs + 1, sizeof(char *));
			char	  **types = arena_alloc_array0(&c->arena, (size_t) u->nattrs + 1, sizeof(char *));

			if (u->nattrs)
			{
				memcpy(names, u->attr_names, sizeof(char *) * (size_t) u->nattrs);
				memcpy(types, u->attr_types, sizeof(char *) * (size_t) u->nattrs);
			}
			names[u->nattrs] = get_str(c, r, i, 1);
			types[u->nattrs++] = get_str(c, r, i, 2);
			u->attr_names = names;
			u->attr_types = types;
			add_dep(c, u, dep_oid(rd, get_oid(r, i, 3)));
		}
		PQclear(r);
	}
	if (!ok)
	{
		err_set_kind(ERR_SOURCE);
		log_error_dh(rd->src->conn.last_error, NULL, "could not read the user-defined types of the source");
	}
	sb_free(&enums);
	sb_free(&domains);
	sb_free(&comps);
	return ok;
}

/* Length, precision, scale, fractional seconds from a typmod (as PostgreSQL's typmodout). */
static void
decode_typmod(Column *col, int32_t typmod)
{
	const char *b = col->source_base;

	if (typmod < 0)
		return;
	if (strcmp(b, "varchar") == 0 || strcmp(b, "bpchar") == 0)
		col->length = typmod - 4;
	else if (strcmp(b, "numeric") == 0 && typmod >= 4)
	{
		int32_t		tm = typmod - 4;

		col->precision = (tm >> 16) & 0xffff;
		col->scale = ((tm & 0x7ff) ^ 1024) - 1024;
	}
	else if (strcmp(b, "bit") == 0 || strcmp(b, "varbit") == 0)
		col->length = typmod;
	else if (strcmp(b, "time") == 0 || strcmp(b, "timetz") == 0 || strcmp(b, "timestamp") == 0 ||
			 strcmp(b, "timestamptz") == 0)
		col->fsp = typmod;
}

/*
 * Resolve a column's type: the declared type (element of an array), then
 * through domains (which may be over arrays) to the base (see Column).
 * False when a type is missing from the cache (a concurrent DROP TYPE).
 */
static bool
resolve_type(Reader *rd, Column *col, uint32_t typid, int32_t typmod, int attndims)
{
	const PgType *t = find_type(rd, typid);

	if (t && is_array_type(t))
	{
		col->array_dims = attndims > 0 ? attndims : 1;
		t = find_type(rd, t->typelem);
	}
	if (t == NULL)
		return false;
	col->type_kind = t->typtype;
	if (!is_builtin(t))
	{
		col->type_schema = t->nspname;
		col->type_name = t->typname;
	}
	for (int depth = 0; t && t->typtype == 'd' && depth < 32; depth++)
	{
		typmod = t->typtypmod;
		t = find_type(rd, t->typbasetype);
		if (t && is_array_type(t))
		{
			col->array_dims = col->array_dims > 0 ? col->array_dims + 1 : 1;
			t = find_type(rd, t->typelem);
		}
	}
	if (t == NULL)
		return false;
	col->base_kind = t->typtype;
	col->source_base = t->typname;
	if (!is_builtin(t))
	{
		col->base_schema = t->nspname;
		col->base_name = t->typname;
	}
	col->type_extension = t->extname;
	col->base_is_rowtype = t->typtype == 'c' && t->relkind != 'c';
	decode_typmod(col, typmod);
	return true;
}

/* ------------------------------------------------------------- columns */

/*
 * read_columns
 *		Add the columns of the selected tables, their types resolved.
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_columns(Reader *rd)
{
	PGresult   *r = reader_query(rd, SQL_COLUMNS, true, "columns");
	Catalog    *c = rd->cat;
	Table	   *t = NULL;

	if (r == NULL)
		return false;
	for (int i = 0; i < PQntuples(r); i++)
	{
		uint32_t	relid = get_oid(r, i, 0);
		Column	   *col;
		char		gen;

		if (t == NULL || t->oid != relid)
			t = catalog_find_table_oid(c, relid);
		if (t == NULL)
			continue;
		col = table_add_column(c, t, PQgetvalue(r, i, 2));
		col->ordinal = atoi(PQgetvalue(r, i, 1));
		col->type_oid = get_oid(r, i, 3);
		col->nullable = !get_bool(r, i, 6);
		col->source_type = get_str(c, r, i, 7);
		col->identity = PQgetvalue(r, i, 8)[0];
		gen = PQgetvalue(r, i, 9)[0];
		if (gen == 's')
		{
			col->generated_expr = get_str(c, r, i, 10);
			col->generated_stored = true;
		}
		else
			col->default_expr = get_str(c, r, i, 10);
		col->collation = get_str(c, r, i, 11);
		if (!resolve_type(rd, col, col->type_oid, atoi(PQgetvalue(r, i, 4)), atoi(PQgetvalue(r, i, 5))))
		{
			err_set_kind(ERR_SOURCE);
			log_error_dh(NULL, "run the command again",
						 "could not resolve the type of column \"%s\" of \"%s\" (type %u changed during the read)",
						 col->name, t->display, col->type_oid);
			PQclear(r);
			return false;
		}
	}
	PQclear(r);
	return true;
}

/* ------------------------------------------------------------- constraints */

static const char *
fk_action(char a)
{
	switch (a)
	{
		case 'r':
			return "RESTRICT";
		case 'c':
			return "CASCADE";
		case 'n':
			return "SET NULL";
		case 'd':
			return "SET DEFAULT";
		default:
			return NULL;		/* 'a': NO ACTION */
	}
}

static void *
grow(Catalog *c, void *old, int n, size_t elem)
{
	void	   *p = arena_alloc_array0(&c->arena, (size_t) n + 1, elem);

	if (n)
		memcpy(p, old, elem * (size_t) n);
	return p;
}

/*
 * read_leaves
 *		Find the leaf partitions of the selected partitioned tables; set
 *		rd->all_oids to the selected tables and those leaves.
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_leaves(Reader *rd)
{
	PGresult   *r = reader_query(rd, SQL_LEAVES, true, "partitions");
	Catalog    *c = rd->cat;
	StrBuf		all;

	if (r == NULL)
		return false;
	rd->nleaves = PQntuples(r);
	rd->leaves = arena_alloc_array0(&c->arena, (size_t) rd->nleaves + 1, sizeof(Leaf));
	sb_init(&all, 0);
	sb_append(&all, rd->oids);
	for (int i = 0; i < rd->nleaves; i++)
	{
		rd->leaves[i].parent = catalog_find_table_oid(c, get_oid(r, i, 0));
		rd->leaves[i].oid = get_oid(r, i, 1);
		rd->leaves[i].relname = get_str(c, r, i, 2);
		sb_truncate(&all, all.len - 1);		/* the closing brace */
		sb_appendf(&all, "%s%u}", all.len > 1 ? "," : "", rd->leaves[i].oid);
	}
	rd->all_oids = arena_strdup(&c->arena, all.data);
	sb_free(&all);
	PQclear(r);
	return true;
}

static const Leaf *
find_leaf(const Reader *rd, uint32_t oid)
{
	for (int i = 0; i < rd->nleaves; i++)
		if (rd->leaves[i].oid == oid)
			return &rd->leaves[i];
	return NULL;
}

static LeafObject *
add_leaf_object(Reader *rd, const Leaf *leaf, bool is_index, const char *signature)
{
	LeafObject *lo;

	if (rd->nleafobjs == rd->cap_leafobjs)
	{
		int			cap = rd->cap_leafobjs ? rd->cap_leafobjs * 2 : 16;
		LeafObject *grown = arena_alloc_array0(&rd->cat->arena, (size_t) cap, sizeof(LeafObject));

		if (rd->nleafobjs)
			memcpy(grown, rd->leafobjs, sizeof(LeafObject) * (size_t) rd->nleafobjs);
		rd->leafobjs = grown;
		rd->cap_leafobjs = cap;
	}
	lo = &rd->leafobjs[rd->nleafobjs++];
	memset(lo, 0, sizeof(*lo));
	lo->leaf = leaf;
	lo->is_index = is_index;
	lo->signature = arena_strdup(&rd->cat->arena, signature);
	return lo;
}

/* The table a catalog row belongs to; or, for a leaf partition, *leaf. */
static Table *
row_table(Reader *rd, uint32_t relid, const Leaf **leaf)
{
	Table	   *t = catalog_find_table_oid(rd->cat, relid);

	*leaf = t ? NULL : find_leaf(rd, relid);
	return t ? t : (*leaf ? (*leaf)->parent : NULL);
}

/*
 * read_constraints
 *		Add primary keys, unique constraints, foreign keys and checks of the
 *		selected tables; leaf partitions' foreign keys go to rd->leafobjs.
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_constraints(Reader *rd)
{
	PGresult   *r;
	Catalog    *c = rd->cat;
	const char *params[1] = {rd->all_oids};

	r = pg_query_quiet(&rd->src->conn, SQL_CONSTRAINTS, 1, params);
	if (r == NULL)
	{
		err_set_kind(ERR_SOURCE);
		log_error_dh(rd->src->conn.last_error, NULL, "could not read the constraints of the source catalog");
		return false;
	}
	for (int i = 0; i < PQntuples(r); i++)
	{
		const Leaf *leaf;
		Table	   *t = row_table(rd, get_oid(r, i, 0), &leaf);
		char		type = PQgetvalue(r, i, 2)[0];
		char	  **cols;
		int			n = parse_text_array(&c->arena, PQgetvalue(r, i, 3), &cols);

		if (t == NULL || (leaf && type != 'f'))
			continue;			/* a leaf's own checks and keys are its parent's business */
		for (int k = 0; k < n; k++)
			if (cols[k] == NULL || table_column_index(t, cols[k]) < 0)
				n = -1;
		if (n < 0 && type != 'c')
			continue;
		switch (type)
		{
			case 'p':
				t->pk = arena_alloc_array0(&c->arena, (size_t) n, sizeof(int));
				for (int k = 0; k < n; k++)
					t->pk[k] = table_column_index(t, cols[k]);
				t->npk = n;
				t->pk_name = get_str(c, r, i, 1);
				break;
			case 'u':
				{
					IndexDef   *ix;

					t->indexes = grow(c, t->indexes, t->nindexes, sizeof(IndexDef));
					ix = &t->indexes[t->nindexes++];
					ix->name = get_str(c, r, i, 1);
					ix->unique = ix->is_constraint = ix->valid = true;
					ix->columns = cols;
					ix->ncolumns = n;
					ix->method = "btree";
					ix->deferrable = get_bool(r, i, 10);
					ix->constraint_def = get_str(c, r, i, 13);
					break;
				}
			case 'f':
				{
					ForeignKeyDef *fk;
					char	  **refcols;
					int			nref = parse_text_array(&c->arena, PQgetvalue(r, i, 6), &refcols);

					if (nref != n)
						break;
					if (leaf)
						fk = &add_leaf_object(rd, leaf, false, PQgetvalue(r, i, 13))->fk;
					else
					{
						t->fks = grow(c, t->fks, t->nfks, sizeof(ForeignKeyDef));
						fk = &t->fks[t->nfks++];
					}
					fk->name = get_str(c, r, i, 1);
					fk->columns = cols;
					fk->ncolumns = n;
					fk->ref_schema = get_str(c, r, i, 4);
					fk->ref_table = get_str(c, r, i, 5);
					fk->ref_columns = refcols;
					fk->on_update = (char *) fk_action(PQgetvalue(r, i, 7)[0]);
					fk->on_delete = (char *) fk_action(PQgetvalue(r, i, 8)[0]);
					fk->match_full = PQgetvalue(r, i, 9)[0] == 'f';
					fk->deferrable = get_bool(r, i, 10);
					fk->initially_deferred = get_bool(r, i, 11);
					fk->validated = get_bool(r, i, 12);
					fk->constraint_def = get_str(c, r, i, 13);
					break;
				}
			case 'c':
				{
					CheckDef   *ck;

					t->checks = grow(c, t->checks, t->nchecks, sizeof(CheckDef));
					ck = &t->checks[t->nchecks++];
					ck->name = get_str(c, r, i, 1);
					ck->expr = get_str(c, r, i, 14);
					ck->validated = get_bool(r, i, 12);
					break;
				}
			case 'x':
				catalog_add_issue(c, ISSUE_WARN, ISSUE_OBJECT, t->display,
								  "create it on the target after the migration if it is needed",
								  "exclusion constraint \"%s\" of %s is not migrated: %s",
								  PQgetvalue(r, i, 1), t->display, PQgetvalue(r, i, 13));
				break;
		}
	}
	PQclear(r);
	return true;
}

/*
 * read_indexes
 *		Add the indexes of the selected tables that back no constraint; leaf
 *		partitions' own indexes go to rd->leafobjs.
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_indexes(Reader *rd)
{
	PGresult   *r;
	Catalog    *c = rd->cat;
	const char *params[1] = {rd->all_oids};

	r = pg_query_quiet(&rd->src->conn, SQL_INDEXES, 1, params);
	if (r == NULL)
	{
		err_set_kind(ERR_SOURCE);
		log_error_dh(rd->src->conn.last_error, NULL, "could not read the indexes of the source catalog");
		return false;
	}
	for (int i = 0; i < PQntuples(r); i++)
	{
		const Leaf *leaf;
		Table	   *t = row_table(rd, get_oid(r, i, 0), &leaf);
		IndexDef   *ix;
		int			nkey = atoi(PQgetvalue(r, i, 5));
		int			nall = atoi(PQgetvalue(r, i, 6));
		int		   *opts;
		char	  **keys,
				  **defs;
		int			nkeys,
					nopts,
					ndefs;

		if (t == NULL)
			continue;
		nkeys = parse_text_array(&c->arena, PQgetvalue(r, i, 7), &keys);
		nopts = parse_int_list(&c->arena, PQgetvalue(r, i, 8), &opts);
		ndefs = parse_text_array(&c->arena, PQgetvalue(r, i, 9), &defs);
		if (nkeys < nall || ndefs < nall || nkey > nall)
			continue;
		if (leaf)
		{
			/* same unique-ness, method and definition on every leaf: one index */
			char	   *sig = arena_sprintf(&c->arena, "%s %s %s", PQgetvalue(r, i, 2), PQgetvalue(r, i, 4),
											PQgetisnull(r, i, 11) ? PQgetvalue(r, i, 1) : PQgetvalue(r, i, 11));

			ix = &add_leaf_object(rd, leaf, true, sig)->ix;
		}
		else
		{
			t->indexes = grow(c, t->indexes, t->nindexes, sizeof(IndexDef));
			ix = &t->indexes[t->nindexes++];
		}
		ix->name = get_str(c, r, i, 1);
		ix->unique = get_bool(r, i, 2);
		ix->valid = get_bool(r, i, 3);
		ix->method = get_str(c, r, i, 4);
		ix->ncolumns = nkey;
		ix->columns = arena_alloc_array0(&c->arena, (size_t) nkey + 1, sizeof(char *));
		ix->exprs = arena_alloc_array0(&c->arena, (size_t) nkey + 1, sizeof(char *));
		ix->desc = arena_alloc_array0(&c->arena, (size_t) nkey + 1, sizeof(bool));
		for (int k = 0; k < nkey; k++)
		{
			if (keys[k])
				ix->columns[k] = keys[k];
			else
				ix->exprs[k] = defs[k];
			ix->desc[k] = k < nopts && (opts[k] & 1);
		}
		if (nall > nkey)
		{
			ix->include = arena_alloc_array0(&c->arena, (size_t) (nall - nkey), sizeof(char *));
			for (int k = nkey; k < nall; k++)
				if (keys[k])
					ix->include[ix->ninclude++] = keys[k];
		}
		ix->predicate = get_str(c, r, i, 10);
		ix->definition_tail = get_str(c, r, i, 11);
		ix->definition = get_str(c, r, i, 12);
	}
	PQclear(r);
	return true;
}

/* The merged object's name: the leaf's name with the leaf's prefix made the parent's. */
static char *
merged_name(Catalog *c, const Leaf *leaf, const char *name)
{
	size_t		n = strlen(leaf->relname);

	if (strncmp(name, leaf->relname, n) == 0)
		return catalog_fit_ident(c, arena_sprintf(&c->arena, "%s%s", leaf->parent->name, name + n));
	return catalog_fit_ident(c, arena_sprintf(&c->arena, "%s_%s", leaf->parent->name, name));
}

/*
 * Indexes and foreign keys defined on every leaf partition of a table
 * (pagila's payment has its indexes and foreign keys per partition) are
 * created once on the merged table; those on some leaves only are reported.
 */
static void
merge_leaf_objects(Reader *rd)
{
	Catalog    *c = rd->cat;
	bool	   *done = gw_new_array(bool, rd->nleafobjs + 1);
	const Leaf **leaves_seen = gw_new_array(const Leaf *, rd->nleafobjs + 1);

	for (int i = 0; i < rd->nleafobjs; i++)
	{
		LeafObject *lo = &rd->leafobjs[i];
		Table	   *t = lo->leaf->parent;
		int			nleaves = 0,
					covered,
					nseen = 0;

		if (done[i])
			continue;
		for (int k = 0; k < rd->nleaves; k++)
			nleaves += rd->leaves[k].parent == t;
		/* count the distinct leaves that have the same object */
		for (int k = i; k < rd->nleafobjs; k++)
		{
			LeafObject *other = &rd->leafobjs[k];
			bool		seen = false;

			if (done[k] || other->leaf->parent != t || other->is_index != lo->is_index ||
				strcmp(other->signature, lo->signature) != 0)
				continue;
			done[k] = true;
			for (int j = 0; j < nseen && !seen; j++)
				seen = leaves_seen[j] == other->leaf;
			if (!seen)
				leaves_seen[nseen++] = other->leaf;
		}
		covered = nseen;
		if (covered < nleaves)
		{
			catalog_add_issue(c, ISSUE_WARN, ISSUE_OBJECT, t->display,
							  "create it on the target after the migration if it is needed",
							  "%s \"%s\" exists on %d of the %d partitions of %s only: it is not created on "
							  "the merged table", lo->is_index ? "index" : "foreign key",
							  lo->is_index ? lo->ix.name : lo->fk.name, covered, nleaves, t->display);
			continue;
		}
		if (lo->is_index)
		{
			IndexDef   *ix;

			t->indexes = grow(c, t->indexes, t->nindexes, sizeof(IndexDef));
			ix = &t->indexes[t->nindexes++];
			*ix = lo->ix;
			ix->name = merged_name(c, lo->leaf, lo->ix.name);
		}
		else
		{
			ForeignKeyDef *fk;

			t->fks = grow(c, t->fks, t->nfks, sizeof(ForeignKeyDef));
			fk = &t->fks[t->nfks++];
			*fk = lo->fk;
			fk->name = merged_name(c, lo->leaf, lo->fk.name);
		}
		catalog_add_issue(c, ISSUE_INFO, ISSUE_OBJECT, t->display, NULL,
						  "%s \"%s\" of every partition of %s is created once on the merged table as \"%s\"",
						  lo->is_index ? "index" : "foreign key", lo->is_index ? lo->ix.name : lo->fk.name,
						  t->display, lo->is_index ? t->indexes[t->nindexes - 1].name : t->fks[t->nfks - 1].name);
	}
	free(leaves_seen);
	free(done);
}

/* ------------------------------------------------------------- sequences */

static bool
schema_has_selected_table(const Catalog *c, const char *schema)
{
	for (int i = 0; i < c->ntables; i++)
		if (strcmp(c->tables[i]->schema, schema) == 0)
			return true;
	return false;
}

/*
 * read_sequences
 *		Add the sequences the selected tables own or use (and free-standing
 *		ones of their schemas when whole schemas are migrated), with values.
 *
 * Returns false on error (logged, ERR_SOURCE).
 */
static bool
read_sequences(Reader *rd, const TableFilter *filter)
{
	PGresult   *r = reader_query(rd, SQL_SEQUENCES, true, "sequences");
	Catalog    *c = rd->cat;

	if (r == NULL)
		return false;
	for (int i = 0; i < PQntuples(r); i++)
	{
		bool		owned = !PQgetisnull(r, i, 9);
		bool		owner_selected = owned && catalog_find_table_oid(c, get_oid(r, i, 9)) != NULL;
		bool		used_by_selected = get_bool(r, i, 13);
		bool		used_by_any = get_bool(r, i, 14);
		Sequence   *s;

		/*
		 * A sequence goes with the tables that own or use it; a free-standing
		 * one (used by applications through nextval) with its schema, when
		 * whole schemas are migrated.
		 */
		if (!(owner_selected || used_by_selected ||
			  (!owned && !used_by_any && !(filter && (filter->has_table || filter->has_exclude)) &&
			   schema_has_selected_table(c, PQgetvalue(r, i, 0)))))
			continue;
		s = catalog_add_sequence(c, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
		s->data_type = get_str(c, r, i, 2);
		s->start_value = strtoll(PQgetvalue(r, i, 3), NULL, 10);
		s->increment = strtoll(PQgetvalue(r, i, 4), NULL, 10);
		s->max_value = strtoll(PQgetvalue(r, i, 5), NULL, 10);
		s->min_value = strtoll(PQgetvalue(r, i, 6), NULL, 10);
		s->cycle = get_bool(r, i, 7);
		s->is_called = !PQgetisnull(r, i, 8);
		s->last_value = s->is_called ? strtoll(PQgetvalue(r, i, 8), NULL, 10) : s->start_value;
		if (owner_selected)
		{
			s->owned_by_schema = get_str(c, r, i, 10);
			s->owned_by_table = get_str(c, r, i, 11);
			s->owned_by_column = get_str(c, r, i, 12);
		}
	}
	PQclear(r);
	return true;
}

/* ------------------------------------------------------------- entry point */

/*
 * pg_read_catalog
 *		SourceOps.read_catalog: read the tables filter selects, with what they
 *		need (types, sequences), into out (initialised by the caller).
 *
 * Runs in a REPEATABLE READ transaction of its own, or inside the caller's
 * open transaction (its snapshot is then used and its search_path
 * restored).  Returns false on error (logged, ERR_SOURCE); out then holds a
 * partial catalog the caller frees.
 */
bool
pg_read_catalog(Source *src, const TableFilter *filter, Catalog *out)
{
	PgSource   *s = (PgSource *) src;
	Reader		rd = {.src = s, .cat = out};
	bool		own_txn = PQtransactionStatus(s->conn.conn) == PQTRANS_IDLE;
	char	   *old_path = NULL;
	bool		ok;

	if (own_txn && !pg_exec(&s->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
		return false;
	if (!pg_query_value(&s->conn, "SELECT current_setting('search_path')", 0, NULL, &old_path) ||
		!pg_exec(&s->conn, "SELECT set_config('search_path', 'pg_catalog', true)"))
	{
		free(old_path);
		if (own_txn)
			pg_rollback(&s->conn);
		return false;
	}
	ok = read_tables(&rd, filter) &&
		read_leaves(&rd) &&
		read_types(&rd) &&
		read_user_types(&rd) &&
		read_columns(&rd) &&
		read_constraints(&rd) &&
		read_indexes(&rd) &&
		read_sequences(&rd, filter);
	if (ok)
		merge_leaf_objects(&rd);
	if (own_txn)
		ok = pg_exec(&s->conn, ok ? "COMMIT" : "ROLLBACK") && ok;
	else if (old_path)
	{
		const char *p[1] = {old_path};
		PGresult   *r = pg_query(&s->conn, "SELECT set_config('search_path', $1, true)", 1, p);

		ok = r != NULL && ok;
		PQclear(r);
	}
	free(old_path);
	if (ok)
	{
		catalog_sort_tables(out);
		log_debug("read %d table%s, %d sequence%s and %d enum type%s from the source catalog",
				  out->ntables, out->ntables == 1 ? "" : "s", out->nsequences,
				  out->nsequences == 1 ? "" : "s", out->nenums, out->nenums == 1 ? "" : "s");
	}
	return ok;
}
