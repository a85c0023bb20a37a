/*
 * src/common/gtid.c
 *	  MariaDB GTID positions and MySQL GTID sets (see gtid.h).
 */
#include "common/gtid.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

void
gtid_set_init(GtidSet *s, GtidFlavor flavor)
{
	memset(s, 0, sizeof(*s));
	s->flavor = flavor;
}

void
gtid_set_free(GtidSet *s)
{
	for (int i = 0; i < s->nsids; i++)
		free(s->sids[i].iv);
	free(s->sids);
	free(s->md);
	gtid_set_init(s, s->flavor);
}

void
gtid_set_copy(GtidSet *dst, const GtidSet *src)
{
	gtid_set_free(dst);
	dst->flavor = src->flavor;
	if (src->nmd)
	{
		dst->md = gw_new_array(MariadbGtid, (size_t) src->nmd);
		memcpy(dst->md, src->md, sizeof(MariadbGtid) * (size_t) src->nmd);
		dst->nmd = dst->cap_md = src->nmd;
	}
	if (src->nsids)
	{
		dst->sids = gw_new_array(GtidSid, (size_t) src->nsids);
		dst->nsids = dst->cap_sids = src->nsids;
		for (int i = 0; i < src->nsids; i++)
		{
			dst->sids[i] = src->sids[i];
			dst->sids[i].iv = gw_new_array(GtidInterval, (size_t) src->sids[i].niv + 1);
			memcpy(dst->sids[i].iv, src->sids[i].iv,
				   sizeof(GtidInterval) * (size_t) src->sids[i].niv);
			dst->sids[i].cap = src->sids[i].niv + 1;
		}
	}
}

bool
gtid_set_is_empty(const GtidSet *s)
{
	return s->nmd == 0 && s->nsids == 0;
}

/* ---------------------------------------------------------------- MariaDB */

void
gtid_set_add_mariadb(GtidSet *s, MariadbGtid g)
{
	int			i;

	for (i = 0; i < s->nmd; i++)
	{
		if (s->md[i].domain == g.domain)
		{
			s->md[i] = g;
			return;
		}
		if (s->md[i].domain > g.domain)
			break;
	}
	gw_array_grow(s->md, s->cap_md, s->nmd + 1);
	memmove(&s->md[i + 1], &s->md[i], sizeof(MariadbGtid) * (size_t) (s->nmd - i));
	s->md[i] = g;
	s->nmd++;
}

static bool
parse_u64(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	char	   *end;

	if (!isdigit((unsigned char) *p))
		return false;
	errno = 0;
	unsigned long long v = strtoull(p, &end, 10);

	if (errno != 0)
		return false;
	*out = v;
	*pp = end;
	return true;
}

static void
skip_space(const char **pp)
{
	while (isspace((unsigned char) **pp))
		(*pp)++;
}

static bool
gtid_parse_mariadb(const char *p, GtidSet *out, char *err, int errlen)
{
	skip_space(&p);
	while (*p)
	{
		uint64_t	d,
					sv,
					seq;
		const char *start = p;

		if (!parse_u64(&p, &d) || *p++ != '-' || !parse_u64(&p, &sv) || *p++ != '-' ||
			!parse_u64(&p, &seq) || d > UINT32_MAX || sv > UINT32_MAX)
		{
			snprintf(err, (size_t) errlen,
					 "invalid MariaDB GTID near \"%.40s\": expected domain-server-sequence",
					 start);
			return false;
		}
		for (int i = 0; i < out->nmd; i++)
		{
			if (out->md[i].domain == d)
			{
				snprintf(err, (size_t) errlen,
						 "invalid MariaDB GTID position: domain %u appears twice", (unsigned) d);
				return false;
			}
		}
		gtid_set_add_mariadb(out, (MariadbGtid) {(uint32_t) d, (uint32_t) sv, seq});
		skip_space(&p);
		if (*p == ',')
		{
			p++;
			skip_space(&p);
			if (*p == '\0')
			{
				snprintf(err, (size_t) errlen, "invalid MariaDB GTID position: trailing comma");
				return false;
			}
		}
		else if (*p != '\0')
		{
			snprintf(err, (size_t) errlen, "invalid MariaDB GTID near \"%.40s\"", p);
			return false;
		}
	}
	return true;
}

/* ------------------------------------------------------------------ MySQL */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool
gtid_uuid_parse(const char *s, uint8_t out[16])
{
	int			n = 0;

	for (int i = 0; i < 36; i++)
	{
		if (i == 8 || i == 13 || i == 18 || i == 23)
		{
			if (s[i] != '-')
				return false;
			continue;
		}
		int			h = hexval((unsigned char) s[i]);

		if (h < 0)
			return false;
		if (n % 2 == 0)
			out[n / 2] = (uint8_t) (h << 4);
		else
			out[n / 2] |= (uint8_t) h;
		n++;
	}
	return n == 32;
}

void
gtid_uuid_format(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
			 u[12], u[13], u[14], u[15]);
}

static int
sid_cmp(const uint8_t uuid[16], const char *tag, const GtidSid *s)
{
	int			c = memcmp(uuid, s->uuid, 16);

	return c ? c : strcmp(tag, s->tag);
}

static GtidSid *
gtid_sid_get(GtidSet *s, const uint8_t uuid[16], const char *tag)
{
	int			i;

	if (tag == NULL)
		tag = "";
	for (i = 0; i < s->nsids; i++)
	{
		int			c = sid_cmp(uuid, tag, &s->sids[i]);

		if (c == 0)
			return &s->sids[i];
		if (c < 0)
			break;
	}
	gw_array_grow(s->sids, s->cap_sids, s->nsids + 1);
	memmove(&s->sids[i + 1], &s->sids[i], sizeof(GtidSid) * (size_t) (s->nsids - i));
	memset(&s->sids[i], 0, sizeof(GtidSid));
	memcpy(s->sids[i].uuid, uuid, 16);
	snprintf(s->sids[i].tag, sizeof(s->sids[i].tag), "%s", tag);
	s->nsids++;
	return &s->sids[i];
}

/* Add [start, end] to sid, keeping intervals sorted, disjoint and merged. */
static void
gtid_sid_add_interval(GtidSid *sid, uint64_t start, uint64_t end)
{
	int			i = 0;

	while (i < sid->niv && sid->iv[i].end + 1 < start && sid->iv[i].end != UINT64_MAX)
		i++;
	/* i is the first interval that may touch or follow [start, end] */
	int			j = i;

	while (j < sid->niv && sid->iv[j].start <= (end == UINT64_MAX ? end : end + 1))
	{
		if (sid->iv[j].start < start)
			start = sid->iv[j].start;
		if (sid->iv[j].end > end)
			end = sid->iv[j].end;
		j++;
	}
	/* replace iv[i..j) by one interval */
	int			removed = j - i;

	if (removed == 0)
	{
		gw_array_grow(sid->iv, sid->cap, sid->niv + 1);
		memmove(&sid->iv[i + 1], &sid->iv[i], sizeof(GtidInterval) * (size_t) (sid->niv - i));
		sid->niv++;
	}
	else if (removed > 1)
	{
		memmove(&sid->iv[i + 1], &sid->iv[j], sizeof(GtidInterval) * (size_t) (sid->niv - j));
		sid->niv -= removed - 1;
	}
	sid->iv[i].start = start;
	sid->iv[i].end = end;
}

void
gtid_set_add_mysql(GtidSet *s, const uint8_t uuid[16], const char *tag, uint64_t gno)
{
	gtid_sid_add_interval(gtid_sid_get(s, uuid, tag), gno, gno);
}

static bool
is_tag_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool
gtid_parse_mysql(const char *p, GtidSet *out, char *err, int errlen)
{
	skip_space(&p);
	while (*p)
	{
		uint8_t		uuid[16];
		char		tag[33] = "";
		bool		any = false;

		if (strlen(p) < 36 || !gtid_uuid_parse(p, uuid))
		{
			snprintf(err, (size_t) errlen, "invalid MySQL GTID set near \"%.40s\": expected a UUID", p);
			return false;
		}
		p += 36;
		while (*p == ':')
		{
			p++;
			if (is_tag_start((unsigned char) *p))
			{
				int			n = 0;

				while (isalnum((unsigned char) p[n]) || p[n] == '_')
					n++;
				if (n > 32)
				{
					snprintf(err, (size_t) errlen, "invalid MySQL GTID tag: longer than 32 characters");
					return false;
				}
				memcpy(tag, p, (size_t) n);
				tag[n] = '\0';
				for (int k = 0; k < n; k++)
					tag[k] = (char) tolower((unsigned char) tag[k]);
				p += n;
				continue;
			}
			uint64_t	a,
						b;

			if (!parse_u64(&p, &a) || a == 0)
			{
				snprintf(err, (size_t) errlen, "invalid MySQL GTID interval near \"%.40s\"", p);
				return false;
			}
			b = a;
			if (*p == '-')
			{
				p++;
				if (!parse_u64(&p, &b) || b < a)
				{
					snprintf(err, (size_t) errlen, "invalid MySQL GTID interval near \"%.40s\"", p);
					return false;
				}
			}
			gtid_sid_add_interval(gtid_sid_get(out, uuid, tag), a, b);
			any = true;
		}
		if (!any)
		{
			snprintf(err, (size_t) errlen, "invalid MySQL GTID set: UUID without an interval");
			return false;
		}
		skip_space(&p);
		if (*p == ',')
		{
			p++;
			skip_space(&p);
			if (*p == '\0')
			{
				snprintf(err, (size_t) errlen, "invalid MySQL GTID set: trailing comma");
				return false;
			}
		}
		else if (*p != '\0')
		{
			snprintf(err, (size_t) errlen, "invalid MySQL GTID set near \"%.40s\"", p);
			return false;
		}
	}
	return true;
}

bool
gtid_set_parse(const char *text, GtidFlavor flavor, GtidSet *out, char *err, int errlen)
{
	bool		ok;

	gtid_set_init(out, flavor);
	if (text == NULL)
		text = "";
	ok = flavor == GTID_FLAVOR_MARIADB ? gtid_parse_mariadb(text, out, err, errlen)
		: gtid_parse_mysql(text, out, err, errlen);
	if (!ok)
		gtid_set_free(out);
	return ok;
}

void
gtid_set_format(const GtidSet *s, StrBuf *out)
{
	if (s->flavor == GTID_FLAVOR_MARIADB)
	{
		for (int i = 0; i < s->nmd; i++)
			sb_appendf(out, "%s%u-%u-%llu", i ? "," : "", s->md[i].domain, s->md[i].server,
					   (unsigned long long) s->md[i].seq);
		return;
	}
	const uint8_t *prev = NULL;

	for (int i = 0; i < s->nsids; i++)
	{
		const GtidSid *sid = &s->sids[i];
		char		u[37];

		if (sid->niv == 0)
			continue;
		if (prev == NULL || memcmp(prev, sid->uuid, 16) != 0)
		{
			gtid_uuid_format(sid->uuid, u);
			sb_appendf(out, "%s%s", prev ? "," : "", u);
			prev = sid->uuid;
		}
		if (sid->tag[0])
			sb_appendf(out, ":%s", sid->tag);
		for (int k = 0; k < sid->niv; k++)
		{
			if (sid->iv[k].start == sid->iv[k].end)
				sb_appendf(out, ":%llu", (unsigned long long) sid->iv[k].start);
			else
				sb_appendf(out, ":%llu-%llu", (unsigned long long) sid->iv[k].start,
						   (unsigned long long) sid->iv[k].end);
		}
	}
}

static bool
sid_covers(const GtidSid *a, uint64_t start, uint64_t end)
{
	for (int i = 0; i < a->niv; i++)
		if (a->iv[i].start <= start && end <= a->iv[i].end)
			return true;
	return false;
}

bool
gtid_set_contains(const GtidSet *a, const GtidSet *b)
{
	if (b->flavor == GTID_FLAVOR_MARIADB)
	{
		for (int i = 0; i < b->nmd; i++)
		{
			bool		found = false;

			for (int k = 0; k < a->nmd; k++)
			{
				if (a->md[k].domain == b->md[i].domain)
				{
					found = a->md[k].seq >= b->md[i].seq;
					break;
				}
			}
			if (!found)
				return false;
		}
		return true;
	}
	for (int i = 0; i < b->nsids; i++)
	{
		const GtidSid *bs = &b->sids[i];
		const GtidSid *as = NULL;

		for (int k = 0; k < a->nsids; k++)
			if (sid_cmp(bs->uuid, bs->tag, &a->sids[k]) == 0)
				as = &a->sids[k];
		for (int j = 0; j < bs->niv; j++)
			if (as == NULL || !sid_covers(as, bs->iv[j].start, bs->iv[j].end))
				return false;
	}
	return true;
}
