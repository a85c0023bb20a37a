#!/usr/bin/env python3
# tests/integration/lib/mycompare.py
#   Value-by-value check of a MySQL/MariaDB database against the PostgreSQL
#   tables godwit fetch made of it: an oracle written independently of
#   godwit's converter (src/dialect/mysql/myconv.c), from the documented
#   mapping (docs/type-mapping.md, docs/fetch-mysql.md).
#
#   mycompare.py --my-socket S --my-db DB --pg-port P --pg-db DB [--pg-schema public]
#                [--zero-dates null|error] [--tables t1,t2] [--exclude t1,t2]
#
# Each side renders every value as hex of its text (so no quoting or escaping
# can blur the comparison); this script then turns both into a canonical form
# per type (numbers, times, bits, arrays, JSON, geometry, bytes) and compares
# the sorted rows of each table.  Prints one line per table ("ok table N rows"
# or "MISMATCH ...") and exits 1 when any table differs or is missing.
import argparse
import decimal
import json
import struct
import subprocess
import sys

decimal.getcontext().prec = 200

BINARY_TYPES = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}
TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json"}
SPATIAL = {"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
           "multipolygon", "geometrycollection", "geomcollection"}
INTS = {"tinyint", "smallint", "mediumint", "int", "bigint"}


def run(cmd, stdin=None):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit("command failed: %s" % " ".join(cmd[:3]))
    return p.stdout


def myq(a, sql):
    return run(["mariadb", "--socket=" + a.my_socket, "-uroot", "-N", "-B", "--default-character-set=utf8mb4",
                "-e", "SET time_zone = '+00:00'; " + sql])


def pgq(a, sql):
    return run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(a.pg_port),
                "-U", "postgres", "-d", a.pg_db, "-c",
                "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET IntervalStyle = 'postgres'; "
                "SET extra_float_digits = 1; " + sql])


def my_ident(s):
    return "`" + s.replace("`", "``") + "`"


def pg_ident(s):
    return '"' + s.replace('"', '""') + '"'


def pg_lit(s):
    return "'" + s.replace("'", "''") + "'"


def my_lit(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


def unhex(v):
    if v == "N":
        return None
    h = v[1:]
    return bytes.fromhex(("0" + h) if len(h) % 2 else h)   # HEX(bit) is not padded


# ---------------------------------------------------------------- canonical forms

def canon_time(s):
    """[-]H+:MM:SS[.f] or PG interval/time text -> signed microseconds."""
    s = s.strip()
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    days = 0
    if " day" in s:                      # PG interval "1 day 02:00:00"
        d, _, s = s.partition(" day")
        days = int(d)
        s = s.lstrip("s").strip()
    h, m, sec = s.split(":")
    frac = 0
    if "." in sec:
        sec, f = sec.split(".")
        frac = int((f + "000000")[:6])
    us = ((days * 24 + int(h)) * 3600 + int(m) * 60 + int(sec)) * 1000000 + frac
    return -us if neg else us


def canon_datetime(s):
    s = s.strip()
    for tz in ("+00:00", "+00"):
        if s.endswith(tz):
            s = s[: -len(tz)]
    date, _, tm = s.partition(" ")
    frac = 0
    if "." in tm:
        tm, f = tm.split(".")
        frac = int((f + "000000")[:6])
    return "%s %s.%06d" % (date, tm, frac)


def zero_or_partial_date(s):
    y, m, d = s[:10].split("-")
    y, m, d = int(y), int(m), int(d)
    if y == 0 or m == 0 or d == 0:
        return True
    mdays = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m]
    leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
    return d > mdays or (m == 2 and d == 29 and not leap)


def parse_pg_array(s):
    """1-D PostgreSQL text[] output -> list of str."""
    assert s[0] == "{" and s[-1] == "}", s
    out, i, body = [], 0, s[1:-1]
    if body == "":
        return out
    while i <= len(body):
        if i < len(body) and body[i] == '"':
            i += 1
            v = []
            while body[i] != '"':
                if body[i] == "\\":
                    i += 1
                v.append(body[i])
                i += 1
            i += 1
            out.append("".join(v))
        else:
            j = body.find(",", i)
            j = len(body) if j < 0 else j
            out.append(body[i:j])
            i = j
        i += 1
    return out


def my_geometry_to_ewkb(b):
    """MySQL SRID (LE) + WKB -> PostGIS EWKB bytes (SRID flag on the outer type)."""
    srid = struct.unpack("<I", b[:4])[0]
    wkb = b[4:]
    if srid == 0:
        return wkb
    le = wkb[0] == 1
    fmt = "<I" if le else ">I"
    t = struct.unpack(fmt, wkb[1:5])[0] | 0x20000000
    return wkb[:1] + struct.pack(fmt, t) + struct.pack(fmt, srid) + wkb[5:]


def expect(mcol, pcol, mv, zero_null):
    """The value the target must hold for MySQL value mv (bytes or None), as a
    canonical string, or None for NULL."""
    base, ctype = mcol["base"], mcol["ctype"]
    ptype = pcol["type"]
    if mv is None:
        return None
    if base in BINARY_TYPES:
        return "x" + mv.hex()
    if base in SPATIAL:
        return "x" + (my_geometry_to_ewkb(mv).hex() if ptype in ("bytea", "geometry", "USER-DEFINED") else mv.hex())
    if base == "bit":
        n = int.from_bytes(mv, "big")
        if ptype == "boolean":
            return "t" if n else "f"
        return "b%d" % n
    s = mv.decode("utf-8")
    if base in INTS:
        if ptype == "boolean":
            return {"0": "f", "1": "t"}.get(s, "bad-bool:" + s)
        return "i" + str(int(s))
    if base == "decimal":
        return "d" + str(decimal.Decimal(s).normalize())
    if base == "float":
        return "f" + struct.pack("<f", float(s)).hex()
    if base == "double":
        return "f" + repr(float(s))
    if base == "year":
        return None if int(s) == 0 and zero_null else "i" + str(int(s))
    if base == "date":
        return None if zero_or_partial_date(s) and zero_null else s
    if base in ("datetime", "timestamp"):
        return None if zero_or_partial_date(s) and zero_null else canon_datetime(s)
    if base == "time":
        return "t%d" % canon_time(s)
    if base == "enum":
        if s == "" and "''" not in ctype and zero_null:
            return None
        return s
    if base == "set":
        return "{" + ("\x1f".join(s.split(",")) if s else "") + "}"
    if base == "json":
        return "j" + json.dumps(json.loads(s, parse_float=decimal.Decimal, parse_int=int), sort_keys=True, default=str)
    if base in ("uuid", "inet4", "inet6"):
        return s.lower()
    return s                             # character data


def actual(mcol, pcol, pv):
    """The target's value (bytes of its text, or None) in the same canonical form."""
    base = mcol["base"]
    ptype = pcol["type"]
    if pv is None:
        return None
    if ptype == "bytea":
        return "x" + pv.hex()
    s = pv.decode("utf-8")
    if ptype == "boolean":
        s = {"true": "t", "false": "f"}.get(s, s)
    if base in SPATIAL:
        return "x" + s.lower()
    if base == "bit":
        if ptype == "boolean":
            return s
        return "b%d" % int(s, 2)
    if base in INTS:
        return s if ptype == "boolean" else "i" + str(int(s))
    if base == "decimal":
        return "d" + str(decimal.Decimal(s).normalize())
    if base == "float":
        return "f" + struct.pack("<f", float(s)).hex()
    if base == "double":
        return "f" + repr(float(s))
    if base == "year":
        return "i" + str(int(s))
    if base in ("datetime", "timestamp"):
        return canon_datetime(s)
    if base == "time":
        return "t%d" % canon_time(s)
    if base == "set":
        return "{" + "\x1f".join(parse_pg_array(s)) + "}"
    if base == "json":
        return "j" + json.dumps(json.loads(s, parse_float=decimal.Decimal, parse_int=int), sort_keys=True, default=str)
    if base in ("uuid", "inet4", "inet6"):
        return s.lower()
    return s


# ---------------------------------------------------------------- per table

def lines(out):
    """Output lines (only \\n ends a line: names may hold \\r and friends)."""
    return [x for x in out.split("\n") if x != ""]


def my_columns(a):
    def h(x):
        return bytes.fromhex(x).decode("utf-8")
    rows = myq(a, "SELECT HEX(TABLE_NAME), HEX(COLUMN_NAME), DATA_TYPE, HEX(COLUMN_TYPE), EXTRA "
                  "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME, ORDINAL_POSITION"
               % my_lit(a.my_db))
    tables = {}
    types = myq(a, "SELECT HEX(TABLE_NAME), TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s"
                % my_lit(a.my_db))
    base_tables = set()
    for line in lines(types):
        n, t = line.split("\t")
        if t in ("BASE TABLE", "SYSTEM VERSIONED"):
            base_tables.add(h(n))
    checks = myq(a, "SELECT HEX(TABLE_NAME), HEX(CHECK_CLAUSE) FROM information_schema.CHECK_CONSTRAINTS "
                    "WHERE CONSTRAINT_SCHEMA = %s AND LEVEL = 'Column'" % my_lit(a.my_db))
    json_cols = set()
    for line in lines(checks):
        t, clause = line.split("\t", 1)
        clause = h(clause)
        if clause.startswith("json_valid(`") and clause.endswith("`)"):
            json_cols.add((h(t), clause[12:-2].replace("``", "`")))
    for line in lines(rows):
        t, c, dt, ct, extra = line.split("\t")
        t, c, ct = h(t), h(c), h(ct)
        if t not in base_tables:
            continue
        base = dt.lower()
        if (t, c) in json_cols and base == "longtext":
            base = "json"
        tables.setdefault(t, []).append({"name": c, "base": base, "ctype": ct.lower(),
                                         "generated": ("GENERATED" in extra.upper() and "DEFAULT_GENERATED" not in extra.upper())})
    return tables


def pg_columns(a, table):
    rows = pgq(a, "SELECT encode(convert_to(column_name, 'UTF8'), 'hex'), data_type FROM information_schema.columns "
                  "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position"
               % (pg_lit(a.pg_schema), pg_lit(table)))
    cols = {}
    for line in lines(rows):
        n, t = line.split("|", 1)
        cols[bytes.fromhex(n).decode("utf-8")] = {"type": t}
    return cols


def my_expr(c):
    q = my_ident(c["name"])
    if c["base"] in BINARY_TYPES or c["base"] in SPATIAL or c["base"] == "bit":
        e = "HEX(%s)" % q
    elif c["base"] in TEXT_TYPES:
        e = "HEX(CONVERT(%s USING utf8mb4))" % q
    else:
        e = "HEX(CONCAT(%s))" % q
    return "IF(%s IS NULL, 'N', CONCAT('V', %s))" % (q, e)


def pg_expr(name, pcol):
    q = pg_ident(name)
    if pcol["type"] == "bytea":
        e = "encode(%s, 'hex')" % q
    else:
        e = "encode(convert_to(%s::text, 'UTF8'), 'hex')" % q
    return "CASE WHEN %s IS NULL THEN 'N' ELSE 'V' || %s END" % (q, e)


def fit_ident(name):
    """The target's name for a source identifier (docs: names over 63 bytes are cut at a
    character boundary to 54 bytes and suffixed with "_" and the FNV-1a hash)."""
    b = name.encode("utf-8")
    if len(b) <= 63:
        return name
    h = 2166136261
    for ch in b:
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    cut = 54
    while cut > 0 and (b[cut] & 0xC0) == 0x80:
        cut -= 1
    return b[:cut].decode("utf-8") + "_%08x" % h


def compare_table(a, table, mcols, zero_null):
    ptable = fit_ident(table)
    pcols = pg_columns(a, ptable)
    if not pcols:
        return "MISSING %s: no table %s.%s on the target" % (table, a.pg_schema, ptable)
    for c in mcols:
        c["target"] = fit_ident(c["name"])
    cols = [c for c in mcols if not c["generated"] or c["target"] in pcols]
    for c in cols:
        if c["target"] not in pcols:
            return "MISMATCH %s: column %s missing on the target" % (table, c["name"])
        pcols[c["name"]] = pcols[c["target"]]
    my_out = myq(a, "SELECT CONCAT_WS(',', %s) FROM %s.%s" % (", ".join(my_expr(c) for c in cols),
                                                            my_ident(a.my_db), my_ident(table)))
    pg_out = pgq(a, "SELECT concat_ws(',', %s) FROM %s.%s" % (", ".join(pg_expr(c["target"], pcols[c["name"]]) for c in cols),
                                                            pg_ident(a.pg_schema), pg_ident(ptable)))
    want, got = [], []
    for line in lines(my_out):
        vals = [unhex(v) for v in line.split(",")]
        want.append(tuple(repr(expect(c, pcols[c["name"]], v, zero_null)) for c, v in zip(cols, vals)))
    for line in lines(pg_out):
        vals = [unhex(v) for v in line.split(",")]
        got.append(tuple(repr(actual(c, pcols[c["name"]], v)) for c, v in zip(cols, vals)))
    want.sort()
    got.sort()
    if want == got:
        return "ok %s %d rows" % (table, len(want))
    if len(want) != len(got):
        return "MISMATCH %s: %d rows on the source, %d on the target" % (table, len(want), len(got))
    for w, g in zip(want, got):
        if w != g:
            diffs = ["%s: want %s got %s" % (c["name"], x, y) for c, x, y in zip(cols, w, g) if x != y]
            return "MISMATCH %s: %s" % (table, "; ".join(diffs)[:600])
    return "MISMATCH %s" % table


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--my-socket", required=True)
    p.add_argument("--my-db", required=True)
    p.add_argument("--pg-port", required=True)
    p.add_argument("--pg-db", required=True)
    p.add_argument("--pg-schema", default="public")
    p.add_argument("--zero-dates", default="null")
    p.add_argument("--tables", default="")
    p.add_argument("--exclude", default="")
    a = p.parse_args()
    tables = my_columns(a)
    only = set(t for t in a.tables.split(",") if t)
    skip = set(t for t in a.exclude.split(",") if t)
    bad = 0
    for t in sorted(tables):
        if (only and t not in only) or t in skip:
            continue
        r = compare_table(a, t, tables[t], a.zero_dates == "null")
        print(r)
        if not r.startswith("ok "):
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
