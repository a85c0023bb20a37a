/*
 * tests/unit/test_common.c
 *	  Unit tests of the common layer: LSN and GTID parsing, URLs, option
 *	  values, strbuf caps, arenas, cursors, JSON, log redaction, metrics.
 */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/cursor.h"
#include "common/gtid.h"
#include "common/json.h"
#include "common/log.h"
#include "common/lsn.h"
#include "common/mem.h"
#include "common/metrics.h"
#include "common/opts.h"
#include "common/retry.h"
#include "common/strbuf.h"
#include "common/url.h"
#include "tap.h"

static void
test_lsn(void)
{
	Lsn			l;
	char		buf[LSN_STRLEN];

	ok(lsn_parse("16/B374D848", &l) && l == 0x16B374D848ULL, "lsn parses X/Y");
	ok(lsn_parse("0/0", &l) && l == 0, "lsn 0/0");
	ok(lsn_parse("FFFFFFFF/FFFFFFFF", &l) && l == UINT64_MAX, "lsn max");
	ok(!lsn_parse("1FFFFFFFF/0", &l), "lsn rejects a part wider than 32 bits");
	ok(!lsn_parse("0x16/0", &l), "lsn rejects 0x prefix");
	ok(!lsn_parse("16B374D848", &l), "lsn rejects missing slash");
	ok(!lsn_parse("16/", &l) && !lsn_parse("/16", &l) && !lsn_parse("", &l), "lsn rejects empty parts");
	ok(!lsn_parse("1/2 ", &l), "lsn rejects trailing space");
	lsn_format(0x16B374D848ULL, buf, sizeof(buf));
	is_str(buf, "16/B374D848", "lsn formats");
}

static char *
gtid_roundtrip(const char *text, GtidFlavor f)
{
	GtidSet		s;
	char		err[128];
	StrBuf		b;

	if (!gtid_set_parse(text, f, &s, err, sizeof(err)))
		return NULL;
	sb_init(&b, 0);
	gtid_set_format(&s, &b);
	gtid_set_free(&s);
	return sb_steal(&b);
}

static void
test_gtid(void)
{
	GtidSet		a,
				b;
	char		err[128];
	char	   *s;

	s = gtid_roundtrip("0-1-100,1-2-7", GTID_FLAVOR_MARIADB);
	is_str(s, "0-1-100,1-2-7", "mariadb gtid position round-trips");
	free(s);
	s = gtid_roundtrip("1-2-7, 0-1-100", GTID_FLAVOR_MARIADB);
	is_str(s, "0-1-100,1-2-7", "mariadb gtid position is sorted by domain");
	free(s);
	s = gtid_roundtrip("", GTID_FLAVOR_MARIADB);
	is_str(s, "", "empty mariadb position");
	free(s);
	ok(gtid_roundtrip("0-1", GTID_FLAVOR_MARIADB) == NULL, "mariadb rejects missing seq");
	ok(gtid_roundtrip("0-1-2,0-1-3", GTID_FLAVOR_MARIADB) == NULL, "mariadb rejects a domain twice");
	ok(gtid_roundtrip("0-1-2,", GTID_FLAVOR_MARIADB) == NULL, "mariadb rejects trailing comma");

	gtid_set_parse("0-1-100,1-2-7", GTID_FLAVOR_MARIADB, &a, err, sizeof(err));
	gtid_set_parse("0-1-99", GTID_FLAVOR_MARIADB, &b, err, sizeof(err));
	ok(gtid_set_contains(&a, &b), "mariadb 0-1-100 reached 0-1-99");
	ok(!gtid_set_contains(&b, &a), "mariadb 0-1-99 has not reached 0-1-100,1-2-7");
	gtid_set_add_mariadb(&b, (MariadbGtid) {0, 3, 101});
	gtid_set_add_mariadb(&b, (MariadbGtid) {1, 2, 7});
	ok(gtid_set_contains(&b, &a), "mariadb after adding 0-3-101 and 1-2-7");
	gtid_set_free(&a);
	gtid_set_free(&b);

	s = gtid_roundtrip("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:11:7-9", GTID_FLAVOR_MYSQL);
	is_str(s, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9:11", "mysql gtid set normalised");
	free(s);
	s = gtid_roundtrip("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:6-9,\n"
					   "00000000-0000-0000-0000-000000000001:1", GTID_FLAVOR_MYSQL);
	is_str(s, "00000000-0000-0000-0000-000000000001:1,3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9",
		   "mysql adjacent intervals merge; uuids sorted; newline allowed");
	free(s);
	s = gtid_roundtrip("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3:tag_a:5-6", GTID_FLAVOR_MYSQL);
	is_str(s, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3:tag_a:5-6", "mysql tagged gtids");
	free(s);
	ok(gtid_roundtrip("3e11fa47-71ca-11e1-9e33-c80aa9429562", GTID_FLAVOR_MYSQL) == NULL,
	   "mysql rejects uuid without interval");
	ok(gtid_roundtrip("3e11fa47-71ca-11e1-9e33-c80aa9429562:5-1", GTID_FLAVOR_MYSQL) == NULL,
	   "mysql rejects reversed interval");
	ok(gtid_roundtrip("3e11fa47:1", GTID_FLAVOR_MYSQL) == NULL, "mysql rejects short uuid");

	gtid_set_parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10", GTID_FLAVOR_MYSQL, &a, err, sizeof(err));
	gtid_set_parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:3-4:9", GTID_FLAVOR_MYSQL, &b, err, sizeof(err));
	ok(gtid_set_contains(&a, &b), "mysql 1-10 contains 3-4:9");
	ok(!gtid_set_contains(&b, &a), "mysql 3-4:9 does not contain 1-10");
	uint8_t		u[16];

	gtid_uuid_parse("3e11fa47-71ca-11e1-9e33-c80aa9429562", u);
	for (uint64_t g = 1; g <= 10; g++)
		gtid_set_add_mysql(&b, u, NULL, g);
	ok(gtid_set_contains(&b, &a), "mysql adding 1..10 one by one");
	StrBuf		sb;

	sb_init(&sb, 0);
	gtid_set_format(&b, &sb);
	is_str(sb.data, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10", "single adds merge into one interval");
	sb_free(&sb);
	gtid_set_free(&a);
	gtid_set_free(&b);
}

static void
test_url(void)
{
	ConnUrl		u;
	char		err[256];
	char	   *r;

	ok(conn_url_parse("postgres://alice:p%40ss%3Aw0rd@db.example.com:6432/shop?sslmode=verify-full&sslrootcert=/ca.pem",
					  &u, err, sizeof(err)), "pg url parses");
	is_int(u.engine, ENGINE_POSTGRES, "engine postgres");
	is_str(u.user, "alice", "user");
	is_str(u.password, "p@ss:w0rd", "password percent-decoded");
	is_str(u.host, "db.example.com", "host");
	is_int(u.port, 6432, "port");
	is_str(u.dbname, "shop", "dbname");
	is_str(conn_url_param(&u, "sslmode"), "verify-full", "query param");
	r = conn_url_redacted(&u);
	ok(strstr(r, "p@ss") == NULL && strstr(r, "p%40ss") == NULL && strstr(r, "****") != NULL,
	   "redacted url hides the password: %s", r);
	free(r);
	conn_url_free(&u);

	ok(conn_url_parse("mysql://root@[::1]:3307/db", &u, err, sizeof(err)), "ipv6 host");
	is_str(u.host, "::1", "ipv6 host value");
	is_int(u.port, 3307, "ipv6 port");
	is_int(u.engine, ENGINE_MYSQL, "engine mysql");
	conn_url_free(&u);

	ok(conn_url_parse("postgresql://u@%2Ftmp%2Fpg/db", &u, err, sizeof(err)), "socket dir as host");
	is_str(u.host, "/tmp/pg", "socket dir decoded");
	conn_url_free(&u);

	ok(conn_url_parse("mariadb://u:x@localhost/db?socket=/run/m.sock", &u, err, sizeof(err)), "mariadb scheme");
	is_str(conn_url_param(&u, "socket"), "/run/m.sock", "socket param");
	conn_url_free(&u);

	ok(conn_url_parse("host=/tmp dbname=x password=secret", &u, err, sizeof(err)) && u.is_keyvalue,
	   "libpq key/value form accepted");
	r = conn_url_redacted(&u);
	ok(strstr(r, "secret") == NULL, "key/value redaction hides password: %s", r);
	free(r);
	conn_url_free(&u);

	ok(!conn_url_parse("oracle://x@y/z", &u, err, sizeof(err)), "unknown scheme rejected: %s", err);
	conn_url_free(&u);
	ok(!conn_url_parse("postgres://u:pw@h:99999/d", &u, err, sizeof(err)), "port out of range rejected");
	ok(strstr(err, "pw") == NULL, "error does not echo the password");
	conn_url_free(&u);
	ok(!conn_url_parse("postgres://u:p%zz@h/d", &u, err, sizeof(err)), "bad percent escape rejected");
	ok(strstr(err, "%zz") == NULL, "bad escape message does not echo the password");
	conn_url_free(&u);
	ok(!conn_url_parse("", &u, err, sizeof(err)), "empty rejected");
	conn_url_free(&u);
}

static void
test_opts(void)
{
	int64_t		i;
	uint64_t	sz;
	int64_t		us;
	bool		b;

	ok(opt_parse_int("42", 1, 100, &i) && i == 42, "int in range");
	ok(!opt_parse_int("0", 1, 100, &i), "int below range");
	ok(!opt_parse_int("101", 1, 100, &i), "int above range");
	ok(!opt_parse_int("4x", 1, 100, &i), "int trailing garbage");
	ok(!opt_parse_int("", 1, 100, &i), "int empty");
	ok(!opt_parse_int("99999999999999999999", 0, INT64_MAX, &i), "int overflow");
	ok(opt_parse_size("64MB", &sz) && sz == 64ULL << 20, "size 64MB");
	ok(opt_parse_size("1GiB", &sz) && sz == 1ULL << 30, "size 1GiB");
	ok(opt_parse_size("512", &sz) && sz == 512, "size bytes");
	ok(!opt_parse_size("12XB", &sz), "size bad unit");
	ok(!opt_parse_size("99999999999999999999T", &sz), "size overflow");
	ok(opt_parse_duration("250ms", &us) && us == 250000, "duration ms");
	ok(opt_parse_duration("1h30m", &us) && us == 5400000000LL, "duration 1h30m");
	ok(opt_parse_duration("1.5s", &us) && us == 1500000, "duration fractional");
	ok(opt_parse_duration("10", &us) && us == 10000000, "bare number is seconds");
	ok(!opt_parse_duration("5x", &us) && !opt_parse_duration("-1s", &us), "duration rejects junk");
	ok(opt_parse_bool("on", &b) && b && opt_parse_bool("FALSE", &b) && !b, "bool");
	ok(!opt_parse_bool("maybe", &b), "bool rejects junk");
}

static void
test_strbuf_arena(void)
{
	StrBuf		b;
	Arena		a;

	sb_init(&b, 8);
	ok(sb_append(&b, "12345678"), "append up to the cap");
	ok(!sb_append(&b, "9"), "append past the cap fails");
	ok(!sb_ok(&b) && !sb_append(&b, ""), "overflow is sticky");
	sb_free(&b);

	sb_init(&b, 0);
	sb_append_ident(&b, "we\"ird na.me");
	sb_appendc(&b, ' ');
	sb_append_literal(&b, "it's");
	sb_appendc(&b, ' ');
	sb_append_my_ident(&b, "back`tick");
	is_str(b.data, "\"we\"\"ird na.me\" 'it''s' `back``tick`", "identifier and literal quoting");
	sb_free(&b);

	arena_init(&a, 64);
	char	   *big = arena_alloc(&a, 1000);

	memset(big, 'x', 1000);
	char	   *s = arena_strdup(&a, "hello");

	is_str(s, "hello", "arena strdup after a big block");
	for (int k = 0; k < 100; k++)
		arena_alloc(&a, 40);
	arena_reset(&a);
	ok(a.used == 0, "arena reset");
	is_str(arena_sprintf(&a, "%d-%s", 7, "x"), "7-x", "arena sprintf");
	arena_free(&a);
}

static void
test_cursor(void)
{
	const uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xfc, 0x34, 0x12, 'a', 0};
	Cursor		c = cur_make(data, sizeof(data));
	uint32_t	u32;
	uint64_t	u64;
	const char *str;

	ok(cur_u32be(&c, &u32) && u32 == 0x01020304, "u32be");
	ok(cur_u32le(&c, &u32) && u32 == 0x08070605, "u32le");
	ok(cur_lenenc(&c, &u64) && u64 == 0x1234, "lenenc 0xfc");
	ok(cur_cstr(&c, &str, NULL) && strcmp(str, "a") == 0, "cstr");
	ok(!cur_u8(&c, (uint8_t *) &u32), "read past the end fails");
	c = cur_make(data, 3);
	ok(!cur_u32be(&c, &u32) && cur_left(&c) == 3, "short read does not advance");
	c = cur_make("\xfb", 1);
	ok(!cur_lenenc(&c, &u64), "lenenc rejects 0xfb");
	c = cur_make("abc", 3);
	ok(!cur_cstr(&c, &str, NULL), "cstr without NUL fails");
}

static char *
canon(const char *json)
{
	Arena		a;
	char		err[128];
	StrBuf		b;
	JsonValue  *v;

	arena_init(&a, 0);
	v = json_parse(json, strlen(json), &a, err, sizeof(err));
	if (v == NULL)
	{
		arena_free(&a);
		return NULL;
	}
	sb_init(&b, 0);
	json_canonical(v, &b);
	arena_free(&a);
	return sb_steal(&b);
}

static void
test_json(void)
{
	char	   *s;
	StrBuf		b;
	JsonWriter	w;

	s = canon("{\"b\": 1, \"a\": [1.50, 1e2, -0, 0.000], \"aa\": \"x\\u00e9\\n\"}");
	is_str(s, "{\"a\":[1.5,100,0,0],\"b\":1,\"aa\":\"x\xc3\xa9\\n\"}", "canonical json: key order, numbers, strings");
	free(s);
	s = canon("{\"k\": 1, \"k\": 2}");
	is_str(s, "{\"k\":2}", "duplicate keys: last wins");
	free(s);
	s = canon("[1E-7, 123456789012345678901234567890, 2.5e+3]");
	is_str(s, "[0.0000001,123456789012345678901234567890,2500]", "number normalisation");
	free(s);
	s = canon("\"\\ud83e\\udd86\"");
	is_str(s, "\"\xf0\x9f\xa6\x86\"", "surrogate pair decodes to UTF-8");
	free(s);
	ok(canon("{\"a\":}") == NULL, "malformed rejected");
	ok(canon("[1,]") == NULL, "trailing comma rejected");
	ok(canon("\"\\ud800\"") == NULL, "lone surrogate rejected");
	ok(canon("01") == NULL, "leading zero rejected");
	ok(canon("\"\xff\"") == NULL, "invalid UTF-8 rejected");
	{
		char		deep[2001];

		memset(deep, '[', 1000);
		memset(deep + 1000, ']', 1000);
		deep[2000] = '\0';
		ok(canon(deep) == NULL, "nesting deeper than JSON_MAX_DEPTH is rejected");
		memset(deep, '[', 500);
		memset(deep + 500, ']', 500);
		deep[1000] = '\0';
		s = canon(deep);
		ok(s != NULL, "nesting of 500 is accepted");
		free(s);
	}

	sb_init(&b, 0);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_kv_string(&w, "msg", "a \"q\"\n\x01");
	jw_key(&w, "arr");
	jw_array_begin(&w);
	jw_int(&w, 1);
	jw_null(&w);
	jw_array_end(&w);
	jw_kv_bool(&w, "t", true);
	jw_object_end(&w);
	is_str(b.data, "{\"msg\":\"a \\\"q\\\"\\n\\u0001\",\"arr\":[1,null],\"t\":true}", "json writer");
	sb_free(&b);
	sb_init(&b, 0);
	json_append_string(&b, "\xc3\x28ok", 4);
	is_str(b.data, "\"\xef\xbf\xbd(ok\"", "invalid UTF-8 becomes U+FFFD in output");
	sb_free(&b);
}

static void
test_redaction(void)
{
	char		a[] = "could not connect to postgres://bob:hunter2@db:5432/x";
	char		b[] = "conninfo host=x password=hunter2 user=bob";
	char		c[] = "mysql://u:'hunter2'@h password='hunter 2' done";

	log_redact_secrets(a);
	ok(strstr(a, "hunter2") == NULL && strstr(a, "bob:****@db") != NULL, "url password masked: %s", a);
	log_redact_secrets(b);
	ok(strstr(b, "hunter2") == NULL && strstr(b, "user=bob") != NULL, "key/value password masked: %s", b);
	log_redact_secrets(c);
	ok(strstr(c, "hunter") == NULL, "quoted password masked: %s", c);
}

static void
test_metrics(void)
{
	StrBuf		b;
	static const double buckets[] = {0.1, 1};
	Metric	   *c = metrics_counter("apply_upserts_total", "rows upserted", "table");
	Metric	   *h = metrics_histogram("lag_seconds", "lag", NULL, buckets, 2);

	metric_add(c, "public.t\"x", 3);
	metric_add(c, "public.t\"x", 2);
	metric_observe(h, NULL, 0.05);
	metric_observe(h, NULL, 5);
	sb_init(&b, 0);
	metrics_render(&b);
	ok(strstr(b.data, "apply_upserts_total{table=\"public.t\\\"x\"} 5\n") != NULL, "counter with escaped label");
	ok(strstr(b.data, "lag_seconds_bucket{le=\"0.1\"} 1\n") != NULL &&
	   strstr(b.data, "lag_seconds_bucket{le=\"+Inf\"} 2\n") != NULL &&
	   strstr(b.data, "lag_seconds_count 2\n") != NULL, "histogram buckets");
	sb_free(&b);
	metrics_reset_all();
}

static void
test_retry(void)
{
	RetryState	r;
	bool		bounded = true;

	retry_init(&r, &RETRY_TXN);
	for (int k = 0; k < 50; k++)
	{
		int64_t		d = retry_next_delay(&r);

		if (d < RETRY_TXN.base_us || d > RETRY_TXN.cap_us)
			bounded = false;
	}
	ok(bounded, "backoff delays stay within [base, cap]");
}

int
main(void)
{
	test_lsn();
	test_gtid();
	test_url();
	test_opts();
	test_strbuf_arena();
	test_cursor();
	test_json();
	test_redaction();
	test_metrics();
	test_retry();
	return done_testing();
}
