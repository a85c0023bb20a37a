/*
 * tests/tools/mystream_dump.c
 *	  Drive the MySQL/MariaDB binlog stream (source_ops_mysql.stream_*) and
 *	  print every batch as stable text; or print a table's rows read with
 *	  SELECT through the same value converter (the bulk copy's path), so a
 *	  test can check both paths give identical target values.  Test tool, not
 *	  shipped.
 *
 *   mystream_dump --source URL --table db.t [--table db.t2 ...] [options]
 *     --position POS        start after this GTID position (default: now)
 *     --txn-id ID --txn-applied N   checkpoint inside a transaction
 *     --max-batch N         changes per chunk (default 10000)
 *     --timeout-ms N        stream_next timeout (default 1000)
 *     --idle-exit N         exit 0 after N idle results in a row
 *     --until POS           exit 0 once a transaction reaches POS
 *     --reconnect N         on STREAM_ERROR reopen from the last checkpoint, N times
 *     --batch-delay-ms N    sleep after each batch (a slow applier)
 *     --server-id N
 *     --select              print SELECT * of each table instead (ORDER BY key)
 *
 * Output (stdout):
 *   BATCH txn=<id> pos=<position> first=<index> n=<changes> last=<0|1>
 *   INSERT db.t new=(c='v', d=NULL, e=-)       - = absent (minimal image)
 *   UPDATE db.t old=(...) new=(...)            old only when the key changed
 *   DELETE db.t old=(...)
 *   TRUNCATE db.t
 *   IDLE | ERROR | FATAL | END | RECONNECT <position> <txn-id> <applied>
 *   ROW db.t (c='v', ...)                       (--select)
 * Exit: 0 done, 3 stream error (not reconnected), 4 fatal stream error (DDL,
 *       data the target cannot hold), 2 usage / setup error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/change.h"
#include "common/gtid.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "common/url.h"
#include "dialect/mysql/my_conn.h"
#include "dialect/mysql/myconv.h"
#include "dialect/source.h"
#include "my_catalog_fill.h"

static void
put_value(StrBuf *sb, const char *p, size_t n)
{
	sb_appendc(sb, '\'');
	for (size_t i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) p[i];

		if (c == '\\' || c == '\'')
			sb_appendf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sb_appendf(sb, "\\x%02x", c);
		else
			sb_appendc(sb, (char) c);
	}
	sb_appendc(sb, '\'');
}

static void
put_row(StrBuf *sb, const Table *t, const Datum *d)
{
	sb_appendc(sb, '(');
	for (int c = 0; c < t->ncolumns; c++)
	{
		if (c)
			sb_append(sb, ", ");
		sb_appendf(sb, "%s=", t->columns[c].name);
		if (d[c].kind == DATUM_NULL)
			sb_append(sb, "NULL");
		else if (d[c].kind == DATUM_ABSENT || d[c].kind == DATUM_UNCHANGED)
			sb_append(sb, "-");
		else
			put_value(sb, d[c].val, d[c].len);
	}
	sb_appendc(sb, ')');
}

static void
print_batch(const ChangeBatch *b)
{
	StrBuf		sb;

	sb_init(&sb, 0);
	sb_appendf(&sb, "BATCH txn=%s pos=%s first=%lld n=%d last=%d\n", b->txn.txn_id, b->txn.position,
			   (long long) b->first_index, b->nchanges, b->is_last ? 1 : 0);
	for (int i = 0; i < b->nchanges; i++)
	{
		const Change *c = &b->changes[i];
		const Table *t = c->table;

		switch (c->op)
		{
			case CHANGE_INSERT:
				sb_appendf(&sb, "INSERT %s.%s new=", t->schema, t->name);
				put_row(&sb, t, c->new_row);
				break;
			case CHANGE_UPDATE:
				sb_appendf(&sb, "UPDATE %s.%s ", t->schema, t->name);
				if (c->old_row)
				{
					sb_append(&sb, "old=");
					put_row(&sb, t, c->old_row);
					sb_appendc(&sb, ' ');
				}
				sb_append(&sb, "new=");
				put_row(&sb, t, c->new_row);
				break;
			case CHANGE_DELETE:
				sb_appendf(&sb, "DELETE %s.%s old=", t->schema, t->name);
				put_row(&sb, t, c->old_row);
				break;
			case CHANGE_TRUNCATE:
				sb_append(&sb, "TRUNCATE");
				for (int k = 0; k < c->ntruncate; k++)
					sb_appendf(&sb, " %s.%s", c->truncate_tables[k]->schema, c->truncate_tables[k]->name);
				break;
		}
		sb_appendc(&sb, '\n');
	}
	fwrite(sb.data, 1, sb.len, stdout);
	fflush(stdout);
	sb_free(&sb);
}

/* The bulk copy's path: SELECT through the text protocol, then myconv. */
static bool
select_table(MyConn *c, const Table *t)
{
	StrBuf		sql,
				out,
				v;
	MYSQL_RES  *r;
	MYSQL_ROW	row;
	MyConvOptions opt = {MYCONV_ZERO_NULL};

	sb_init(&sql, 0);
	sb_init(&out, 0);
	sb_init(&v, 0);
	sb_append(&sql, "SELECT * FROM ");
	sb_append_my_ident(&sql, t->schema);
	sb_appendc(&sql, '.');
	sb_append_my_ident(&sql, t->name);
	if (t->npk > 0)
	{
		sb_append(&sql, " ORDER BY ");
		for (int k = 0; k < t->npk; k++)
		{
			if (k)
				sb_appendc(&sql, ',');
			sb_append_my_ident(&sql, t->columns[t->pk[k]].name);
		}
	}
	r = my_query(c, sql.data);
	if (!r)
		return false;
	while ((row = mysql_fetch_row(r)) != NULL)
	{
		unsigned long *len = mysql_fetch_lengths(r);

		sb_reset(&out);
		sb_appendf(&out, "ROW %s.%s (", t->schema, t->name);
		for (int ci = 0; ci < t->ncolumns; ci++)
		{
			MyConvError err;

			if (ci)
				sb_append(&out, ", ");
			sb_appendf(&out, "%s=", t->columns[ci].name);
			if (!row[ci])
			{
				sb_append(&out, "NULL");
				continue;
			}
			sb_reset(&v);
			switch (myconv_value(&t->columns[ci], row[ci], len[ci], &opt, &v, &err))
			{
				case MYCONV_OK:
					put_value(&out, v.data ? v.data : "", v.len);
					break;
				case MYCONV_NULL:
					sb_append(&out, "NULL");
					break;
				case MYCONV_ERROR:
					sb_appendf(&out, "ERROR<%s>", err.message);
					break;
			}
		}
		sb_append(&out, ")\n");
		fwrite(out.data, 1, out.len, stdout);
	}
	mysql_free_result(r);
	sb_free(&sql);
	sb_free(&out);
	sb_free(&v);
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"source", required_argument, NULL, 's'},
		{"table", required_argument, NULL, 't'},
		{"position", required_argument, NULL, 'p'},
		{"txn-id", required_argument, NULL, 'x'},
		{"txn-applied", required_argument, NULL, 'a'},
		{"max-batch", required_argument, NULL, 'm'},
		{"timeout-ms", required_argument, NULL, 'T'},
		{"idle-exit", required_argument, NULL, 'i'},
		{"until", required_argument, NULL, 'u'},
		{"reconnect", required_argument, NULL, 'r'},
		{"batch-delay-ms", required_argument, NULL, 'd'},
		{"server-id", required_argument, NULL, 'S'},
		{"select", no_argument, NULL, 'L'},
		{NULL, 0, NULL, 0},
	};
	const char *source = NULL,
			   *until = NULL;
	char	   *tables[64];
	int			ntables = 0,
				idle_exit = 0,
				reconnects = 0,
				timeout_ms = 1000,
				delay_ms = 0;
	bool		do_select = false;
	StreamStart start;
	char		err[256];
	ConnUrl		url;
	Catalog		cat;
	MyConn		mc;
	int			o,
				rc = 0;
	char		ck_pos[512] = "",
				ck_txn[128] = "";
	int64_t		ck_applied = 0;

	memset(&start, 0, sizeof(start));
	start.max_batch_changes = 10000;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1)
	{
		switch (o)
		{
			case 's': source = optarg; break;
			case 't': if (ntables < 64) tables[ntables++] = optarg; break;
			case 'p': snprintf(ck_pos, sizeof(ck_pos), "%s", optarg); break;
			case 'x': snprintf(ck_txn, sizeof(ck_txn), "%s", optarg); break;
			case 'a': ck_applied = atoll(optarg); break;
			case 'm': start.max_batch_changes = atoi(optarg); break;
			case 'T': timeout_ms = atoi(optarg); break;
			case 'i': idle_exit = atoi(optarg); break;
			case 'u': until = optarg; break;
			case 'r': reconnects = atoi(optarg); break;
			case 'd': delay_ms = atoi(optarg); break;
			case 'S': start.server_id = (uint32_t) strtoul(optarg, NULL, 10); break;
			case 'L': do_select = true; break;
			default:
				fprintf(stderr, "usage: see the header of tests/tools/mystream_dump.c\n");
				return 2;
		}
	}
	if (!source || ntables == 0)
	{
		fprintf(stderr, "mystream_dump: --source and --table are required\n");
		return 2;
	}
	log_init(LOG_INFO, LOG_FORMAT_TEXT);
	if (!conn_url_parse(source, &url, err, sizeof(err)))
	{
		fprintf(stderr, "mystream_dump: %s\n", err);
		return 2;
	}
	catalog_init(&cat, ENGINE_MYSQL);
	if (!my_connect(&mc, &url))
		return 2;
	for (int i = 0; i < ntables; i++)
	{
		char	   *dot = strchr(tables[i], '.');

		if (!dot)
			return 2;
		*dot = '\0';
		if (!test_catalog_fill_table(&mc, &cat, tables[i], dot + 1))
		{
			fprintf(stderr, "mystream_dump: table %s.%s not found\n", tables[i], dot + 1);
			return 2;
		}
	}
	if (do_select)
	{
		for (int i = 0; i < cat.ntables; i++)
			if (!select_table(&mc, cat.tables[i]))
				rc = 2;
		my_disconnect(&mc);
		catalog_free(&cat);
		conn_url_free(&url);
		return rc;
	}
	my_disconnect(&mc);

	Source	   *src = source_open(&url);
	ChangeBatch b;
	GtidSet		until_set;
	int			idles = 0;

	if (!src)
		return 2;
	gtid_set_init(&until_set, GTID_FLAVOR_MARIADB);
	if (until && !gtid_set_parse(until, strchr(until, ':') ? GTID_FLAVOR_MYSQL : GTID_FLAVOR_MARIADB, &until_set,
								 err, sizeof(err)))
	{
		fprintf(stderr, "mystream_dump: --until: %s\n", err);
		return 2;
	}
	change_batch_init(&b);
	for (;;)
	{
		start.position = ck_pos[0] ? ck_pos : NULL;
		start.txn_id = ck_txn[0] ? ck_txn : NULL;
		start.txn_applied = ck_txn[0] ? ck_applied : -1;

		ReplStream *rs = src->ops->stream_open(src, &start, &cat);
		bool		again = false;

		if (!rs)
		{
			printf("ERROR open\n");
			rc = 3;
			if (reconnects-- > 0)
			{
				time_sleep_us(500000);
				continue;
			}
			break;
		}
		for (;;)
		{
			StreamResult r = src->ops->stream_next(rs, &b, timeout_ms);

			if (r == STREAM_IDLE)
			{
				printf("IDLE\n");
				fflush(stdout);
				if (idle_exit && ++idles >= idle_exit)
					break;
				continue;
			}
			idles = 0;
			if (r == STREAM_END)
			{
				printf("END\n");
				break;
			}
			if (r == STREAM_FATAL)
			{
				printf("FATAL\n");
				rc = 4;
				break;
			}
			if (r == STREAM_ERROR)
			{
				printf("ERROR\n");
				fflush(stdout);
				rc = 3;
				if (reconnects-- > 0)
				{
					printf("RECONNECT %s %s %lld\n", ck_pos[0] ? ck_pos : "-", ck_txn[0] ? ck_txn : "-",
						   (long long) ck_applied);
					again = true;
					rc = 0;
				}
				break;
			}
			print_batch(&b);
			/* what an applier would checkpoint */
			if (b.is_last)
			{
				snprintf(ck_pos, sizeof(ck_pos), "%s", b.txn.position);
				ck_txn[0] = '\0';
				ck_applied = 0;
				src->ops->stream_confirm(rs, b.txn.position);
			}
			else
			{
				snprintf(ck_txn, sizeof(ck_txn), "%s", b.txn.txn_id);
				ck_applied = b.first_index + b.nchanges;
			}
			if (delay_ms)
				time_sleep_us((int64_t) delay_ms * 1000);
			if (until && b.is_last)
			{
				GtidSet		got;

				if (gtid_set_parse(b.txn.position, until_set.flavor, &got, err, sizeof(err)) &&
					gtid_set_contains(&got, &until_set))
				{
					gtid_set_free(&got);
					printf("UNTIL reached\n");
					src->ops->stream_close(rs);
					goto done;
				}
				gtid_set_free(&got);
			}
		}
		src->ops->stream_close(rs);
		if (!again)
			break;
		time_sleep_us(200000);
	}
done:
	fflush(stdout);
	gtid_set_free(&until_set);
	change_batch_free(&b);
	source_close(src);
	catalog_free(&cat);
	conn_url_free(&url);
	return rc;
}
