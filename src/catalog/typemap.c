/*
 * src/catalog/typemap.c
 *	  The type mapping table and everything that fills the target side of the
 *	  catalog (see typemap.h).
 *
 * Where we depart from MOLT, and why (docs/type-mapping.md has the table):
 *  - MySQL unsigned integers widen to the next type that holds every value
 *    (BIGINT UNSIGNED -> numeric(20)); MOLT only does it for BIGINT.
 *  - TINYINT(1) becomes boolean and BIT(1) becomes boolean (flags in
 *    practice); BIT(n) becomes bit(n), which has exactly MySQL's width.
 *  - ENUM becomes a real enum type named "<table>_<column>", SET becomes
 *    text[], YEAR smallint, JSON jsonb, spatial types geometry where the
 *    target has it (CockroachDB, PostGIS) and EWKB in bytea otherwise.
 *  - PostgreSQL types stay as they are on a PostgreSQL target (domains and
 *    composite types are created there); on CockroachDB the types it lacks
 *    fall back (usually to text) with a warning naming the column.
 */
#include "catalog/typemap.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"

#define PG ENGINE_POSTGRES
#define MY ENGINE_MYSQL

/* A pg_catalog type CockroachDB lacks: kept on PostgreSQL, text on CockroachDB. */
#define PG_TEXT_ON_CRDB(name, why) \
	{PG, name, 0, "{decl}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_CRDB, why}
/* A pg_catalog type both dialects have. */
#define PG_SAME(name, crdb) \
	{PG, name, 0, "{decl}", CONV_NONE, crdb, CONV_NONE, NULL, 0, NULL}
/* A MySQL type mapped the same way on both dialects. */
#define MY_SAME(name, when, type, conv, flags, why) \
	{MY, name, when, type, conv, type, conv, NULL, flags, why}

#define NOTE_RANGE "CockroachDB has no range types: the range literal is stored as text"
#define NOTE_GEOM "CockroachDB has no geometric types of PostgreSQL: the literal is stored as text"
#define NOTE_REG "an object reference is stored by name: the object may not exist on the target"

const TypeRule typemap_rules[] = {
	/* ---------------------------------------------------------- PostgreSQL */
	{PG, "*", TM_MULTIDIM, "{decl}", CONV_NONE, "text", CONV_NONE, NULL, TMF_WARN_CRDB,
	 "CockroachDB arrays have one dimension: the array literal is stored as text"},
	PG_SAME("bool", "boolean{arr}"),
	PG_SAME("int2", "smallint{arr}"),
	PG_SAME("int4", "integer{arr}"),
	PG_SAME("int8", "bigint{arr}"),
	PG_SAME("float4", "real{arr}"),
	PG_SAME("float8", "double precision{arr}"),
	{PG, "numeric", TM_ODD_SCALE, "{decl}", CONV_NONE, "numeric{arr}", CONV_NONE, NULL, TMF_WARN_CRDB,
	 "CockroachDB needs 0 <= scale <= precision: unbounded numeric is used"},
	PG_SAME("numeric", "numeric{ps}{arr}"),
	{PG, "money", 0, "{decl}", CONV_PG_EXPR, "numeric{arr}", CONV_PG_EXPR, "{col}::numeric{arr}",
	 TMF_WARN_CRDB, "CockroachDB has no money type (values are read as numeric, so lc_monetary cannot change them)"},
	{PG, "char", 0, "{decl}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_CRDB,
	 "CockroachDB has no single-byte \"char\" type"},
	{PG, "bpchar", TM_NO_LENGTH, "{decl}", CONV_NONE, "text{arr}", CONV_NONE, NULL, 0,
	 "bpchar without a length is unbounded"},
	PG_SAME("bpchar", "char{len}{arr}"),
	PG_SAME("varchar", "varchar{len}{arr}"),
	PG_SAME("text", "text{arr}"),
	PG_SAME("name", "text{arr}"),
	PG_SAME("bytea", "bytea{arr}"),
	PG_SAME("date", "date{arr}"),
	PG_SAME("time", "time{fsp}{arr}"),
	PG_SAME("timetz", "timetz{fsp}{arr}"),
	PG_SAME("timestamp", "timestamp{fsp}{arr}"),
	PG_SAME("timestamptz", "timestamptz{fsp}{arr}"),
	PG_SAME("interval", "interval{arr}"),
	PG_SAME("uuid", "uuid{arr}"),
	{PG, "json", 0, "{decl}", CONV_NONE, "jsonb{arr}", CONV_NONE, NULL, TMF_WARN_CRDB,
	 "CockroachDB's JSON is JSONB: whitespace, key order and duplicate keys are not kept"},
	PG_SAME("jsonb", "jsonb{arr}"),
	PG_TEXT_ON_CRDB("xml", "CockroachDB has no xml type"),
	PG_SAME("inet", "inet{arr}"),
	{PG, "cidr", 0, "{decl}", CONV_NONE, "inet{arr}", CONV_NONE, NULL, TMF_WARN_CRDB,
	 "CockroachDB has no cidr type: inet holds the same values"},
	PG_TEXT_ON_CRDB("macaddr", "CockroachDB has no macaddr type"),
	PG_TEXT_ON_CRDB("macaddr8", "CockroachDB has no macaddr8 type"),
	PG_SAME("bit", "bit{len}{arr}"),
	PG_SAME("varbit", "varbit{len}{arr}"),
	PG_SAME("tsvector", "tsvector{arr}"),
	PG_SAME("tsquery", "tsquery{arr}"),
	PG_TEXT_ON_CRDB("point", NOTE_GEOM),
	PG_TEXT_ON_CRDB("line", NOTE_GEOM),
	PG_TEXT_ON_CRDB("lseg", NOTE_GEOM),
	PG_TEXT_ON_CRDB("box", NOTE_GEOM),
	PG_TEXT_ON_CRDB("path", NOTE_GEOM),
	PG_TEXT_ON_CRDB("polygon", NOTE_GEOM),
	PG_TEXT_ON_CRDB("circle", NOTE_GEOM),
	PG_TEXT_ON_CRDB("int4range", NOTE_RANGE),
	PG_TEXT_ON_CRDB("int8range", NOTE_RANGE),
	PG_TEXT_ON_CRDB("numrange", NOTE_RANGE),
	PG_TEXT_ON_CRDB("tsrange", NOTE_RANGE),
	PG_TEXT_ON_CRDB("tstzrange", NOTE_RANGE),
	PG_TEXT_ON_CRDB("daterange", NOTE_RANGE),
	PG_TEXT_ON_CRDB("int4multirange", NOTE_RANGE),
	PG_TEXT_ON_CRDB("int8multirange", NOTE_RANGE),
	PG_TEXT_ON_CRDB("nummultirange", NOTE_RANGE),
	PG_TEXT_ON_CRDB("tsmultirange", NOTE_RANGE),
	PG_TEXT_ON_CRDB("tstzmultirange", NOTE_RANGE),
	PG_TEXT_ON_CRDB("datemultirange", NOTE_RANGE),
	{PG, "oid", 0, "{decl}", CONV_NONE, "oid{arr}", CONV_NONE, NULL, TMF_WARN_PG | TMF_WARN_CRDB,
	 "an oid is copied as a number: large objects it may reference are not migrated"},
	{PG, "regclass", 0, "text{arr}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_PG | TMF_WARN_CRDB, NOTE_REG},
	{PG, "regtype", 0, "text{arr}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_PG | TMF_WARN_CRDB, NOTE_REG},
	{PG, "regproc", 0, "text{arr}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_PG | TMF_WARN_CRDB, NOTE_REG},
	{PG, "regprocedure", 0, "text{arr}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_PG | TMF_WARN_CRDB, NOTE_REG},
	{PG, "regnamespace", 0, "text{arr}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_PG | TMF_WARN_CRDB, NOTE_REG},
	{PG, "regrole", 0, "text{arr}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_PG | TMF_WARN_CRDB, NOTE_REG},
	{PG, "regconfig", 0, "text{arr}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_PG | TMF_WARN_CRDB, NOTE_REG},
	PG_TEXT_ON_CRDB("pg_lsn", "CockroachDB has no pg_lsn type"),
	PG_SAME("enum", "{base}{arr}"),
	{PG, "composite", TM_ROWTYPE, "text{arr}", CONV_NONE, "text{arr}", CONV_NONE, NULL,
	 TMF_WARN_PG | TMF_WARN_CRDB, "a table's row type used as a column type is stored as text"},
	{PG, "composite", 0, "{decl}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_CRDB,
	 "CockroachDB has no composite types: the row literal is stored as text"},
	{PG, "range", 0, "text{arr}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_PG | TMF_WARN_CRDB,
	 "user-defined range types are not created on the target: the range literal is stored as text"},
	{PG, "geometry", 0, "{decl}", CONV_NONE, "geometry{arr}", CONV_NONE, NULL, TMF_EXTENSION, NULL},
	{PG, "geography", 0, "{decl}", CONV_NONE, "geography{arr}", CONV_NONE, NULL, TMF_EXTENSION, NULL},
	{PG, "@extension", 0, "{decl}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_EXTENSION | TMF_WARN_CRDB,
	 "CockroachDB lacks this extension type: its text form is stored as text"},
	{PG, "@builtin", 0, "{decl}", CONV_NONE, "text{arr}", CONV_NONE, NULL, TMF_WARN_CRDB,
	 "CockroachDB lacks this type: its text form is stored as text"},

	/* ---------------------------------------------------------- MySQL */
	MY_SAME("tinyint", TM_TINYINT1 | TM_BOOL_POLICY, "boolean", CONV_MY_BOOL, 0,
			"tinyint(1) holds flags (--tinyint1-as smallint keeps the number)"),
	MY_SAME("tinyint", 0, "smallint", CONV_NONE, 0, NULL),
	MY_SAME("smallint", TM_UNSIGNED, "integer", CONV_NONE, 0, NULL),
	MY_SAME("smallint", 0, "smallint", CONV_NONE, 0, NULL),
	MY_SAME("mediumint", 0, "integer", CONV_NONE, 0, NULL),
	MY_SAME("int", TM_UNSIGNED, "bigint", CONV_NONE, 0, NULL),
	MY_SAME("int", 0, "integer", CONV_NONE, 0, NULL),
	MY_SAME("bigint", TM_UNSIGNED, "numeric(20)", CONV_NONE, 0, NULL),
	MY_SAME("bigint", 0, "bigint", CONV_NONE, 0, NULL),
	MY_SAME("decimal", 0, "numeric{ps}", CONV_NONE, 0, NULL),
	MY_SAME("float", 0, "real", CONV_NONE, 0, NULL),
	MY_SAME("double", 0, "double precision", CONV_NONE, 0, NULL),
	MY_SAME("bit", TM_BIT1, "boolean", CONV_MY_BIT_BOOL, 0, NULL),
	MY_SAME("bit", 0, "bit{len}", CONV_MY_BIT, 0, NULL),
	MY_SAME("char", 0, "char{len}", CONV_MY_TEXT, 0, NULL),
	MY_SAME("varchar", 0, "varchar{len}", CONV_MY_TEXT, 0, NULL),
	MY_SAME("tinytext", 0, "text", CONV_MY_TEXT, 0, NULL),
	MY_SAME("text", 0, "text", CONV_MY_TEXT, 0, NULL),
	MY_SAME("mediumtext", 0, "text", CONV_MY_TEXT, 0, NULL),
	MY_SAME("longtext", 0, "text", CONV_MY_TEXT, 0, NULL),
	MY_SAME("binary", 0, "bytea", CONV_MY_BINARY, 0, NULL),
	MY_SAME("varbinary", 0, "bytea", CONV_MY_BINARY, 0, NULL),
	MY_SAME("tinyblob", 0, "bytea", CONV_MY_BINARY, 0, NULL),
	MY_SAME("blob", 0, "bytea", CONV_MY_BINARY, 0, NULL),
	MY_SAME("mediumblob", 0, "bytea", CONV_MY_BINARY, 0, NULL),
	MY_SAME("longblob", 0, "bytea", CONV_MY_BINARY, 0, NULL),
	MY_SAME("date", 0, "date", CONV_MY_DATE, 0, NULL),
	MY_SAME("datetime", 0, "timestamp{fsp}", CONV_MY_DATETIME, 0, NULL),
	MY_SAME("timestamp", 0, "timestamptz{fsp}", CONV_MY_TIMESTAMP, 0, NULL),
	MY_SAME("time", 0, "time{fsp}", CONV_MY_TIME, 0, NULL),
	MY_SAME("year", 0, "smallint", CONV_MY_YEAR, 0, NULL),
	MY_SAME("enum", TM_ENUM_TYPE, "{enum}", CONV_MY_ENUM, 0, NULL),
	MY_SAME("enum", 0, "text", CONV_MY_ENUM, 0, NULL),
	MY_SAME("set", 0, "text[]", CONV_MY_SET, 0, NULL),
	MY_SAME("json", 0, "jsonb", CONV_MY_JSON, 0, NULL),
	MY_SAME("@spatial", TM_POSTGIS, "geometry", CONV_MY_GEOMETRY, 0, NULL),
	{MY, "@spatial", 0, "bytea", CONV_MY_GEOMETRY_BYTEA, "geometry", CONV_MY_GEOMETRY, NULL, TMF_WARN_PG,
	 "PostGIS is not installed on the target: the value is kept as EWKB in bytea (ST_GeomFromEWKB reads it)"},
	MY_SAME("uuid", 0, "uuid", CONV_NONE, 0, NULL),
	MY_SAME("inet4", 0, "inet", CONV_NONE, 0, NULL),
	MY_SAME("inet6", 0, "inet", CONV_NONE, 0, NULL),
};

const int	typemap_nrules = (int) (sizeof(typemap_rules) / sizeof(typemap_rules[0]));

static const char *const my_spatial_types[] = {
	"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
	"multipolygon", "geometrycollection", "geomcollection", NULL
};

/* pg_catalog types that are table rows of the rule table above, by name. */
static bool
pg_is_known_builtin(const char *name)
{
	for (int i = 0; i < typemap_nrules; i++)
		if (typemap_rules[i].engine == PG && strcmp(typemap_rules[i].source, name) == 0)
			return true;
	return false;
}

/* The key a column is looked up with (see TypeRule.source). */
static const char *
match_key(ConnEngine engine, const Column *col)
{
	if (engine == MY)
	{
		for (int i = 0; my_spatial_types[i]; i++)
			if (strcmp(col->source_base, my_spatial_types[i]) == 0)
				return "@spatial";
		return col->source_base;
	}
	switch (col->base_kind)
	{
		case 'e':
			return "enum";
		case 'c':
			return "composite";
		default:
			break;
	}
	if (col->type_extension)
	{
		if (strcmp(col->type_extension, "postgis") == 0 &&
			(strcmp(col->source_base, "geometry") == 0 || strcmp(col->source_base, "geography") == 0))
			return col->source_base;
		return "@extension";
	}
	if (col->base_schema)			/* user-defined, not from an extension */
		return (col->base_kind == 'r' || col->base_kind == 'm') ? "range" : col->source_base;
	return pg_is_known_builtin(col->source_base) ? col->source_base : "@builtin";
}

static bool
has_extension(const TypeMapOptions *o, const char *name)
{
	for (int i = 0; i < o->nextensions; i++)
		if (strcmp(o->extensions[i], name) == 0)
			return true;
	return false;
}

/* Whether every TM_* condition of a rule holds for col under o. */
static bool
conditions_hold(unsigned when, const Column *col, const TypeMapOptions *o)
{
	if ((when & TM_UNSIGNED) && !col->is_unsigned)
		return false;
	if ((when & TM_TINYINT1) && strncasecmp(col->source_type ? col->source_type : "", "tinyint(1)", 10) != 0)
		return false;
	if ((when & TM_BOOL_POLICY) && o->tinyint1 != TINYINT1_BOOLEAN)
		return false;
	if ((when & TM_BIT1) && col->length != 1)
		return false;
	if ((when & TM_ENUM_TYPE) && o->enums != ENUMS_AS_TYPE)
		return false;
	if ((when & TM_POSTGIS) && !(o->dialect == TARGET_POSTGRES && o->extensions_known &&
								 has_extension(o, "postgis")))
		return false;
	if ((when & TM_MULTIDIM) && col->array_dims < 2)
		return false;
	if ((when & TM_ROWTYPE) && !col->base_is_rowtype)
		return false;
	if ((when & TM_ODD_SCALE) && !(col->precision >= 0 && (col->scale < 0 || col->scale > col->precision)))
		return false;
	if ((when & TM_NO_LENGTH) && col->length >= 0)
		return false;
	return true;
}

const TypeRule *
typemap_match(ConnEngine engine, const Column *col, const TypeMapOptions *o)
{
	const char *key = match_key(engine, col);

	for (int i = 0; i < typemap_nrules; i++)
	{
		const TypeRule *r = &typemap_rules[i];

		if (r->engine != engine)
			continue;
		if (strcmp(r->source, "*") != 0 && strcmp(r->source, key) != 0)
			continue;
		if (conditions_hold(r->when, col, o))
			return r;
	}
	return NULL;
}

/* ------------------------------------------------------------- templates */

/* Expand a template (see TypeRule) for col; allocated in the catalog's arena. */
static char *
expand(Catalog *c, const char *tmpl, const Column *col, const EnumType *en)
{
	StrBuf		b;
	char	   *r;

	sb_init(&b, 0);
	for (const char *p = tmpl; *p;)
	{
		if (*p != '{')
		{
			sb_appendc(&b, *p++);
			continue;
		}
		const char *end = strchr(p, '}');
		size_t		n = end ? (size_t) (end - p - 1) : 0;
		const char *tok = p + 1;

		if (end == NULL)
		{
			sb_append(&b, p);
			break;
		}
#define TOK(s) (n == strlen(s) && strncmp(tok, s, n) == 0)
		if (TOK("decl"))
			sb_append(&b, col->source_type);
		else if (TOK("len"))
		{
			if (col->length >= 0)
				sb_appendf(&b, "(%lld)", (long long) (col->length > 0 ? col->length : 1));
		}
		else if (TOK("ps"))
		{
			if (col->precision > 0 && col->scale >= 0)
				sb_appendf(&b, "(%d,%d)", col->precision, col->scale);
			else if (col->precision > 0)
				sb_appendf(&b, "(%d)", col->precision);
		}
		else if (TOK("fsp"))
		{
			if (col->fsp >= 0)
				sb_appendf(&b, "(%d)", col->fsp);
		}
		else if (TOK("arr"))
		{
			if (col->array_dims > 0)
				sb_append(&b, "[]");
		}
		else if (TOK("enum"))
		{
			if (en)
				sb_append_qualified(&b, en->target_schema, en->target_name);
		}
		else if (TOK("base"))
			sb_append_qualified(&b, col->base_schema, col->base_name);
		else if (TOK("col"))
			sb_append_ident(&b, col->name);
		else
			sb_appendn(&b, p, n + 2);
#undef TOK
		p = end + 1;
	}
	r = arena_strdup(&c->arena, b.data);
	sb_free(&b);
	return r;
}

void
typemap_canonical(const char *type, char *out, size_t outlen)
{
	static const char *const synonyms[][2] = {
		{"character varying", "varchar"}, {"character", "bpchar"}, {"char", "bpchar"},
		{"integer", "int4"}, {"int", "int4"}, {"bigint", "int8"}, {"smallint", "int2"},
		{"real", "float4"}, {"double precision", "float8"}, {"float", "float8"},
		{"boolean", "bool"}, {"decimal", "numeric"}, {"bit varying", "varbit"},
		{"timestamp without time zone", "timestamp"}, {"timestamp with time zone", "timestamptz"},
		{"time without time zone", "time"}, {"time with time zone", "timetz"},
		{"string", "text"}, {"bytes", "bytea"}, {"int8", "int8"}, {"int2", "int2"}, {"int4", "int4"},
	};
	char		base[256];
	size_t		n = 0;
	bool		array = false;
	const char *p = type;

	/* lower-case copy up to a typmod or array suffix (quoted names kept as they are) */
	while (*p && n < sizeof(base) - 1)
	{
		if (*p == '"')
		{
			base[n++] = *p++;
			while (*p && n < sizeof(base) - 1)
			{
				if (*p == '"' && p[1] == '"')
				{
					base[n++] = *p++;
					base[n++] = *p++;
					continue;
				}
				if (*p == '"')
					break;
				base[n++] = *p++;
			}
			if (*p == '"' && n < sizeof(base) - 1)
				base[n++] = *p++;
			continue;
		}
		if (*p == '(')
		{
			/* skip the typmod; "timestamp(3) with time zone" keeps the rest */
			while (*p && *p != ')')
				p++;
			if (*p)
				p++;
			continue;
		}
		if (*p == '[')
		{
			array = true;
			break;
		}
		base[n++] = (char) tolower((unsigned char) *p++);
	}
	/* trim and squeeze spaces */
	while (n > 0 && base[n - 1] == ' ')
		n--;
	base[n] = '\0';
	{
		char		squeezed[256];
		size_t		k = 0;

		for (size_t i = 0; base[i]; i++)
			if (!(base[i] == ' ' && (k == 0 || squeezed[k - 1] == ' ')))
				squeezed[k++] = base[i];
		squeezed[k] = '\0';
		memcpy(base, squeezed, k + 1);
	}
	for (size_t i = 0; i < sizeof(synonyms) / sizeof(synonyms[0]); i++)
	{
		if (strcmp(base, synonyms[i][0]) == 0)
		{
			snprintf(base, sizeof(base), "%s", synonyms[i][1]);
			break;
		}
	}
	/* pg_catalog.x is x */
	if (strncmp(base, "pg_catalog.", 11) == 0)
		memmove(base, base + 11, strlen(base + 11) + 1);
	snprintf(out, outlen, "%s%s", array ? "_" : "", base);
}

/* ------------------------------------------------------------- overrides */

static bool
override_error(const char *origin, const char *what)
{
	err_set_kind(ERR_ARGS);
	log_error_dh(NULL,
				 "the format is [{\"table\":\"schema.table\",\"column_type_map\":[{\"column\":\"name|*\","
				 "\"source_type\":\"...\",\"target_type\":\"...\"}]}]",
				 "invalid type map file \"%s\": %s", origin, what);
	return false;
}

/* A JSON string member as a new arena string, NULL if absent; false if not a string. */
static bool
json_member_string(Arena *a, const JsonValue *obj, const char *key, char **out)
{
	JsonValue  *v = json_get(obj, key);

	*out = NULL;
	if (v == NULL || v->type == JSON_NULL)
		return true;
	if (v->type != JSON_STRING)
		return false;
	*out = arena_strndup(a, v->str, v->len);
	return true;
}

/*
 * Split "schema.table" (parts may be "quoted") into *schema (NULL if no
 * schema) and *table; "*" means any.  false if malformed.
 */
static bool
parse_table_spec(Arena *a, const char *spec, char **schema, char **table)
{
	char	   *parts[2] = {NULL, NULL};
	int			np = 0;
	const char *p = spec;

	while (*p)
	{
		StrBuf		b;

		if (np == 2)
			return false;
		sb_init(&b, 0);
		if (*p == '"')
		{
			p++;
			for (;;)
			{
				if (*p == '\0')
				{
					sb_free(&b);
					return false;
				}
				if (*p == '"' && p[1] == '"')
				{
					sb_appendc(&b, '"');
					p += 2;
					continue;
				}
				if (*p == '"')
				{
					p++;
					break;
				}
				sb_appendc(&b, *p++);
			}
		}
		else
		{
			while (*p && *p != '.')
				sb_appendc(&b, *p++);
		}
		parts[np++] = arena_strdup(a, b.data);
		sb_free(&b);
		if (*p == '.')
		{
			p++;
			if (*p == '\0')
				return false;
		}
		else if (*p != '\0')
			return false;
	}
	if (np == 0)
		return false;
	*schema = np == 2 ? parts[0] : NULL;
	*table = np == 2 ? parts[1] : parts[0];
	if (*table && strcmp(*table, "*") == 0)
		*table = NULL;
	if (*schema && strcmp(*schema, "*") == 0)
		*schema = NULL;
	return true;
}

/* A target type from a file goes into DDL: allow type-name characters only. */
static bool
type_text_is_safe(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return false;
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
		if (!(isalnum(*p) || *p >= 0x80 || strchr(" _(),[]\".", *p)))
			return false;
	return strstr(s, "--") == NULL;
}

bool
typemap_overrides_parse(const char *text, size_t len, const char *origin, TypeOverrides *out)
{
	char		err[256];
	JsonValue  *root;
	int			cap = 0;

	memset(out, 0, sizeof(*out));
	arena_init(&out->arena, 16 * 1024);
	out->origin = arena_strdup(&out->arena, origin);
	root = json_parse(text, len, &out->arena, err, sizeof(err));
	if (root == NULL)
		return override_error(origin, err);
	if (root->type != JSON_ARRAY)
		return override_error(origin, "the top level must be an array");
	for (size_t i = 0; i < root->count; i++)
	{
		JsonValue  *t = root->items[i];
		JsonValue  *map;
		char	   *spec,
				   *schema,
				   *table;

		if (t->type != JSON_OBJECT)
			return override_error(origin, "each entry must be an object");
		if (!json_member_string(&out->arena, t, "table", &spec) || spec == NULL)
			return override_error(origin, "each entry needs a \"table\" string");
		if (!parse_table_spec(&out->arena, spec, &schema, &table))
		{
			char	   *m = gw_asprintf("malformed table name \"%s\" (use schema.table, quote parts with \"\")", spec);

			override_error(origin, m);
			free(m);
			return false;
		}
		map = json_get(t, "column_type_map");
		if (map == NULL || map->type != JSON_ARRAY)
			return override_error(origin, "each entry needs a \"column_type_map\" array");
		for (size_t k = 0; k < map->count; k++)
		{
			JsonValue  *m = map->items[k];
			TypeOverride ov = {.schema = schema, .table = table};
			char	   *crdb,
					   *target;

			if (m->type != JSON_OBJECT)
				return override_error(origin, "each column_type_map entry must be an object");
			if (!json_member_string(&out->arena, m, "column", &ov.column) ||
				!json_member_string(&out->arena, m, "source_type", &ov.source_type) ||
				!json_member_string(&out->arena, m, "crdb_type", &crdb) ||
				!json_member_string(&out->arena, m, "target_type", &target))
				return override_error(origin, "column, source_type, crdb_type and target_type must be strings");
			if (ov.column == NULL)
				return override_error(origin, "each column_type_map entry needs a \"column\" (a name or \"*\")");
			if (strcmp(ov.column, "*") == 0)
				ov.column = NULL;
			ov.target_type = target ? target : crdb;
			if (ov.target_type == NULL)
				return override_error(origin, "each column_type_map entry needs a \"target_type\" (or \"crdb_type\")");
			if (!type_text_is_safe(ov.target_type))
			{
				char	   *msg = gw_asprintf("target type \"%s\" is not a type name", ov.target_type);

				override_error(origin, msg);
				free(msg);
				return false;
			}
			if (out->n == cap)
			{
				TypeOverride *grown = arena_alloc_array0(&out->arena, (size_t) (cap ? cap * 2 : 8),
														 sizeof(TypeOverride));

				if (out->n)
					memcpy(grown, out->items, sizeof(TypeOverride) * (size_t) out->n);
				out->items = grown;
				cap = cap ? cap * 2 : 8;
			}
			out->items[out->n++] = ov;
		}
	}
	return true;
}

bool
typemap_overrides_load(const char *path, TypeOverrides *out)
{
	FILE	   *f = fopen(path, "rb");
	StrBuf		b;
	char		buf[8192];
	size_t		n;
	bool		ok;

	memset(out, 0, sizeof(*out));
	if (f == NULL)
	{
		err_set_kind(ERR_ARGS);
		log_error_dh(strerror(errno), "check the --type-map-file path", "could not open type map file \"%s\"", path);
		return false;
	}
	sb_init(&b, 64 * 1024 * 1024);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_appendn(&b, buf, n);
	fclose(f);
	if (!sb_ok(&b))
	{
		sb_free(&b);
		err_set_kind(ERR_ARGS);
		log_error("type map file \"%s\" is larger than 64 MB", path);
		return false;
	}
	ok = typemap_overrides_parse(b.data, b.len, path, out);
	sb_free(&b);
	return ok;
}

void
typemap_overrides_free(TypeOverrides *o)
{
	arena_free(&o->arena);
	memset(o, 0, sizeof(*o));
}

/* The --type-map-file entry for col, or NULL. */
static TypeOverride *
find_override(const TypeMapOptions *o, const Table *t, const Column *col)
{
	if (o->overrides == NULL)
		return NULL;
	/* the last matching entry wins, so a specific entry can follow a "*" */
	for (int i = o->overrides->n - 1; i >= 0; i--)
	{
		TypeOverride *ov = &o->overrides->items[i];

		if (ov->schema && strcmp(ov->schema, t->schema) != 0)
			continue;
		if (ov->table && strcmp(ov->table, t->name) != 0)
			continue;
		if (ov->column && strcmp(ov->column, col->name) != 0)
			continue;
		if (ov->source_type && strcasecmp(ov->source_type, col->source_type) != 0 &&
			strcasecmp(ov->source_type, col->source_base) != 0)
			continue;
		return ov;
	}
	return NULL;
}

/* The conversion a MySQL column needs for an overridden target type. */
static ValueConv
override_conv(const Column *col, ValueConv deflt, const char *target_type)
{
	static const struct
	{
		const char *source;
		const char *target;		/* canonical */
		ValueConv	conv;
	}			convs[] = {
		{"time", "interval", CONV_MY_TIME_INTERVAL},
		{"tinyint", "bool", CONV_MY_BOOL},
		{"tinyint", "int2", CONV_NONE}, {"tinyint", "int4", CONV_NONE}, {"tinyint", "int8", CONV_NONE},
		{"bit", "bool", CONV_MY_BIT_BOOL}, {"bit", "bit", CONV_MY_BIT}, {"bit", "varbit", CONV_MY_BIT},
		{"@spatial", "bytea", CONV_MY_GEOMETRY_BYTEA}, {"@spatial", "geometry", CONV_MY_GEOMETRY},
		{"@spatial", "geography", CONV_MY_GEOMETRY},
	};
	char		canon[128];
	const char *key = match_key(MY, col);

	typemap_canonical(target_type, canon, sizeof(canon));
	for (size_t i = 0; i < sizeof(convs) / sizeof(convs[0]); i++)
		if (strcmp(convs[i].source, key) == 0 && strcmp(convs[i].target, canon) == 0)
			return convs[i].conv;
	return deflt;
}

/* ------------------------------------------------------------- MySQL names */

/* The enum type for a MySQL ENUM column, created on first use. */
static EnumType *
my_enum_for_column(Catalog *c, NameSet *taken, const TypeMapOptions *o, const Table *t,
				   const Column *col)
{
	char	   *base = arena_sprintf(&c->arena, "%s_%s", t->name, col->name);
	EnumType   *e = catalog_add_enum(c, t->schema, base);

	e->target_schema = arena_strdup(&c->arena, o->target_schema);
	e->target_name = catalog_unique_ident(c, taken, base);
	e->labels = col->enum_labels;
	e->nlabels = col->nenum_labels;
	e->used = true;
	return e;
}

/* ------------------------------------------------------------- defaults */

static bool
is_number(const char *s)
{
	const char *p = s;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char) *p) && !(*p == '.' && isdigit((unsigned char) p[1])))
		return false;
	while (isdigit((unsigned char) *p))
		p++;
	if (*p == '.')
		for (p++; isdigit((unsigned char) *p); p++)
			;
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char) *p))
			return false;
		while (isdigit((unsigned char) *p))
			p++;
	}
	return *p == '\0';
}

/*
 * Decode a MySQL/MariaDB string literal 'a''b\\n' (information_schema's
 * form) into out.  false if s is not one literal.
 */
static bool
my_unquote(const char *s, StrBuf *out)
{
	if (*s != '\'')
		return false;
	for (s++; *s; s++)
	{
		if (*s == '\'' && s[1] == '\'')
		{
			sb_appendc(out, '\'');
			s++;
			continue;
		}
		if (*s == '\'')
			return s[1] == '\0';
		if (*s == '\\' && s[1])
		{
			s++;
			switch (*s)
			{
				case 'n':
					sb_appendc(out, '\n');
					break;
				case 't':
					sb_appendc(out, '\t');
					break;
				case 'r':
					sb_appendc(out, '\r');
					break;
				case '0':
					sb_appendc(out, '\0');
					break;
				case 'Z':
					sb_appendc(out, '\032');
					break;
				default:
					sb_appendc(out, *s);
			}
			continue;
		}
		sb_appendc(out, *s);
	}
	return false;
}

/* A zero or partial-zero date/datetime/year literal ('0000-00-00', '2020-00-01', '0000'). */
static bool
is_zero_date(const char *s)
{
	int			y = -1,
				m = -1,
				d = -1;

	if (sscanf(s, "%d-%d-%d", &y, &m, &d) == 3)
		return y == 0 || m == 0 || d == 0;
	return strspn(s, "0") == strlen(s) && s[0] != '\0';
}

/* MySQL current-time functions and their spellings in information_schema. */
static bool
is_my_now(const char *s)
{
	static const char *const nows[] = {
		"current_timestamp", "now", "localtime", "localtimestamp", "sysdate", NULL
	};
	size_t		n = strcspn(s, "(");

	for (int i = 0; nows[i]; i++)
		if (strlen(nows[i]) == n && strncasecmp(s, nows[i], n) == 0)
		{
			/* nothing but "(digits)" may follow */
			const char *p = s + n;

			if (*p == '\0')
				return true;
			if (*p++ != '(')
				return false;
			while (isdigit((unsigned char) *p))
				p++;
			return p[0] == ')' && p[1] == '\0';
		}
	return false;
}

/* Render bits (a '0'/'1' string) as exactly width bits. */
static void
append_bits(StrBuf *b, const char *bits, int64_t width)
{
	size_t		n = strlen(bits);

	if (width < 0)
		width = (int64_t) n;
	for (int64_t i = width; i > (int64_t) n; i--)
		sb_appendc(b, '0');
	sb_append(b, bits + ((int64_t) n > width ? n - (size_t) width : 0));
}

/* A PostgreSQL array literal of the members of a MySQL SET value. */
static void
append_set_literal(StrBuf *b, const char *v)
{
	StrBuf		arr;

	sb_init(&arr, 0);
	sb_appendc(&arr, '{');
	for (const char *p = v; *p;)
	{
		size_t		n = strcspn(p, ",");

		if (arr.len > 1)
			sb_appendc(&arr, ',');
		sb_appendc(&arr, '"');
		for (size_t i = 0; i < n; i++)
		{
			if (p[i] == '"' || p[i] == '\\')
				sb_appendc(&arr, '\\');
			sb_appendc(&arr, p[i]);
		}
		sb_appendc(&arr, '"');
		p += n;
		if (*p == ',')
			p++;
	}
	sb_appendc(&arr, '}');
	sb_append_literal(b, arr.data);
	sb_free(&arr);
}

static bool
target_is_numeric(const Column *col)
{
	static const char *const nums[] = {"smallint", "integer", "bigint", "numeric", "real",
	"double precision", NULL};

	for (int i = 0; nums[i]; i++)
		if (strncmp(col->target_type, nums[i], strlen(nums[i])) == 0)
			return true;
	return false;
}

/*
 * The target default of a MySQL column (see Column.default_expr), or NULL
 * with *why set when it cannot be carried (why NULL: there is no default).
 */
static char *
my_default(Catalog *c, const Column *col, const TypeMapOptions *o, const char **why, bool *zero)
{
	const char *d = col->default_expr;
	StrBuf		b,
				lit;
	char	   *r = NULL;

	*why = NULL;
	*zero = false;
	if (d == NULL || strcasecmp(d, "NULL") == 0)
		return NULL;
	sb_init(&b, 0);
	sb_init(&lit, 0);
	if (my_unquote(d, &lit))
	{
		const char *v = lit.data;

		switch (col->conv)
		{
			case CONV_MY_BOOL:
				sb_append(&b, strcmp(v, "0") == 0 || v[0] == '\0' ? "false" : "true");
				break;
			case CONV_MY_DATE:
			case CONV_MY_DATETIME:
			case CONV_MY_TIMESTAMP:
			case CONV_MY_YEAR:
				if (is_zero_date(v))
				{
					*zero = true;
					*why = o->zero_dates == ZERO_DATES_NULL ? NULL : "a zero date has no PostgreSQL equivalent";
					break;
				}
				if (col->conv == CONV_MY_YEAR)
					sb_append(&b, v);
				else
					sb_append_literal(&b, v);
				break;
			case CONV_MY_SET:
				append_set_literal(&b, v);
				break;
			case CONV_MY_BINARY:
				sb_append(&b, "'\\x");
				for (size_t i = 0; i < lit.len; i++)
					sb_appendf(&b, "%02x", (unsigned char) v[i]);
				/* BINARY(n) pads with zero bytes */
				if (strcmp(col->source_base, "binary") == 0)
					for (int64_t i = (int64_t) lit.len; i < col->length; i++)
						sb_append(&b, "00");
				sb_appendc(&b, '\'');
				break;
			case CONV_MY_ENUM:
				{
					bool		member = false;

					for (int i = 0; i < col->nenum_labels; i++)
						if (strcmp(col->enum_labels[i], v) == 0)
							member = true;
					if (!member)
						*why = "the default is not one of the ENUM's values";
					else
						sb_append_literal(&b, v);
					break;
				}
			case CONV_MY_BIT:
			case CONV_MY_BIT_BOOL:
			case CONV_MY_GEOMETRY:
			case CONV_MY_GEOMETRY_BYTEA:
				*why = "a string default for this type has no PostgreSQL equivalent";
				break;
			default:
				if (is_number(v) && target_is_numeric(col))
					sb_append(&b, v);
				else if (strlen(v) != lit.len)
					*why = "the default holds a NUL byte";
				else
					sb_append_literal(&b, v);
		}
	}
	else if ((d[0] == 'b' || d[0] == 'B') && d[1] == '\'')
	{
		/* bit literal b'0101' */
		char	   *bits = arena_strndup(&c->arena, d + 2, strcspn(d + 2, "'"));
		unsigned long long v = strtoull(bits[0] ? bits : "0", NULL, 2);

		if (col->conv == CONV_MY_BIT_BOOL || col->conv == CONV_MY_BOOL)
			sb_append(&b, v ? "true" : "false");
		else if (col->conv == CONV_MY_BIT)
		{
			sb_append(&b, "B'");
			append_bits(&b, bits, col->length);
			sb_appendc(&b, '\'');
		}
		else if (target_is_numeric(col))
			sb_appendf(&b, "%llu", v);
		else
			*why = "a bit literal default for this type has no PostgreSQL equivalent";
	}
	else if (is_number(d))
	{
		if (col->conv == CONV_MY_BOOL || col->conv == CONV_MY_BIT_BOOL)
			sb_append(&b, strtod(d, NULL) != 0 ? "true" : "false");
		else if (col->conv == CONV_MY_YEAR && strtod(d, NULL) == 0)
			*zero = true;
		else if (target_is_numeric(col) || col->conv == CONV_MY_YEAR)
			sb_append(&b, d);
		else
			sb_append_literal(&b, d);
	}
	else if (is_my_now(d))
	{
		if (col->conv == CONV_MY_DATETIME || col->conv == CONV_MY_TIMESTAMP)
			sb_append(&b, "CURRENT_TIMESTAMP");
		else if (col->conv == CONV_MY_DATE)
			sb_append(&b, "CURRENT_DATE");
		else
			*why = "the current time as a default of this type has no PostgreSQL equivalent";
	}
	else if (strcasecmp(d, "curdate()") == 0 || strcasecmp(d, "current_date") == 0 ||
			 strcasecmp(d, "current_date()") == 0)
	{
		if (col->conv == CONV_MY_DATE || col->conv == CONV_MY_DATETIME || col->conv == CONV_MY_TIMESTAMP)
			sb_append(&b, "CURRENT_DATE");
		else
			*why = "CURRENT_DATE as a default of this type has no PostgreSQL equivalent";
	}
	else
		*why = "MySQL expression defaults are not translated";
	if (*why == NULL && b.len > 0)
		r = arena_strdup(&c->arena, b.data);
	sb_free(&b);
	sb_free(&lit);
	return r;
}

/* nextval('"schema"."seq"') for the sequence that feeds col, or NULL. */
static char *
sequence_default(Catalog *c, const Table *t, const Column *col)
{
	for (int i = 0; i < c->nsequences; i++)
	{
		Sequence   *s = &c->sequences[i];
		StrBuf		b,
					q;
		char	   *r;

		if (!s->owned_by_table || !s->owned_by_column || !s->owned_by_schema ||
			strcmp(s->owned_by_schema, t->schema) != 0 || strcmp(s->owned_by_table, t->name) != 0 ||
			strcmp(s->owned_by_column, col->name) != 0)
			continue;
		sb_init(&q, 0);
		sb_append_qualified(&q, s->target_schema, s->target_name);
		sb_init(&b, 0);
		sb_append(&b, "nextval(");
		sb_append_literal(&b, q.data);
		sb_appendc(&b, ')');
		r = arena_strdup(&c->arena, b.data);
		sb_free(&b);
		sb_free(&q);
		return r;
	}
	return NULL;
}

/* ------------------------------------------------------------- apply */

static const char *
dialect_name(TargetDialect d)
{
	return d == TARGET_COCKROACH ? "CockroachDB" : "PostgreSQL";
}

/* Quoted "schema"."name" of a PG user type, for messages. */
static char *
type_display(Catalog *c, const char *schema, const char *name)
{
	return ident_display_name(&c->arena, schema, name);
}

/* Mark the PG enum/domain/composite named schema.name used, with its dependencies. */
static void
mark_used_by_name(Catalog *c, const char *schema, const char *name)
{
	if (schema == NULL || name == NULL)
		return;
	for (int i = 0; i < c->nenums; i++)
		if (strcmp(c->enums[i].schema, schema) == 0 && strcmp(c->enums[i].name, name) == 0)
			c->enums[i].used = true;
	for (int i = 0; i < c->ntypes; i++)
		if (strcmp(c->types[i].schema, schema) == 0 && strcmp(c->types[i].name, name) == 0)
			c->types[i].used = true;
}

/* Propagate "used" from domains/composites to the types they depend on. */
static void
close_used_types(Catalog *c)
{
	bool		changed = true;

	while (changed)
	{
		changed = false;
		for (int i = 0; i < c->ntypes; i++)
		{
			UserType   *u = &c->types[i];

			if (!u->used)
				continue;
			for (int k = 0; k < u->ndeps; k++)
			{
				EnumType   *e = catalog_find_enum_oid(c, u->deps[k]);
				UserType   *d = catalog_find_type_oid(c, u->deps[k]);

				if (e && !e->used)
					e->used = changed = true;
				if (d && !d->used)
					d->used = changed = true;
			}
		}
	}
}

static void
require_extension(Catalog *c, const char *name, const char *schema)
{
	for (int i = 0; i < c->nextensions; i++)
		if (strcmp(c->extensions[i], name) == 0)
			return;
	char	  **names = arena_alloc_array0(&c->arena, (size_t) c->nextensions + 1, sizeof(char *));
	char	  **schemas = arena_alloc_array0(&c->arena, (size_t) c->nextensions + 1, sizeof(char *));

	if (c->nextensions)
	{
		memcpy(names, c->extensions, sizeof(char *) * (size_t) c->nextensions);
		memcpy(schemas, c->extension_schemas, sizeof(char *) * (size_t) c->nextensions);
	}
	names[c->nextensions] = arena_strdup(&c->arena, name);
	schemas[c->nextensions] = schema ? arena_strdup(&c->arena, schema) : NULL;
	c->extensions = names;
	c->extension_schemas = schemas;
	c->nextensions++;
}

/* Map one column's type (target_type, conv, select_expr) and record issues. */
static void
map_column_type(Catalog *c, NameSet *taken, const TypeMapOptions *o, Table *t, Column *col)
{
	const TypeRule *r = typemap_match(c->engine, col, o);
	TypeOverride *ov = find_override(o, t, col);
	bool		crdb = o->dialect == TARGET_COCKROACH;
	char	   *who = column_display_name(&c->arena, t, col);
	const char *tmpl;
	EnumType   *en = NULL;

	if (ov)
	{
		ov->uses++;
		col->target_type = arena_strdup(&c->arena, ov->target_type);
		if (c->engine == MY)
			col->conv = override_conv(col, r ? (crdb ? r->crdb_conv : r->pg_conv) : CONV_NONE,
									  ov->target_type);
		else if (r && r->expr)
		{
			col->conv = CONV_PG_EXPR;
			col->select_expr = expand(c, r->expr, col, NULL);
		}
		return;
	}
	if (r == NULL)
	{
		char	   *hint = arena_sprintf(&c->arena,
										 "map it with --type-map-file, e.g. [{\"table\":\"%s\",\"column_type_map\":"
										 "[{\"column\":\"%s\",\"target_type\":\"text\"}]}], or exclude the table "
										 "with --table-exclusion-filter", t->display, col->name);

		catalog_add_issue(c, ISSUE_FAIL, ISSUE_COLUMN_TYPE, who, hint,
						  "column %s has type \"%s\", which godwit cannot map to %s",
						  who, col->source_type, dialect_name(o->dialect));
		col->target_type = arena_strdup(&c->arena, "text");
		return;
	}
	tmpl = crdb ? r->crdb_type : r->pg_type;
	col->conv = crdb ? r->crdb_conv : r->pg_conv;
	if (strstr(tmpl, "{enum}"))
	{
		/*
		 * A MySQL ENUM.  PostgreSQL enum labels are at most 63 bytes and
		 * distinct; labels are distinct in MySQL, but characters the
		 * connection character set cannot show arrive as '?' and may make
		 * two equal.
		 */
		const char *why = NULL;

		for (int i = 0; i < col->nenum_labels && !why; i++)
		{
			if (strlen(col->enum_labels[i]) > IDENT_MAX_BYTES)
				why = "an ENUM label is longer than 63 bytes";
			for (int k = 0; k < i && !why; k++)
				if (strcmp(col->enum_labels[i], col->enum_labels[k]) == 0)
					why = "two ENUM labels read the same in UTF-8";
		}
		if (why == NULL)
			en = my_enum_for_column(c, taken, o, t, col);
		else
		{
			tmpl = "text";
			catalog_add_issue(c, ISSUE_WARN, ISSUE_COLUMN_TYPE, who, NULL,
							  "column %s (%s) becomes text: %s", who, col->source_type, why);
		}
	}
	col->target_type = expand(c, tmpl, col, en);
	if (r->expr)
		col->select_expr = expand(c, r->expr, col, NULL);

	/* what the target type needs */
	if (!crdb && strstr(tmpl, "{decl}") && c->engine == PG)
	{
		mark_used_by_name(c, col->type_schema, col->type_name);
		if ((r->flags & TMF_EXTENSION) && col->type_extension)
		{
			if (o->extensions_known && !has_extension(o, col->type_extension))
				catalog_add_issue(c, ISSUE_FAIL, ISSUE_COLUMN_TYPE, who,
								  "install the extension's package on the target server, or map the column "
								  "with --type-map-file (e.g. to text)",
								  "column %s has type %s of extension \"%s\", which is not available on the target",
								  who, col->source_type, col->type_extension);
			else
				require_extension(c, col->type_extension, col->base_schema);
		}
	}
	if (crdb && strstr(tmpl, "{base}"))
		mark_used_by_name(c, col->base_schema, col->base_name);

	if (((crdb && (r->flags & TMF_WARN_CRDB)) || (!crdb && (r->flags & TMF_WARN_PG))) &&
		strcmp(col->target_type, col->source_type) == 0)
		catalog_add_issue(c, ISSUE_WARN, ISSUE_COLUMN_TYPE, who, NULL,
						  "column %s (%s): %s", who, col->source_type, r->note);
	else if ((crdb && (r->flags & TMF_WARN_CRDB)) || (!crdb && (r->flags & TMF_WARN_PG)))
		catalog_add_issue(c, ISSUE_WARN, ISSUE_COLUMN_TYPE, who,
						  "to choose another type, use --type-map-file",
						  "column %s (%s) becomes %s on %s: %s", who, col->source_type,
						  col->target_type, dialect_name(o->dialect), r->note);
	if (crdb && col->type_kind == 'd')
		catalog_add_issue(c, ISSUE_WARN, ISSUE_COLUMN_TYPE, who, NULL,
						  "column %s of domain %s becomes %s on CockroachDB, which has no domains: "
						  "the domain's constraints are not enforced", who,
						  type_display(c, col->type_schema, col->type_name), col->target_type);
	if (crdb && col->collation && c->engine == PG)
		catalog_add_issue(c, ISSUE_WARN, ISSUE_COLUMN_TYPE, who, NULL,
						  "column %s: collation \"%s\" is not carried to CockroachDB", who, col->collation);
}

/* Defaults, generated and identity columns of one column. */
static void
map_column_extras(Catalog *c, const TypeMapOptions *o, Table *t, Column *col)
{
	bool		crdb = o->dialect == TARGET_COCKROACH;
	char	   *who = column_display_name(&c->arena, t, col);
	char	   *seq = sequence_default(c, t, col);

	if (col->generated_expr)
	{
		if (c->engine == PG && !crdb)
		{
			col->target_generated = true;
			col->skip = true;
		}
		else
			catalog_add_issue(c, ISSUE_WARN, ISSUE_OBJECT, who, NULL,
							  "generated column %s becomes a plain column on %s (its values are copied): "
							  "the expression %s is not carried", who, dialect_name(o->dialect),
							  c->engine == MY ? "is MySQL SQL and" : "");
	}
	if (seq && (col->identity || col->auto_increment ||
				(col->default_expr && strstr(col->default_expr, "nextval(") != NULL)))
	{
		/* identity, AUTO_INCREMENT and serial columns: a sequence default on both dialects */
		col->target_default = seq;
		col->target_default_exact = true;
		if (col->identity == 'a')
			catalog_add_issue(c, ISSUE_INFO, ISSUE_OBJECT, who, NULL,
							  "identity column %s (GENERATED ALWAYS) becomes a column with a sequence default "
							  "on the target, so that copied and replicated rows keep their values", who);
		return;
	}
	if (col->default_expr == NULL || col->generated_expr)
		return;
	if (c->engine == PG)
	{
		col->target_default = col->default_expr;
		col->target_default_exact = !crdb;
		return;
	}
	{
		const char *why;
		bool		zero;

		col->target_default = my_default(c, col, o, &why, &zero);
		col->target_default_exact = col->target_default != NULL;
		if (zero && !col->nullable && o->zero_dates == ZERO_DATES_NULL)
		{
			col->target_nullable = true;
			catalog_add_issue(c, ISSUE_WARN, ISSUE_COLUMN_TYPE, who,
							  "use --zero-dates error to stop on zero dates instead",
							  "column %s is NOT NULL with a zero date default: it is nullable on the target, "
							  "where zero dates become NULL", who);
		}
		else if (why)
			catalog_add_issue(c, ISSUE_WARN, ISSUE_OBJECT, who,
							  "set a default on the target after the migration if the application needs it",
							  "default %s of column %s is not carried: %s", col->default_expr, who, why);
	}
}

/* One issue for every MySQL ON UPDATE clause (up to 10 columns named). */
static void
report_on_update(Catalog *c)
{
	StrBuf		names;
	int			n = 0;

	sb_init(&names, 0);
	for (int i = 0; i < c->ntables; i++)
		for (int k = 0; k < c->tables[i]->ncolumns; k++)
		{
			const Column *col = &c->tables[i]->columns[k];

			if (col->on_update == NULL)
				continue;
			if (n < 10)
				sb_appendf(&names, "%s%s", n ? ", " : "", column_display_name(&c->arena, c->tables[i], col));
			n++;
		}
	if (n > 10)
		sb_appendf(&names, " and %d more", n - 10);
	if (n > 0)
		catalog_add_issue(c, ISSUE_WARN, ISSUE_OBJECT, NULL,
						  "add a trigger on the target if the application relies on it",
						  "ON UPDATE clauses are not carried (%d column%s): %s", n, n == 1 ? "" : "s", names.data);
	sb_free(&names);
}

void
typemap_options_init(TypeMapOptions *o, TargetDialect dialect)
{
	memset(o, 0, sizeof(*o));
	o->dialect = dialect;
	o->tinyint1 = TINYINT1_BOOLEAN;
	o->zero_dates = ZERO_DATES_NULL;
	o->enums = ENUMS_AS_TYPE;
	o->target_schema = "public";
}

/* MySQL: every table goes to o->target_schema; sequences get unique names there. */
static void
my_assign_target_names(Catalog *c, NameSet *taken, const TypeMapOptions *o)
{
	char	   *schema = arena_strdup(&c->arena, o->target_schema);

	for (int i = 0; i < c->ntables; i++)
	{
		Table	   *t = c->tables[i];

		t->target_schema = schema;
		t->target_name = t->name;
		if (nameset_has(taken, t->name))
		{
			catalog_add_issue(c, ISSUE_FAIL, ISSUE_TABLE, t->display,
							  "migrate one database at a time (name it in the --source URL) or narrow "
							  "--schema-filter",
							  "table %s maps to \"%s\".\"%s\", which another selected table also maps to",
							  t->display, schema, t->name);
			continue;
		}
		nameset_add(taken, t->name);
	}
	for (int i = 0; i < c->nsequences; i++)
	{
		Sequence   *s = &c->sequences[i];

		s->target_schema = schema;
		s->target_name = catalog_unique_ident(c, taken, s->name);
	}
}

/*
 * PostgreSQL target: identifiers longer than 63 bytes (MySQL allows 64
 * characters, up to 256 bytes in UTF-8) would be truncated, silently, and
 * could collide.  They get a shortened, hashed target name instead, and a
 * warning that says which.
 */
static void
fit_long_names(Catalog *c)
{
	const char *hint = "rename it on the source to keep the name exactly";

	for (int i = 0; i < c->ntables; i++)
	{
		Table	   *t = c->tables[i];
		int			ncols = 0;
		const char *example = NULL;

		if (strlen(t->target_name) > IDENT_MAX_BYTES)
		{
			t->target_name = catalog_fit_ident(c, t->target_name);
			catalog_add_issue(c, ISSUE_WARN, ISSUE_TABLE, t->display, hint,
							  "table name %s is longer than PostgreSQL's 63 bytes: it is \"%s\" on the target",
							  t->display, t->target_name);
		}
		for (int k = 0; k < t->ncolumns; k++)
		{
			Column	   *col = &t->columns[k];

			if (strlen(col->name) <= IDENT_MAX_BYTES)
				continue;
			col->target_name = catalog_fit_ident(c, col->name);
			if (ncols++ == 0)
				example = col->target_name;
		}
		if (ncols > 0)
			catalog_add_issue(c, ISSUE_WARN, ISSUE_TABLE, t->display, hint,
							  "%d column name%s of %s %s longer than PostgreSQL's 63 bytes: shortened on the "
							  "target (e.g. \"%s\")", ncols, ncols == 1 ? "" : "s", t->display,
							  ncols == 1 ? "is" : "are", example);
	}
}

bool
typemap_apply(Catalog *c, const TypeMapOptions *o)
{
	NameSet		taken = {0};

	c->target = o->dialect;
	c->zero_dates = o->zero_dates;
	if (c->engine == MY)
		my_assign_target_names(c, &taken, o);
	if (o->dialect == TARGET_POSTGRES)
		fit_long_names(c);
	for (int i = 0; i < c->ntables; i++)
	{
		Table	   *t = c->tables[i];

		for (int k = 0; k < t->ncolumns; k++)
		{
			map_column_type(c, &taken, o, t, &t->columns[k]);
			map_column_extras(c, o, t, &t->columns[k]);
		}
	}
	if (c->engine == PG)
		close_used_types(c);
	report_on_update(c);
	if (o->overrides)
		for (int i = 0; i < o->overrides->n; i++)
			if (o->overrides->items[i].uses == 0)
				catalog_add_issue(c, ISSUE_WARN, ISSUE_OBJECT, NULL,
								  "check the table, column and source_type of the entry",
								  "type map entry for %s%s%s column %s (%s) in \"%s\" matched no column",
								  o->overrides->items[i].schema ? o->overrides->items[i].schema : "",
								  o->overrides->items[i].schema ? "." : "",
								  o->overrides->items[i].table ? o->overrides->items[i].table : "*",
								  o->overrides->items[i].column ? o->overrides->items[i].column : "*",
								  o->overrides->items[i].target_type, o->overrides->origin);
	nameset_free(&taken);
	c->mapped = true;
	return catalog_count_issues(c, ISSUE_FAIL, -1) == 0;
}
