/*
 * tests/unit/test_binlog.c
 *	  The binlog event and row-image decoders against recorded binlogs and hex
 *	  vectors (tests/data/binlog, copied from the shared fixtures):
 *
 *	  1. every file decodes; per event type counts and TABLE_MAP optional
 *	     metadata counts equal the inventory an independent parser wrote in
 *	     each folder's SOURCE.md; deliberately broken files fail cleanly
 *	  2. every row value equals what `mariadb-binlog -vv` / `mysqlbinlog -vv`
 *	     printed for it (*.mariadb-binlog-vv.txt, plaintext-mysql-bin.*,
 *	     the mysql-test .result)
 *	  3. values asserted by the fixtures' authors (SOURCE.md, Scripts.sql)
 *	  4. the TSV vectors: DECIMAL, DATETIME2, TIME2, binary JSON, GTID and
 *	     PREVIOUS_GTIDS bodies, TABLE_MAP / ROWS bodies, TRANSACTION_PAYLOAD
 *	  5. truncations and bit flips of every file fail cleanly (under ASan)
 *
 * Diagnostics report how many events, rows, values and vectors were checked.
 */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "binlog_walk.h"
#include "common/gtid.h"
#include "common/strbuf.h"
#include "dialect/mysql/binlog_event.h"
#include "dialect/mysql/binlog_json.h"
#include "dialect/mysql/rowimage.h"
#include "tap.h"

#ifndef GODWIT_TEST_DATA
#error "GODWIT_TEST_DATA must point at tests/data"
#endif
#define BINLOG_DATA GODWIT_TEST_DATA "/binlog"

static long total_events, total_rows, total_values, total_vv_values, total_vectors, total_corruptions;

/* ------------------------------------------------------------------ helpers */

static char *
path_join(const char *a, const char *b)
{
	char	   *p = malloc(strlen(a) + strlen(b) + 2);

	sprintf(p, "%s/%s", a, b);
	return p;
}

static char *
read_text(const char *path, size_t *len)
{
	size_t		n;
	uint8_t    *b = binlog_read_file(path, &n);

	if (!b)
		return NULL;
	b = realloc(b, n + 1);
	b[n] = 0;
	if (len)
		*len = n;
	return (char *) b;
}

/* gunzip a whole .gz file (zlib's gz reader). */
static uint8_t *
read_gz(const char *path, size_t *len)
{
	gzFile		f = gzopen(path, "rb");
	size_t		cap = 1 << 20,
				n = 0;
	uint8_t    *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	for (;;)
	{
		if (n == cap)
			buf = realloc(buf, cap *= 2);
		int			r = gzread(f, buf + n, (unsigned) (cap - n));

		if (r <= 0)
			break;
		n += (size_t) r;
	}
	gzclose(f);
	*len = n;
	return buf;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex (stops at the first non-hex char). Caller frees. */
static uint8_t *
unhex(const char *h, size_t *len)
{
	size_t		n = 0;
	uint8_t    *b = malloc(strlen(h) / 2 + 1);

	while (hexval(h[0]) >= 0 && hexval(h[1]) >= 0)
	{
		b[n++] = (uint8_t) (hexval(h[0]) << 4 | hexval(h[1]));
		h += 2;
	}
	*len = n;
	return b;
}

/* Split a TSV line in place into at most max fields. */
static int
split_tabs(char *line, char **f, int max)
{
	int			n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t')
		{
			*p = 0;
			f[n++] = p + 1;
		}
	return n;
}

/* Iterate the non-comment lines of a TSV file. */
typedef struct Lines
{
	char	   *buf;
	char	   *next;
} Lines;

static bool
lines_open(Lines *l, const char *path)
{
	l->buf = read_text(path, NULL);
	l->next = l->buf;
	return l->buf != NULL;
}

static char *
lines_next(Lines *l)
{
	while (l->next && *l->next)
	{
		char	   *s = l->next;
		char	   *nl = strchr(s, '\n');

		if (nl)
		{
			*nl = 0;
			l->next = nl + 1;
		}
		else
			l->next = NULL;
		if (s[0] && s[0] != '#')
			return s;
	}
	return NULL;
}

static bool
val_is(const RowVal *v, const char *want)
{
	if (want == NULL)
		return v->kind == ROWVAL_NULL;
	return v->kind == ROWVAL_TEXT && v->len == strlen(want) && memcmp(v->p, want, v->len) == 0;
}

static bool
val_is_bytes(const RowVal *v, const uint8_t *b, size_t n)
{
	return v->kind == ROWVAL_TEXT && v->len == n && memcmp(v->p, b, n) == 0;
}

static char *
val_str(const RowVal *v)
{
	StrBuf		sb;

	sb_init(&sb, 0);
	binlog_walk_append_value(&sb, v);
	return sb_steal(&sb);
}

/* ------------------------------------------------------------------ 1. inventory */

typedef struct Counts
{
	int			top[256];
	int			inner[256];
	int			optmeta[16];
} Counts;

static void
count_cb(void *ctx, const BinlogWalkEvent *we)
{
	Counts	   *c = ctx;

	if (we->depth)
		c->inner[we->ev->hdr.type]++;
	else
		c->top[we->ev->hdr.type]++;
	if (we->ev->kind == BINLOG_KIND_TABLE_MAP)
		for (int k = 1; k < 16; k++)
			if (we->ev->u.table_map.has_optmeta & (1u << k))
				c->optmeta[k]++;
}

static const char *const optmeta_names[16] = {
	NULL, "SIGNEDNESS", "DEFAULT_CHARSET", "COLUMN_CHARSET", "COLUMN_NAME", "SET_STR_VALUE",
	"ENUM_STR_VALUE", "GEOMETRY_TYPE", "SIMPLE_PRIMARY_KEY", "PRIMARY_KEY_WITH_PREFIX",
	"ENUM_AND_SET_DEFAULT_CHARSET", "ENUM_AND_SET_COLUMN_CHARSET", "COLUMN_VISIBILITY",
	"VECTOR_DIMENSIONALITY", NULL, NULL,
};

/* Files that must fail, and how. */
typedef struct Broken
{
	const char *file;
	BinlogErrCode code;
	size_t		offset;			/* file offset of the failing event */
	int			events_before;
} Broken;

static const Broken broken[] = {
	{"binlog_truncated_event.000001", BINLOG_ERR_TRUNCATED, 4, 0},
	{"binlog_truncated_prev_gtid_event.000001", BINLOG_ERR_TRUNCATED, 120, 1},
	{"corrupt-relay-bin.000624", BINLOG_ERR_TRUNCATED, 91204, -1},
	{"ver_5_1-wl2325_r.001", BINLOG_ERR_CORRUPT, 650, -1},
	{"ver_5_1-wl2325_s.001", BINLOG_ERR_UNSUPPORTED, 411, -1},
};

static const Broken *
find_broken(const char *name)
{
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++)
		if (strcmp(broken[i].file, name) == 0)
			return &broken[i];
	return NULL;
}

/* Parse "NAME(code)×count" items of an inventory cell into want[]. */
static void
parse_counts(const char *cell, int *top, int *inner)
{
	const char *inside = strstr(cell, "inside TRANSACTION_PAYLOAD");

	for (const char *p = cell; (p = strchr(p, '(')) != NULL; p++)
	{
		int			code,
					n;

		if (sscanf(p, "(%d)\xc3\x97%d", &code, &n) == 2 && code >= 0 && code < 256)
		{
			if (inside && p > inside)
				inner[code] += n;
			else
				top[code] += n;
		}
	}
}

static void
parse_optmeta(const char *cell, int *want)
{
	for (int k = 1; k < 16; k++)
	{
		const char *name = optmeta_names[k];
		const char *p = cell;

		if (!name)
			continue;
		while ((p = strstr(p, name)) != NULL)
		{
			/* whole word: not a suffix of a longer name */
			bool		start_ok = p == cell || p[-1] == ' ' || p[-1] == ',';
			int			n;

			if (start_ok && sscanf(p + strlen(name), "\xc3\x97%d", &n) == 1)
				want[k] += n;
			p += strlen(name);
		}
	}
}

static void
check_one_file(const char *folder, const char *name, const char *events_cell, const char *optmeta_cell)
{
	char	   *dir = path_join(BINLOG_DATA, folder);
	char	   *path = path_join(dir, name);
	size_t		len;
	uint8_t    *buf;
	bool		gz = strlen(name) > 3 && strcmp(name + strlen(name) - 3, ".gz") == 0;
	Counts		got;
	int			want_top[256] = {0},
				want_inner[256] = {0},
				want_opt[16] = {0};
	BinlogWalkResult res;
	const Broken *br = find_broken(name);
	bool		decoded;

	buf = gz ? read_gz(path, &len) : binlog_read_file(path, &len);
	if (!ok(buf != NULL, "%s/%s: readable", folder, name))
		goto out;
	memset(&got, 0, sizeof(got));
	decoded = binlog_walk(buf, len, true, NULL, count_cb, &got, &res);
	if (br)
	{
		ok(!decoded && res.err.code == br->code && res.offset == br->offset &&
		   (br->events_before < 0 || res.events == br->events_before),
		   "%s/%s: broken file fails cleanly (%s)", folder, name, res.message);
		goto out;
	}
	if (!ok(decoded, "%s/%s: decodes (%d events, %d rows, %d values)", folder, name, res.events, res.rows,
			res.values))
	{
		printf("#   %s\n", res.message);
		goto out;
	}
	total_events += res.events;
	total_rows += res.rows;
	total_values += res.values;
	parse_counts(events_cell, want_top, want_inner);
	parse_optmeta(optmeta_cell, want_opt);
	bool		same = true;

	for (int t = 0; t < 256; t++)
		if (want_top[t] != got.top[t] || want_inner[t] != got.inner[t])
		{
			printf("#   type %d (%s): inventory %d+%d inner, decoded %d+%d inner\n", t,
				   binlog_event_type_name(t), want_top[t], want_inner[t], got.top[t], got.inner[t]);
			same = false;
		}
	ok(same, "%s/%s: event counts per type equal the inventory", folder, name);
	same = true;
	for (int k = 1; k < 16; k++)
		if (want_opt[k] != got.optmeta[k])
		{
			printf("#   %s: inventory %d, decoded %d\n", optmeta_names[k] ? optmeta_names[k] : "?", want_opt[k], got.optmeta[k]);
			same = false;
		}
	ok(same, "%s/%s: TABLE_MAP optional metadata counts equal the inventory", folder, name);
out:
	free(buf);
	free(path);
	free(dir);
}

/* Split an inventory row "| `f` | bytes | server | checksum | events | optmeta | tool |". */
static void
test_inventory(void)
{
	DIR		   *d = opendir(BINLOG_DATA);
	struct dirent *de;
	int			files = 0;

	if (!ok(d != NULL, "fixture directory %s", BINLOG_DATA))
		return;
	while ((de = readdir(d)) != NULL)
	{
		if (de->d_name[0] == '.')
			continue;
		char	   *dir = path_join(BINLOG_DATA, de->d_name);
		char	   *src = path_join(dir, "SOURCE.md");
		char	   *text = read_text(src, NULL);

		if (text)
		{
			for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			{
				char	   *cell[8];
				int			n = 0;

				if (strncmp(line, "| `", 3) != 0)
					continue;
				for (char *p = line + 1; *p && n < 8; p++)
				{
					cell[n++] = p;
					char	   *bar = strstr(p, " |");

					if (!bar)
						break;
					*bar = 0;
					p = bar + 1;
				}
				if (n < 6)
					continue;
				char	   *name = strchr(cell[0], '`') + 1;

				*strchr(name, '`') = 0;
				check_one_file(de->d_name, name, cell[4], cell[5]);
				files++;
			}
		}
		free(text);
		free(src);
		free(dir);
	}
	closedir(d);
	printf("# inventory: %d files, %ld events, %ld rows, %ld values decoded\n", files, total_events,
		   total_rows, total_values);
	ok(files >= 60, "inventory covers %d files", files);
}

/* ------------------------------------------------------------------ 2. -vv texts */

typedef struct VvVal
{
	int			col;			/* 1-based */
	char	   *type;			/* "INT", "STRING(10)", ... or "" */
	char	   *val;			/* raw text after '=' (trimmed) */
} VvVal;

typedef struct VvImage
{
	VvVal	   *v;
	int			n;
	int			cap;
} VvImage;

typedef struct VvList
{
	VvImage    *img;
	int			n;
	int			cap;
} VvList;

static void
vv_parse(char *text, VvList *out)
{
	memset(out, 0, sizeof(*out));
	for (char *line = text; line && *line;)
	{
		char	   *nl = strchr(line, '\n');

		if (nl)
			*nl = 0;
		if (strncmp(line, "### SET", 7) == 0 || strncmp(line, "### WHERE", 9) == 0)
		{
			if (out->n == out->cap)
				out->img = realloc(out->img, (size_t) (out->cap = out->cap ? out->cap * 2 : 64) * sizeof(VvImage));
			memset(&out->img[out->n++], 0, sizeof(VvImage));
		}
		else if (strncmp(line, "###   @", 7) == 0 && out->n > 0)
		{
			VvImage    *im = &out->img[out->n - 1];
			char	   *eq = strchr(line + 7, '=');
			char	   *cm = NULL;

			for (char *p = eq; (p = strstr(p, " /* ")) != NULL; p++)
				cm = p;
			if (im->n == im->cap)
				im->v = realloc(im->v, (size_t) (im->cap = im->cap ? im->cap * 2 : 32) * sizeof(VvVal));
			VvVal	   *v = &im->v[im->n++];

			v->col = atoi(line + 7);
			v->type = "";
			if (cm)
			{
				*cm = 0;
				v->type = cm + 4;
				char	   *m = strstr(v->type, " meta=");

				if (m)
					*m = 0;
			}
			v->val = eq + 1;
			size_t		l = strlen(v->val);

			while (l > 0 && v->val[l - 1] == ' ')
				v->val[--l] = 0;
		}
		line = nl ? nl + 1 : NULL;
	}
}

static void
vv_free(VvList *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->img[i].v);
	free(l->img);
}

/* mariadb-binlog's quoting: '...' with bytes < 0x20 as \xNN. */
static size_t
vv_unquote(const char *s, char *out)
{
	size_t		n = 0,
				l = strlen(s);

	if (l < 2 || s[0] != '\'' || s[l - 1] != '\'')
		return (size_t) -1;
	for (size_t i = 1; i + 1 < l; i++)
	{
		if (s[i] == '\\' && s[i + 1] == 'x' && i + 3 < l && hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0)
		{
			out[n++] = (char) (hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
			i += 3;
		}
		else
			out[n++] = s[i];
	}
	return n;
}

static int64_t
days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t		era = (y >= 0 ? y : y - 399) / 400;
	unsigned	yoe = (unsigned) (y - era * 400);
	unsigned	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t) doe - 719468;
}

typedef struct VvCtx
{
	VvList	   *vv;
	int			img;			/* next image to compare */
	int			checked;
	int			mismatches;
	const char *file;
} VvCtx;

static bool
vv_value_matches(const VvVal *e, const RowVal *v, const BinlogTableMap *tm, int col)
{
	char		buf[65536];
	const char *t = e->type;

	if (strcmp(e->val, "NULL") == 0)
		return v->kind == ROWVAL_NULL;
	if (v->kind != ROWVAL_TEXT)
		return false;
	if (strcmp(t, "INT") == 0 || strcmp(t, "TINYINT") == 0 || strcmp(t, "SHORTINT") == 0 ||
		strcmp(t, "MEDIUMINT") == 0 || strcmp(t, "LONGINT") == 0 || t[0] == 0)
	{
		char		x[64],
					y[64] = "";
		bool		uns = tm->is_unsigned && tm->is_unsigned[col];

		if (e->val[0] == '\'')
		{
			size_t		n = vv_unquote(e->val, buf);

			return n != (size_t) -1 && val_is_bytes(v, (uint8_t *) buf, n);
		}
		if (sscanf(e->val, "%63s (%63[0-9])", x, y) < 1)
			return false;
		return val_is(v, uns && y[0] ? y : x);
	}
	if (strcmp(t, "FLOAT") == 0 || strcmp(t, "DOUBLE") == 0)
	{
		char		mine[64];

		snprintf(mine, sizeof(mine), "%.*s", (int) v->len, v->p);	/* values are not NUL-terminated */
		if (t[0] == 'F')
			return (float) strtod(e->val, NULL) == (float) strtod(mine, NULL);
		return strtod(e->val, NULL) == strtod(mine, NULL);
	}
	if (strncmp(t, "DECIMAL", 7) == 0 || strcmp(t, "YEAR") == 0)
	{
		if (strcmp(t, "YEAR") == 0 && strcmp(e->val, "1900") == 0)
			return val_is(v, "0000");	/* mariadb-binlog prints YEAR 0 as 1900 */
		return val_is(v, e->val);
	}
	if (strcmp(t, "DATE") == 0)
	{
		size_t		n = vv_unquote(e->val, buf);

		for (size_t i = 0; i < n; i++)
			if (buf[i] == ':')
				buf[i] = '-';
		return n != (size_t) -1 && val_is_bytes(v, (uint8_t *) buf, n);
	}
	if (strncmp(t, "TIMESTAMP", 9) == 0)
	{
		int			y;
		unsigned	mo,
					d,
					h,
					mi,
					s;
		char		frac[16] = "";
		char		mine[64];

		snprintf(mine, sizeof(mine), "%.*s", (int) v->len, v->p);
		if (sscanf(mine, "%d-%u-%u %u:%u:%u.%15s", &y, &mo, &d, &h, &mi, &s, frac) < 6)
			return false;
		long long	secs = (long long) days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
		char		want[64];

		if (frac[0])
			snprintf(want, sizeof(want), "%lld.%s", secs, frac);
		else
			snprintf(want, sizeof(want), "%lld", secs);
		return strcmp(want, e->val) == 0;
	}
	if (strncmp(t, "ENUM", 4) == 0)
	{
		long		idx = atol(e->val);
		const BinlogStrList *l = tm->enum_values ? &tm->enum_values[col] : NULL;

		if (l && l->n)
			return idx >= 1 && (uint32_t) idx <= l->n &&
				val_is_bytes(v, (const uint8_t *) l->s[idx - 1].p, l->s[idx - 1].len);
		return val_is(v, e->val);
	}
	if (strncmp(t, "SET", 3) == 0 || strncmp(t, "BIT", 3) == 0)
	{
		/* b'0101...' */
		uint64_t	mask = 0;
		const char *b = e->val + 2;

		for (; *b == '0' || *b == '1'; b++)
			mask = mask << 1 | (uint64_t) (*b - '0');
		if (t[0] == 'B')
		{
			uint64_t	mine = 0;

			for (uint32_t i = 0; i < v->len; i++)
				mine = mine << 8 | (uint8_t) v->p[i];
			return mine == mask;
		}
		const BinlogStrList *l = tm->set_values ? &tm->set_values[col] : NULL;
		StrBuf		sb;
		bool		r;

		if (!l || !l->n)
		{
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long) mask);
			return val_is(v, buf);
		}
		sb_init(&sb, 0);
		for (uint32_t k = 0; k < l->n; k++)
			if (mask & ((uint64_t) 1 << k))
			{
				if (sb.len)
					sb_appendc(&sb, ',');
				sb_appendn(&sb, l->s[k].p, l->s[k].len);
			}
		r = val_is_bytes(v, (uint8_t *) (sb.data ? sb.data : ""), sb.len);
		sb_free(&sb);
		return r;
	}
	/* quoted: strings, blobs, geometry, TIME, DATETIME */
	size_t		n = vv_unquote(e->val, buf);

	if (n == (size_t) -1)
		return false;
	if (strncmp(t, "STRING", 6) == 0 && tm->charset && tm->charset[col] == 63)
	{
		/* our BINARY(n) values are padded back to n with 0x00 */
		size_t		l = v->len;

		while (l > n && v->p[l - 1] == 0)
			l--;
		return l == n && memcmp(v->p, buf, n) == 0;
	}
	return val_is_bytes(v, (uint8_t *) buf, n);
}

static void
vv_compare_image(VvCtx *c, const RowVal *vals, const BinlogTableMap *tm)
{
	if (c->img >= c->vv->n)
	{
		c->mismatches++;
		if (c->mismatches < 5)
			printf("#   %s: more images decoded than printed\n", c->file);
		c->img++;
		return;
	}
	VvImage    *im = &c->vv->img[c->img++];
	int			present = 0;

	for (uint32_t i = 0; i < tm->ncols; i++)
		if (vals[i].kind != ROWVAL_ABSENT)
			present++;
	if (present != im->n)
	{
		c->mismatches++;
		if (c->mismatches < 5)
			printf("#   %s image %d: %d values printed, %d decoded\n", c->file, c->img, im->n, present);
	}
	for (int k = 0; k < im->n; k++)
	{
		VvVal	   *e = &im->v[k];

		if (e->col < 1 || (uint32_t) e->col > tm->ncols)
		{
			c->mismatches++;
			continue;
		}
		c->checked++;
		if (!vv_value_matches(e, &vals[e->col - 1], tm, e->col - 1))
		{
			c->mismatches++;
			if (c->mismatches < 10)
			{
				char	   *s = val_str(&vals[e->col - 1]);

				printf("#   %s image %d @%d (%s): printed %.80s, decoded %.80s\n", c->file, c->img, e->col,
					   e->type, e->val, s);
				free(s);
			}
		}
	}
}

static void
vv_cb(void *ctx, const BinlogWalkEvent *we)
{
	VvCtx	   *c = ctx;

	if (!we->rows)
		return;
	for (uint32_t r = 0; r < we->rows->nrows; r++)
	{
		if (we->rows->before)
			vv_compare_image(c, we->rows->before[r], we->tm);
		if (we->rows->after)
			vv_compare_image(c, we->rows->after[r], we->tm);
	}
}

static void
check_vv(const char *binlog, const char *text_path, const char *section)
{
	char	   *bpath = path_join(BINLOG_DATA, binlog);
	char	   *tpath = path_join(BINLOG_DATA, text_path);
	char	   *text = read_text(tpath, NULL);
	size_t		len;
	uint8_t    *buf = binlog_read_file(bpath, &len);
	VvList		vv;
	VvCtx		c = {&vv, 0, 0, 0, binlog};
	BinlogWalkResult res;

	if (!ok(text && buf, "%s: binlog and its printed decoding readable", binlog))
		goto out;
	if (section)
	{
		/* the .result file holds several files' outputs */
		char	   *s = strstr(text, section);
		char	   *e = s ? strstr(s + strlen(section), "Verbose statements from") : NULL;

		if (!s)
		{
			ok(false, "%s: section in %s", binlog, text_path);
			goto out;
		}
		if (e)
			*e = 0;
		memmove(text, s, strlen(s) + 1);
	}
	vv_parse(text, &vv);
	bool		walked = binlog_walk(buf, len, true, NULL, vv_cb, &c, &res);

	ok(walked && c.img == vv.n && c.mismatches == 0 && c.checked > 0,
	   "%s: %d row images, %d values equal %s's decoding", binlog, c.img, c.checked,
	   section ? "mysqlbinlog --verbose" : "the -vv printer");
	if (c.img != vv.n)
		printf("#   images: printed %d, decoded %d\n", vv.n, c.img);
	total_vv_values += c.checked;
	vv_free(&vv);
out:
	free(text);
	free(buf);
	free(bpath);
	free(tpath);
}

static void
test_vv(void)
{
	static const char *const pairs[][2] = {
		{"mariadb-10.11-local/mariadb-bin.000001", "mariadb-10.11-local/mariadb-bin.000001.mariadb-binlog-vv.txt"},
		{"mariadb-10.11-local/mariadb-bin.000002", "mariadb-10.11-local/mariadb-bin.000002.mariadb-binlog-vv.txt"},
		{"mariadb-10.11-local/mariadb-bin.000004", "mariadb-10.11-local/mariadb-bin.000004.mariadb-binlog-vv.txt"},
		{"mysql-binlog-connector-rust/mysql-bin.000080", "mysql-binlog-connector-rust/mysql-bin.000080.mariadb-binlog-vv.txt"},
		{"percona-binlog-server/data_80045_gtid-binlog.000001", "percona-binlog-server/data_80045_gtid-binlog.000001.mariadb-binlog-vv.txt"},
		{"percona-binlog-server/data_80045_gtid-binlog.000002", "percona-binlog-server/data_80045_gtid-binlog.000002.mariadb-binlog-vv.txt"},
		{"percona-binlog-server/data_80045_position-binlog.000001", "percona-binlog-server/data_80045_position-binlog.000001.mariadb-binlog-vv.txt"},
		{"percona-binlog-server/data_80045_position-binlog.000002", "percona-binlog-server/data_80045_position-binlog.000002.mariadb-binlog-vv.txt"},
		{"rust_mysql_common/binlog-invisible-columns.000001", "rust_mysql_common/binlog-invisible-columns.000001.mariadb-binlog-vv.txt"},
		{"rust_mysql_common/mariadb-bin.000001", "rust_mysql_common/mariadb-bin.000001.mariadb-binlog-vv.txt"},
		{"rust_mysql_common/minimal_row_metadata.000001", "rust_mysql_common/minimal_row_metadata.000001.mariadb-binlog-vv.txt"},
		{"rust_mysql_common/mysql-enum-string-set.000001", "rust_mysql_common/mysql-enum-string-set.000001.mariadb-binlog-vv.txt"},
		{"rust_mysql_common/mysql_type_bit.000001", "rust_mysql_common/mysql_type_bit.000001.mariadb-binlog-vv.txt"},
		{"rust_mysql_common/rpl_unfiltered_hidden_gcol.000001", "rust_mysql_common/rpl_unfiltered_hidden_gcol.000001.mariadb-binlog-vv.txt"},
		{"rust_mysql_common/time_issue.000001", "rust_mysql_common/time_issue.000001.mariadb-binlog-vv.txt"},
		{"zalora-binlog-parser/mysql-bin.01", "zalora-binlog-parser/plaintext-mysql-bin.01"},
		{"zalora-binlog-parser/mysql-bin.02", "zalora-binlog-parser/plaintext-mysql-bin.02"},
		{"zalora-binlog-parser/mysql-bin.03", "zalora-binlog-parser/plaintext-mysql-bin.03"},
		{"zalora-binlog-parser/mysql-bin.06", "zalora-binlog-parser/plaintext-mysql-bin.06"},
		{"zalora-binlog-parser/mysql-bin.07", "zalora-binlog-parser/plaintext-mysql-bin.07"},
	};
	static const char *const mtr[] = {
		"write-partial-row.binlog", "write-full-row.binlog", "update-partial-row.binlog", "update-full-row.binlog",
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		check_vv(pairs[i][0], pairs[i][1], NULL);
	for (size_t i = 0; i < sizeof(mtr) / sizeof(mtr[0]); i++)
	{
		char		b[128],
					s[128];

		snprintf(b, sizeof(b), "rust_mysql_common/%s", mtr[i]);
		snprintf(s, sizeof(s), "Verbose statements from : %s\n", mtr[i]);
		check_vv(b, "mysql-server-mtr/binlog_row_mysqlbinlog_verbose.result", s);
	}
	printf("# printed decodings: %ld values compared\n", total_vv_values);
}

/* ------------------------------------------------------------------ 3. authors' values */

typedef struct Images
{
	char	  **line;			/* "@1='x' @2=NULL" per image, in order */
	int			n;
	int			cap;
	StrBuf		extra;			/* GTIDs, queries, previous gtids seen */
} Images;

static void
images_push(Images *im, const RowVal *vals, uint32_t ncols)
{
	StrBuf		sb;

	sb_init(&sb, 0);
	for (uint32_t c = 0; c < ncols; c++)
	{
		if (vals[c].kind == ROWVAL_ABSENT)
			continue;
		if (sb.len)
			sb_appendc(&sb, ' ');
		sb_appendf(&sb, "@%u=", c + 1);
		binlog_walk_append_value(&sb, &vals[c]);
	}
	if (im->n == im->cap)
		im->line = realloc(im->line, (size_t) (im->cap = im->cap ? im->cap * 2 : 32) * sizeof(char *));
	im->line[im->n++] = sb_steal(&sb);
}

static void
images_cb(void *ctx, const BinlogWalkEvent *we)
{
	Images	   *im = ctx;
	const BinlogEvent *ev = we->ev;

	if (ev->kind == BINLOG_KIND_MYSQL_GTID && ev->hdr.type != BINLOG_ANONYMOUS_GTID_EVENT)
	{
		char		u[37];

		gtid_uuid_format(ev->u.gtid.sid, u);
		sb_appendf(&im->extra, "gtid %s%s%.*s:%llu\n", u, ev->u.gtid.tag.len ? ":" : "", (int) ev->u.gtid.tag.len,
				   ev->u.gtid.tag.p, (unsigned long long) ev->u.gtid.gno);
	}
	if (ev->kind == BINLOG_KIND_MARIA_GTID)
		sb_appendf(&im->extra, "gtid %u-%u-%llu\n", ev->u.mgtid.domain, ev->u.mgtid.server_id,
				   (unsigned long long) ev->u.mgtid.seq);
	if (ev->kind == BINLOG_KIND_MARIA_GTID_LIST)
	{
		sb_append(&im->extra, "gtid_list [");
		for (uint32_t i = 0; i < ev->u.mgtid_list.count; i++)
			sb_appendf(&im->extra, "%s%u-%u-%llu", i ? "," : "", ev->u.mgtid_list.domain[i],
					   ev->u.mgtid_list.server[i], (unsigned long long) ev->u.mgtid_list.seq[i]);
		sb_append(&im->extra, "]\n");
	}
	if (ev->kind == BINLOG_KIND_PREVIOUS_GTIDS)
	{
		GtidSet		gs;

		gtid_set_init(&gs, GTID_FLAVOR_MYSQL);
		for (uint64_t i = 0; i < ev->u.prev_gtids.nsids; i++)
		{
			const BinlogGtidSid *s = &ev->u.prev_gtids.sids[i];
			char		tag[40];

			snprintf(tag, sizeof(tag), "%.*s", (int) s->tag.len, s->tag.p);
			for (uint64_t j = 0; j < s->nintervals; j++)
				for (uint64_t g = s->iv[j].start; g < s->iv[j].end && g < s->iv[j].start + 100000; g++)
					gtid_set_add_mysql(&gs, s->uuid, tag, g);
		}
		sb_append(&im->extra, "previous_gtids ");
		gtid_set_format(&gs, &im->extra);
		sb_appendc(&im->extra, '\n');
		gtid_set_free(&gs);
	}
	if (!we->rows)
		return;
	for (uint32_t r = 0; r < we->rows->nrows; r++)
	{
		if (we->rows->before)
			images_push(im, we->rows->before[r], we->rows->ncols);
		if (we->rows->after)
			images_push(im, we->rows->after[r], we->rows->ncols);
	}
}

static bool
images_load(const char *file, Images *im)
{
	char	   *path = path_join(BINLOG_DATA, file);
	size_t		len;
	uint8_t    *buf = binlog_read_file(path, &len);
	BinlogWalkResult res;
	bool		r = false;

	memset(im, 0, sizeof(*im));
	sb_init(&im->extra, 0);
	if (buf)
		r = binlog_walk(buf, len, true, NULL, images_cb, im, &res);
	if (!r)
		printf("#   %s: %s\n", file, buf ? res.message : "unreadable");
	free(buf);
	free(path);
	return r;
}

static void
images_free(Images *im)
{
	for (int i = 0; i < im->n; i++)
		free(im->line[i]);
	free(im->line);
	sb_free(&im->extra);
}

static void
is_image(Images *im, int i, const char *want, const char *what)
{
	const char *got = i < im->n ? im->line[i] : "(no such image)";

	is_str(got, want, "%s", what);
}

static void
test_authors_values(void)
{
	Images		im;

	/* MySqlCdc: the all-types row of Scripts.sql (MySQL 5.7.23; no metadata,
	 * so ENUM/SET come as their index/bitmask) */
	if (images_load("MySqlCdc/mysql-bin.000001", &im))
	{
		const char *l = im.n > 0 ? im.line[0] : "";

		ok(strstr(l, "@7='12345.7' @8='123456789.09876543' "
				  "@9='1234567890112233445566778899001112223334445556667778889.9900011112'") != NULL,
		   "MySqlCdc: FLOAT, DOUBLE and DECIMAL(65,10) in MySQL text form");
		ok(strstr(l, "@11='Hello world!' @12='\\x124VE4EE4' @13='{\"id\": 1, \"name\": \"John\"}' "
				  "@14='\\x15#T'") != NULL, "MySqlCdc: VARCHAR, VARBINARY, JSON as MySQL prints it, BLOB");
		ok(strstr(l, "@16='2' @17='4' @18='1989' @19='1985-10-23' @20='1988-11-27 14:12:13.345' "
				  "@21='15:22:33.67'") != NULL,
		   "MySqlCdc: ENUM index 2 (Medium), SET mask 4 (Red), YEAR, DATE, DATETIME(3), TIME(2)");
		ok(l[0] && strstr(l, "@15='\\x07\xb5W\x87'") != NULL, "MySqlCdc: BIT(28) b'0111101101010101011110000111'");
		is_int(im.n, 3, "MySqlCdc: three rows");
		images_free(&im);
	}

	/* json.binlog: full-image UPDATE then PARTIAL_UPDATE_ROWS with JSON diffs */
	if (images_load("rust_mysql_common/json.binlog.000001", &im))
	{
		int			diffs = 0;
		static const char *const age[] = {"26", "34", "42", "26", "34", "42"};

		is_image(&im, 0, "@1='1' @2='{\"age\": 24, \"data\": \"xxxxxxxxxx\", \"name\": \"Joe\"}' @3='Joe' @4='24'",
				 "json.binlog: first insert, JSON keys in MySQL's stored order");
		for (int i = 0; i < im.n; i++)
		{
			char		want[128];

			if (!strstr(im.line[i], "JSON_REPLACE"))
				continue;
			snprintf(want, sizeof(want), "@2='JSON_REPLACE(@2, \\'$.age\\', %s)'", age[diffs % 6]);
			if (strstr(im.line[i], want))
				diffs++;
		}
		is_int(diffs, 6, "json.binlog: PARTIAL_UPDATE_ROWS after images hold REPLACE $.age diffs 26,34,42,...");
		images_free(&im);
	}

	if (images_load("rust_mysql_common/json-opaque.binlog", &im))
	{
		static const char *const want[] = {
			"@1='{\"a\": \"base64:type15:VQ==\"}'", "@1='{\"b\": \"2012-03-18\"}'",
			"@1='{\"c\": \"2012-03-18 11:30:45.000000\"}'", "@1='{\"c\": \"87:31:46.654321\"}'",
			"@1='{\"d\": 123.456}'", "@1='{\"e\": 9.00}'", "@1='{\"e\": [0, 1, true, false]}'",
			"@1='{\"e\": null}'",
		};

		for (int i = 0; i < 8; i++)
			is_image(&im, i, want[i], "json-opaque: opaque JSON scalar as MySQL prints it");
		images_free(&im);
	}

	if (images_load("rust_mysql_common/vector.binlog", &im))
	{
		ok(im.n >= 2 && strstr(im.line[0], "@1='1' @2='\xcd\xcc\x8c?\xcd\xcc\\x0c@33S@'"),
		   "vector.binlog: VECTOR(3) bytes of [1.1, 2.2, 3.3]");
		ok(im.n >= 2 && strstr(im.line[1], "@1='2' @2='\\x00\\x00\x80?\\x00\\x00\x80\xbf\\x00\\x00\\x00\\x00'"),
		   "vector.binlog: VECTOR(3) bytes of [1, -1, 0]");
		images_free(&im);
	}

	if (images_load("rust_mysql_common/time_issue.000001", &im))
	{
		is_image(&im, 0, "@1='-507:48:27'", "time_issue: negative TIME(0)");
		images_free(&im);
	}
	if (images_load("rust_mysql_common/minimal_row_metadata.000001", &im))
	{
		is_image(&im, 0, "@1='1' @3='a' @5='3230202323'",
				 "minimal_row_metadata: minimal image, columns 2 and 4 absent, INT UNSIGNED");
		images_free(&im);
	}
	if (images_load("rust_mysql_common/mysql_type_bit.000001", &im))
	{
		is_image(&im, 0, "@1='\\x04' @2='foo' @3=' '", "mysql_type_bit: BIT(3) b'100', TEXT, BIT(8) b'00100000'");
		images_free(&im);
	}
	if (images_load("rust_mysql_common/binlog_transaction_with_GTID_TAG.000001", &im))
	{
		ok(strstr(im.extra.data, "gtid 55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3\n") != NULL,
		   "GTID_TAGGED: 55778904-...:mytag:3");
		ok(strstr(im.extra.data, "previous_gtids 55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2\n") != NULL,
		   "PREVIOUS_GTIDS (tagged format): ...:1-13:mytag:1-2");
		images_free(&im);
	}
	if (images_load("rust_mysql_common/binlog_transaction_previous_GTID_no_tag.000001", &im))
	{
		ok(strstr(im.extra.data, "previous_gtids b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2\n") != NULL,
		   "PREVIOUS_GTIDS (untagged): b9b88c66-...:1-2");
		images_free(&im);
	}
	if (images_load("mariadb-10.11-local/mariadb-bin.000004", &im))
	{
		ok(strstr(im.extra.data, "gtid_list [0-11-13]\ngtid 7-22-1\ngtid 0-11-14\n") != NULL,
		   "MariaDB checksum NONE: GTID_LIST [0-11-13], GTIDs 7-22-1 (server 22) and 0-11-14");
		images_free(&im);
	}
	if (images_load("mariadb-10.11-local/mariadb-bin.000002", &im))
	{
		ok(strstr(im.extra.data, "gtid_list [0-11-8]\n") != NULL, "MariaDB compressed file: GTID_LIST [0-11-8]");
		ok(im.n == 6 && strncmp(im.line[4], "@1='1' @2='zzzz", 15) == 0 && strstr(im.line[4], "@3='changed'"),
		   "MariaDB compressed rows: 6 images (2 + 1 inserts, update before/after, delete)");
		images_free(&im);
	}
	if (images_load("rust_mysql_common/transaction_compression.000001", &im))
	{
		is_int(im.n, 1, "MySQL 8.0.32 TRANSACTION_PAYLOAD: one row inside");
		images_free(&im);
	}
	if (images_load("mysql-binlog-connector-rust/mysql-bin.000057", &im))
	{
		ok(im.n == 4 && strstr(im.line[3], "'{\"c\": 1}'") != NULL,
		   "MySQL 8.0.31 payloads: the inserted row's JSON column is {\"c\": 1}");
		ok(strstr(im.extra.data, "gtid ") != NULL, "MySQL 8.0.31: GTID events with a UUID");
		images_free(&im);
	}
	if (images_load("rust_mysql_common/mysql-enum-string-set.000001", &im))
	{
		/* the INSERT's ENUM index 1 / SET mask 5 (the -vv text) as labels from FULL metadata */
		ok(im.n == 4 && strstr(im.line[0], "@3='var1' @4='one,three' @5='0123456789'") != NULL &&
		   strstr(im.line[2], "@1='field1' @2='field_2' @3='variant2' @4='two,four'") != NULL,
		   "mysql-enum-string-set: ENUM and SET as labels from the TABLE_MAP's string values");
		images_free(&im);
	}
}

/* ------------------------------------------------------------------ 4. vectors */

static void
test_decimal_vectors(void)
{
	Lines		l;
	char	   *line;
	int			n = 0,
				bad = 0;

	if (!ok(lines_open(&l, BINLOG_DATA "/go-mysql/decimal_vectors.tsv"), "decimal vectors readable"))
		return;
	while ((line = lines_next(&l)) != NULL)
	{
		char	   *f[8];
		size_t		blen,
					tl,
					used;
		char		out[96];

		if (split_tabs(line, f, 8) < 5)
			continue;
		uint8_t    *b = unhex(f[0], &blen);
		bool		r = rowimage_decimal_text(b, b + blen, atoi(f[1]), atoi(f[2]), out, &tl, &used);

		n++;
		if (!r || strcmp(out, f[3]) != 0 || used != (size_t) atoi(f[4]))
		{
			bad++;
			printf("#   DECIMAL(%s,%s) %s: got %s (%zu bytes), want %s (%s)\n", f[1], f[2], f[0], r ? out : "error",
				   used, f[3], f[4]);
		}
		free(b);
	}
	free(l.buf);
	ok(n == 199 && bad == 0, "DECIMAL: %d binary images decode to MySQL's text (%d wrong)", n, bad);
	total_vectors += n;
}

/* DATETIME2 / TIME2 vectors through a one-column table map. */
static void
test_temporal_vectors(const char *file, int type)
{
	Lines		l;
	char	   *line;
	int			n = 0,
				bad = 0;
	char	   *path = path_join(BINLOG_DATA, file);

	if (!ok(lines_open(&l, path), "%s readable", file))
	{
		free(path);
		return;
	}
	while ((line = lines_next(&l)) != NULL)
	{
		char	   *f[4];
		size_t		blen;
		uint8_t		types[1] = {(uint8_t) type};
		uint16_t	meta[1];
		uint8_t		nullable[1] = {1};
		uint8_t		bm[1] = {1};
		BinlogTableMap tm = {0};
		BinlogRows	rows = {0};
		RowSet		rs;
		RowError	err;
		Arena		a;

		if (split_tabs(line, f, 4) < 3)
			continue;
		uint8_t    *val = unhex(f[0], &blen);
		uint8_t    *img = malloc(blen + 1);

		img[0] = 0;				/* null bitmap: not null */
		memcpy(img + 1, val, blen);
		meta[0] = (uint16_t) atoi(f[1]);
		tm.ncols = 1;
		tm.types = types;
		tm.meta = meta;
		tm.nullable = nullable;
		rows.kind = BINLOG_ROWS_WRITE;
		rows.ncols = 1;
		rows.cols_before = bm;
		rows.rows = img;
		rows.rows_len = blen + 1;
		arena_init(&a, 4096);
		n++;
		if (!rowimage_decode(&tm, &rows, NULL, &a, &rs, &err) || rs.nrows != 1 || !val_is(&rs.after[0][0], f[2]))
		{
			bad++;
			printf("#   %s fsp %s: want %s\n", f[0], f[1], f[2]);
		}
		arena_free(&a);
		free(img);
		free(val);
	}
	free(l.buf);
	free(path);
	ok(n > 10 && bad == 0, "%s: %d images decode to MySQL's text (%d wrong)", file, n, bad);
	total_vectors += n;
}

static void
test_json_vectors(const char *file, int want_col)
{
	Lines		l;
	char	   *line;
	int			n = 0,
				bad = 0;
	char	   *path = path_join(BINLOG_DATA, file);

	if (!ok(lines_open(&l, path), "%s readable", file))
	{
		free(path);
		return;
	}
	while ((line = lines_next(&l)) != NULL)
	{
		char	   *f[6];
		size_t		blen;
		StrBuf		sb;
		const char *what;

		if (split_tabs(line, f, 6) <= want_col)
			continue;
		uint8_t    *b = unhex(f[1], &blen);

		sb_init(&sb, 0);
		n++;
		if (!binlog_json_to_text(b, blen, &sb, &what) || strcmp(sb.data ? sb.data : "", f[want_col]) != 0)
		{
			bad++;
			printf("#   %s: got %.200s, want %.200s\n", f[0], sb.data ? sb.data : what, f[want_col]);
		}
		sb_free(&sb);
		free(b);
	}
	free(l.buf);
	free(path);
	ok(n >= 40 && bad == 0, "%s: %d binary JSON values print as MySQL prints them (%d wrong)", file, n, bad);
	total_vectors += n;
}

/* Build a whole event around a header-less body: header + body, no checksum. */
static uint8_t *
make_event(int type, const uint8_t *body, size_t blen, size_t *len)
{
	uint8_t    *e = malloc(BINLOG_HEADER_LEN + blen);
	uint32_t	size = (uint32_t) (BINLOG_HEADER_LEN + blen);

	memset(e, 0, BINLOG_HEADER_LEN);
	e[4] = (uint8_t) type;
	e[5] = 1;					/* server_id 1 */
	memcpy(e + 9, &size, 4);
	memcpy(e + BINLOG_HEADER_LEN, body, blen);
	*len = size;
	return e;
}

static bool
decode_body(int type, const char *hex, bool mariadb, Arena *a, BinlogEvent *ev, uint8_t **keep,
			BinlogError *err)
{
	size_t		blen,
				elen;
	uint8_t    *body = unhex(hex, &blen);
	BinlogFormat fmt;

	binlog_format_init(&fmt, mariadb, BINLOG_CHECKSUM_NONE);
	*keep = make_event(type, body, blen, &elen);
	free(body);
	return binlog_event_decode(&fmt, *keep, elen, 0, NULL, a, ev, err);
}

static void
test_gtid_bodies(void)
{
	Lines		l;
	char	   *line;
	int			n = 0;

	if (!ok(lines_open(&l, BINLOG_DATA "/go-mysql/gtid_event_bodies.tsv"), "gtid bodies readable"))
		return;
	while ((line = lines_next(&l)) != NULL)
	{
		char	   *f[4];
		BinlogEvent ev;
		BinlogError err;
		Arena		a;
		uint8_t    *keep;
		StrBuf		sb;
		char		u[37];
		int			type;

		if (split_tabs(line, f, 4) < 4)
			continue;
		type = strcmp(f[0], "GTID") == 0 ? 33 : strcmp(f[0], "PREVIOUS_GTIDS") == 0 ? 35 :
			strcmp(f[0], "MARIA_GTID_LIST") == 0 ? 163 : strcmp(f[0], "MARIA_GTID") == 0 ? 162 : 5;
		arena_init(&a, 4096);
		sb_init(&sb, 0);
		n++;
		bool		r = decode_body(type, f[2], type >= 160, &a, &ev, &keep, &err);

		if (!r)
			ok(false, "%s body decodes: %s", f[0], err.what);
		else if (type == 33)
		{
			gtid_uuid_format(ev.u.gtid.sid, u);
			sb_appendf(&sb, "gtid=%s:%llu last_committed=%llu sequence_number=%llu", u,
					   (unsigned long long) ev.u.gtid.gno, (unsigned long long) ev.u.gtid.last_committed,
					   (unsigned long long) ev.u.gtid.sequence_number);
			ok(strncmp(f[3], sb.data, sb.len) == 0, "GTID body: %s", sb.data);
			if (strstr(f[3], "immediate_commit_ts="))
			{
				char		want[200];

				snprintf(want, sizeof(want), "%llu", (unsigned long long) ev.u.gtid.immediate_commit_ts);
				ok(strstr(f[3], want) != NULL, "GTID body: immediate_commit_timestamp %s", want);
				snprintf(want, sizeof(want), "transaction_length=%llu",
						 (unsigned long long) ev.u.gtid.transaction_length);
				ok(strstr(f[3], want) != NULL, "GTID body: %s", want);
				snprintf(want, sizeof(want), "%u", ev.u.gtid.immediate_server_version);
				ok(strstr(f[3], want) != NULL, "GTID body: immediate_server_version %s", want);
			}
		}
		else if (type == 35)
		{
			GtidSet		gs;

			gtid_set_init(&gs, GTID_FLAVOR_MYSQL);
			for (uint64_t i = 0; i < ev.u.prev_gtids.nsids; i++)
			{
				const BinlogGtidSid *s = &ev.u.prev_gtids.sids[i];
				char		tag[40];

				snprintf(tag, sizeof(tag), "%.*s", (int) s->tag.len, s->tag.p);
				for (uint64_t j = 0; j < s->nintervals; j++)
					for (uint64_t g = s->iv[j].start; g < s->iv[j].end; g++)
						gtid_set_add_mysql(&gs, s->uuid, tag, g);
			}
			gtid_set_format(&gs, &sb);
			gtid_set_free(&gs);
			is_str(sb.len ? sb.data : "(empty set)", f[3], "PREVIOUS_GTIDS (tagged) body");
		}
		else if (type == 163)
		{
			sb_appendf(&sb, "%u GTID", ev.u.mgtid_list.count);
			for (uint32_t i = 0; i < ev.u.mgtid_list.count; i++)
				sb_appendf(&sb, " %u-%u-%llu", ev.u.mgtid_list.domain[i], ev.u.mgtid_list.server[i],
						   (unsigned long long) ev.u.mgtid_list.seq[i]);
			ok(ev.u.mgtid_list.count == (uint32_t) atoi(f[3]) &&
			   (ev.u.mgtid_list.count != 3 || strstr(sb.data, "1-2-3 4-5-6 7-8-9")) &&
			   (ev.u.mgtid_list.count != 1 || strstr(sb.data, "1-2-3")), "MariaDB GTID_LIST body: %s", sb.data);
		}
		else if (type == 162)
			ok(ev.u.mgtid.seq == 0x0807060504030201ULL && ev.u.mgtid.domain == 0x043b012a &&
			   ev.u.mgtid.flags == 0xff && ev.u.mgtid.commit_id == 0x1716151413121110ULL,
			   "MariaDB GTID body: seq, domain, flags, commit_id");
		else
			ok(ev.kind == BINLOG_KIND_SKIPPED, "INTVAR body is recognised and skipped");
		free(keep);
		sb_free(&sb);
		arena_free(&a);
	}
	free(l.buf);
	total_vectors += n;
}

/* TABLE_MAP / ROWS bodies grouped by name; rows decoded with the group's map. */
static void
test_event_bodies(void)
{
	Lines		l;
	char	   *line;
	Arena		keep;
	BinlogTableMap *tm = NULL;
	int			n = 0;
	char		group[64] = "";
	int			rows_in_group = 0;

	if (!ok(lines_open(&l, BINLOG_DATA "/go-mysql/event_bodies.tsv"), "event bodies readable"))
		return;
	arena_init(&keep, 65536);
	while ((line = lines_next(&l)) != NULL)
	{
		char	   *f[6];
		BinlogEvent ev;
		BinlogError err;
		Arena		a;
		uint8_t    *ebuf;
		bool		my8,
					mdb,
					r;

		if (split_tabs(line, f, 6) < 5)
			continue;
		mdb = strncmp(f[2], "mariadb", 7) == 0;
		my8 = strcmp(f[2], "mysql-8.0") == 0 || strcmp(f[2], "mariadb-10.5") == 0;
		if (strcmp(group, f[0]) != 0)
		{
			snprintf(group, sizeof(group), "%s", f[0]);
			rows_in_group = 0;
		}
		arena_init(&a, 65536);
		n++;
		if (strcmp(f[1], "TABLE_MAP") == 0)
		{
			r = decode_body(19, f[3], mdb, &a, &ev, &ebuf, &err);
			if (!ok(r, "%s %s TABLE_MAP decodes%s%s", f[0], f[2], r ? "" : ": ", r ? "" : err.what))
			{
				free(ebuf);
				arena_free(&a);
				continue;
			}
			BinlogTableMap *t = &ev.u.table_map;

			tm = binlog_table_map_copy(t, &keep);
			if (strcmp(f[0], "nullable") == 0)
				ok(t->ncols == 4 && t->types[0] == 3 && t->types[2] == 17 && t->types[3] == 252 && t->nullable[0] &&
				   !t->nullable[1] && !t->nullable[2] && t->nullable[3] &&
				   (!my8 || (t->names && t->names[3].len == 2 && memcmp(t->names[3].p, "c4", 2) == 0)) &&
				   (my8 || !t->names), "%s %s: types, null bitmap, names", f[0], f[2]);
			else if (strcmp(f[0], "optmeta_names") == 0)
			{
				int			e = 38,
							s = 39;

				ok(t->ncols == 42 && (my8 ? t->names && t->names[41].len == 6 && memcmp(t->names[41].p, "j_json", 6) == 0 &&
									  t->enum_values && t->enum_values[e].n == 2 && t->enum_values[e].s[1].p[0] == 'b' &&
									  t->set_values && t->set_values[s].n == 2 && t->set_values[s].s[1].p[0] == '2' &&
									  t->is_unsigned && !t->is_unsigned[2] && t->is_unsigned[10] && t->is_unsigned[17] &&
									  (!mdb || t->is_unsigned[18])
									  : !t->names && !t->enum_values && !t->set_values),
				   "%s %s: 42 columns, names, ENUM [a,b], SET [1,2], signedness", f[0], f[2]);
			}
			else if (strcmp(f[0], "optmeta_pk_case1") == 0)
				ok(my8 ? t->npk == 2 && t->pk[0] == 2 && t->pk[1] == 0 && t->pk_prefix[0] == 0 : t->npk == 0,
				   "%s %s: SIMPLE_PRIMARY_KEY [2,0]", f[0], f[2]);
			else if (strcmp(f[0], "optmeta_pk_case2") == 0)
				ok(my8 ? t->npk == 2 && t->pk[0] == 1 && t->pk[1] == 3 && t->pk_prefix[1] == 10 : t->npk == 0,
				   "%s %s: PRIMARY_KEY_WITH_PREFIX [1,3] prefixes [0,10]", f[0], f[2]);
			else if (strcmp(f[0], "optmeta_visibility_case1") == 0)
			{
				static const uint8_t vis[11] = {0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0};

				ok(t->visible && memcmp(t->visible, vis, 11) == 0, "%s %s: COLUMN_VISIBILITY 1,3,4,8", f[0], f[2]);
			}
			else if (strcmp(f[0], "optmeta_visibility_case2") == 0)
			{
				bool		all = t->visible != NULL;

				for (uint32_t i = 0; all && i < t->ncols; i++)
					all = t->visible[i];
				ok(strcmp(f[2], "mysql-8.0") == 0 ? all : !t->visible, "%s %s: visibility", f[0], f[2]);
			}
			else if (strcmp(f[0], "optmeta_helpermaps") == 0)
				ok(t->ncols == 51 && (strcmp(f[2], "mysql-8.0") != 0 || (t->geometry_type && t->charset)),
				   "%s %s: 51 columns, geometry types and charsets", f[0], f[2]);
			else
				ok(t->ncols >= 1, "%s %s: TABLE_MAP", f[0], f[2]);
		}
		else
		{
			int			type = strncmp(f[1], "WRITE", 5) == 0 ? 30 : strncmp(f[1], "UPDATE", 6) == 0 ? 31 : 32;
			RowSet		rs;
			RowError	rerr;
			StrBuf		sb;

			r = decode_body(type, f[3], mdb, &a, &ev, &ebuf, &err);
			sb_init(&sb, 0);
			if (r && tm && rowimage_decode(tm, &ev.u.rows, NULL, &a, &rs, &rerr))
			{
				for (uint32_t i = 0; i < rs.nrows; i++)
				{
					if (rs.before)
					{
						sb_append(&sb, "[");
						for (uint32_t c = 0; c < rs.ncols; c++)
						{
							if (c)
								sb_append(&sb, ",");
							binlog_walk_append_value(&sb, &rs.before[i][c]);
						}
						sb_append(&sb, "]->");
					}
					if (rs.after)
					{
						sb_append(&sb, "[");
						for (uint32_t c = 0; c < rs.ncols; c++)
						{
							if (c)
								sb_append(&sb, ",");
							binlog_walk_append_value(&sb, &rs.after[i][c]);
						}
						sb_append(&sb, "]");
					}
					sb_append(&sb, ";");
				}
			}
			else if (r && tm)
				sb_appendf(&sb, "row error: %s", rerr.what);
			else
				sb_appendf(&sb, "event error: %s", r ? "no table map" : err.what);

			const char *got = sb.data ? sb.data : "";
			const char *want = NULL;

			rows_in_group++;
			if (strcmp(f[0], "rows_extra_ndb") == 0)
				want = "['1','1'];['2','2'];['4','4'];['3','3'];['5','5'];";
			else if (strcmp(f[0], "rows_extra_partition") == 0 || strcmp(f[0], "rows_no_extra") == 0)
				want = type == 30 ? "['3'];" : "['3']->['1'];";
			else if (strcmp(f[0], "json_compat") == 0)
			{
				static const char *const jc[] = {
					"['1','{}','{}',NULL];",
					"['1','{}','{}',NULL]->['1','{\"a\":1234}','{\"a\": 1234}',NULL];",
					"['1','{\"a\":1234}','{\"a\": 1234}',NULL]->['1','{}','{}',NULL];",
					NULL,		/* pre-5.7.22 malformed before image: an error */
					"['1','{\"a\":1234}','{}',NULL]->['1','{}','{}',NULL];",
				};

				want = rows_in_group <= 5 ? jc[rows_in_group - 1] : NULL;
				if (!want)
				{
					ok(strncmp(got, "row error: ", 11) == 0, "json_compat pre-5.7.22 malformed JSON image fails cleanly (%s)", got);
					goto next;
				}
			}
			else if (strcmp(f[0], "json_t10") == 0)
			{
				if (rows_in_group == 1)
					want = "[NULL,'1'];";
				else if (rows_in_group == 2)
					want = "['{\"key1\": \"value1\", \"key2\": \"value2\"}','1'];";
				else
				{
					ok(strncmp(got, "['{\"text\": \"Lorem ipsum", 23) == 0 && strstr(got, "','101'];") != NULL,
					   "json_t10 large object (2-byte offsets) and DECIMAL 101");
					goto next;
				}
			}
			else if (strcmp(f[0], "enum") == 0)
				want = "['1','1'];";
			else if (strcmp(f[0], "enum2byte") == 0)
				want = "['1','1'];['2','257'];";
			else if (strcmp(f[0], "set") == 0)
				want = "['1','5'];";
			else if (strcmp(f[0], "json_null") == 0)
			{
				ok(strstr(got, "','null','0','") != NULL, "json_null: a zero-length JSON image reads as null (%s)", got);
				goto next;
			}
			else if (strcmp(f[0], "last_null") == 0)
				/* the TSV's prose lists the two INSERTs in the other order than their bytes
				 * (fe01 ff fe02 is 1, NULL, 2) */
				want = rows_in_group == 1 ? "['1'];[NULL];['2'];" : "['1'];['2'];[NULL];";
			if (want)
				is_str(got, want, "%s %s %s: rows", f[0], f[2], f[1]);
			else
				ok(r, "%s %s %s decodes (%s)", f[0], f[2], f[1], got);
next:
			sb_free(&sb);
		}
		free(ebuf);
		arena_free(&a);
	}
	arena_free(&keep);
	free(l.buf);
	total_vectors += n;
	printf("# event bodies: %d\n", n);
}

/* A TRANSACTION_PAYLOAD event around a recorded zstd frame. */
static void
test_payload_vectors(void)
{
	size_t		zlen,
				flen;
	uint8_t    *z = binlog_read_file(BINLOG_DATA "/go-mysql/transaction_payload_8.0.27.zst", &zlen);
	uint8_t    *fde_ph = unhex("380d0008001200040404041200005c00041a08000000080808020000000a0a0a1919001234000a2800", &flen);
	BinlogFormat fmt;
	StrBuf		body;
	Images		im;
	BinlogWalkResult res;

	if (!ok(z != NULL, "go-mysql payload frame readable"))
		return;
	binlog_format_init(&fmt, false, BINLOG_CHECKSUM_CRC32);
	memset(fmt.post_header_len, 0, sizeof(fmt.post_header_len));
	for (size_t i = 0; i < flen; i++)
		fmt.post_header_len[i + 1] = fde_ph[i];
	/* TLV: compression 0, uncompressed 2442, payload size, end */
	sb_init(&body, 0);
	sb_appendn(&body, "\x02\x01\x00", 3);
	sb_appendn(&body, "\x03\x03\xfc\x8a\x09", 5);
	sb_appendn(&body, "\x01\x03\xfc", 3);
	sb_appendc(&body, (char) (zlen & 0xff));
	sb_appendc(&body, (char) (zlen >> 8));
	sb_appendc(&body, '\0');
	sb_appendn(&body, (const char *) z, zlen);

	size_t		elen;
	uint8_t    *ev = make_event(40, (uint8_t *) body.data, body.len, &elen);
	uint8_t    *withcrc = malloc(elen + 4);
	uint32_t	size = (uint32_t) elen + 4,
				crc;

	memcpy(withcrc, ev, elen);
	memcpy(withcrc + 9, &size, 4);
	crc = binlog_crc32(withcrc, elen);
	memcpy(withcrc + elen, &crc, 4);
	memset(&im, 0, sizeof(im));
	sb_init(&im.extra, 0);
	bool		r = binlog_walk(withcrc, elen + 4, false, &fmt, images_cb, &im, &res);

	ok(r && res.events == 9 && res.row_events == 3, "go-mysql 8.0.27 payload: 8 inner events (%d events, %s)",
	   res.events, r ? "ok" : res.message);
	ok(im.n == 6 && strncmp(im.line[0], "@1='2' @2='9b32e8e9", 19) == 0 &&
	   strcmp(im.line[2], "@1='1' @2='updated' @3='2025-03-28 09:53:58'") == 0 &&
	   strcmp(im.line[4], "@1='2' @2='updated' @3='2025-03-28 09:54:29'") == 0 && strncmp(im.line[5], "@1='1'", 6) == 0,
	   "go-mysql payload: WRITE 1 row, UPDATE 2 rows (before/after, TIMESTAMP2), DELETE 1 row");
	images_free(&im);
	free(withcrc);
	free(ev);
	sb_free(&body);
	free(fde_ph);
	free(z);
	total_vectors++;

	/* vitess events.tsv: payload (trailer stripped), FDE, GTID, QUERY of 5.6.24 */
	Lines		l;
	char	   *line;

	if (!ok(lines_open(&l, BINLOG_DATA "/vitess/events.tsv"), "vitess events readable"))
		return;
	binlog_format_init(&fmt, false, BINLOG_CHECKSUM_CRC32);
	while ((line = lines_next(&l)) != NULL)
	{
		char	   *f[4];
		size_t		blen;
		BinlogEvent e;
		BinlogError err;
		Arena		a;

		if (split_tabs(line, f, 4) < 3)
			continue;
		uint8_t    *b = unhex(f[2], &blen);

		arena_init(&a, 65536);
		if (strcmp(f[0], "transaction_payload_small") == 0)
		{
			uint32_t	sz = (uint32_t) blen;

			memcpy(b + 9, &sz, 4);	/* the test dropped the CRC trailer */
			memset(&im, 0, sizeof(im));
			sb_init(&im.extra, 0);
			r = binlog_walk(b, blen, false, &fmt, images_cb, &im, &res);
			BinlogFormat nf = fmt;

			(void) nf;
			ok(!r && res.err.code == BINLOG_ERR_CHECKSUM, "vitess payload without its trailer fails the CRC check");
			/* decode with the trailer check off */
			r = binlog_event_decode(&fmt, b, blen, BINLOG_DECODE_NO_CHECKSUM, NULL, &a, &e, &err);
			ok(r && e.kind == BINLOG_KIND_PAYLOAD && e.u.payload.data_len == 254 && e.u.payload.payload_size == 184,
			   "vitess payload: zstd, 184 -> 254 bytes");
			if (r)
			{
				images_free(&im);
				memset(&im, 0, sizeof(im));
				sb_init(&im.extra, 0);
				BinlogFormat inner = fmt;

				inner.checksum = BINLOG_CHECKSUM_NONE;	/* inner events have no trailer */
				r = binlog_walk(e.u.payload.data, e.u.payload.data_len, false, &inner, images_cb, &im, &res);
				ok(r && im.n == 2 && strcmp(im.line[0], "@1='1' @2='mlord@planetscale.com'") == 0 &&
				   strcmp(im.line[1], "@1='2' @2='sup@planetscale.com'") == 0,
				   "vitess payload: rows [1, mlord@...] and [2, sup@...]");
			}
			images_free(&im);
		}
		else if (strcmp(f[0], "format_description_5.6.24") == 0)
		{
			r = binlog_event_decode(&fmt, b, blen, 0, NULL, &a, &e, &err);
			ok(r && e.kind == BINLOG_KIND_FDE && e.u.fde.in_use && e.u.fde.format.checksum == BINLOG_CHECKSUM_CRC32 &&
			   strcmp(e.u.fde.format.server_version, "5.6.24-log") == 0,
			   "vitess FDE 5.6.24: in-use flag, CRC32 verified with the flag cleared");
			b[5] ^= 1;
			ok(!binlog_event_decode(&fmt, b, blen, 0, NULL, &a, &e, &err) && err.code == BINLOG_ERR_CHECKSUM,
			   "vitess FDE with one bit flipped fails its CRC32");
		}
		else if (strcmp(f[0], "gtid_5.6.24") == 0)
		{
			char		u[37];

			r = binlog_event_decode(&fmt, b, blen, 0, NULL, &a, &e, &err);
			if (r)
				gtid_uuid_format(e.u.gtid.sid, u);
			ok(r && e.u.gtid.gno == 4 && strcmp(u, "439192bd-f37c-11e4-bbeb-0242ac11035a") == 0,
			   "vitess GTID 5.6.24: 439192bd-...:4");
		}
		else if (strcmp(f[0], "query_5.6.24") == 0)
		{
			r = binlog_event_decode(&fmt, b, blen, 0, NULL, &a, &e, &err);
			ok(r && e.u.query.db.len == 4 && memcmp(e.u.query.db.p, "test", 4) == 0 &&
			   e.u.query.sql.len == strlen("insert into test_table (msg) values ('hello')") &&
			   memcmp(e.u.query.sql.p, "insert into test_table (msg) values ('hello')", e.u.query.sql.len) == 0,
			   "vitess QUERY 5.6.24: db and SQL");
		}
		total_vectors++;
		arena_free(&a);
		free(b);
	}
	free(l.buf);
}

/* ------------------------------------------------------------------ 5. corruption */

static void
test_corruption(void)
{
	static const char *const files[] = {
		"mariadb-10.11-local/mariadb-bin.000001", "mariadb-10.11-local/mariadb-bin.000002",
		"mariadb-10.11-local/mariadb-bin.000004", "rust_mysql_common/json.binlog.000001",
		"rust_mysql_common/transaction_compression.000001", "rust_mysql_common/vector.binlog",
		"rust_mysql_common/binlog_transaction_with_GTID_TAG.000001", "MySqlCdc/mysql-bin.000001",
		"mysql-binlog-connector-java/mysql-bin.compressed", "mysql-binlog-connector-java/mysql-bin.checksum-none",
		"zalora-binlog-parser/mysql-bin.07",
	};
	int			truncs = 0,
				trunc_bad = 0,
				flips = 0,
				flip_caught = 0,
				flip_crc = 0;
	unsigned	seed = 12345;

	for (size_t fi = 0; fi < sizeof(files) / sizeof(files[0]); fi++)
	{
		char	   *path = path_join(BINLOG_DATA, files[fi]);
		size_t		len;
		uint8_t    *buf = binlog_read_file(path, &len);
		BinlogWalkResult res;

		free(path);
		if (!buf)
			continue;
		/* every cut point: a truncated file fails (or ends exactly at an event boundary) */
		for (size_t cut = 4; cut < len; cut += (len > 4000 ? 7 : 1))
		{
			uint8_t    *t = malloc(cut);

			memcpy(t, buf, cut);
			bool		r = binlog_walk(t, cut, true, NULL, NULL, NULL, &res);

			truncs++;
			if (!r && res.err.code != BINLOG_ERR_TRUNCATED)
				trunc_bad++;
			free(t);
		}
		/* bit flips: never crash; with CRC32 most are caught as checksum errors */
		for (int k = 0; k < 300; k++)
		{
			uint8_t    *t = malloc(len);
			size_t		pos;

			memcpy(t, buf, len);
			seed = seed * 1103515245 + 12345;
			pos = 4 + (seed >> 8) % (len - 4);
			t[pos] ^= (uint8_t) (1u << ((seed >> 4) & 7));
			bool		r = binlog_walk(t, len, true, NULL, NULL, NULL, &res);

			flips++;
			if (!r)
				flip_caught++;
			if (!r && res.err.code == BINLOG_ERR_CHECKSUM)
				flip_crc++;
			free(t);
		}
		free(buf);
	}
	ok(truncs > 1000 && trunc_bad == 0, "%d truncations fail cleanly as 'truncated' (%d otherwise)", truncs, trunc_bad);
	ok(flips > 0, "%d bit flips decoded without a crash: %d rejected (%d by CRC32)", flips, flip_caught, flip_crc);
	total_corruptions += truncs + flips;
}

int
main(void)
{
	test_inventory();
	test_vv();
	test_authors_values();
	test_decimal_vectors();
	test_temporal_vectors("go-mysql/datetime2_vectors.tsv", MYT_DATETIME2);
	test_temporal_vectors("go-mysql/time2_vectors.tsv", MYT_TIME2);
	test_json_vectors("vitess/json_binary_vectors.tsv", 2);
	test_json_vectors("MySqlCdc/json_binary_vectors.tsv", 2);
	test_gtid_bodies();
	test_event_bodies();
	test_payload_vectors();
	test_corruption();
	printf("# totals: %ld events, %ld rows, %ld values decoded from files; %ld values compared with printed "
		   "decodings; %ld vectors; %ld corrupted inputs\n", total_events, total_rows, total_values,
		   total_vv_values, total_vectors, total_corruptions);
	return done_testing();
}
