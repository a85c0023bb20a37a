/*
 * src/common/url.c
 *	  Parse connection URLs (see url.h).
 */
#include "common/url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/strbuf.h"

static int
hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

bool
url_percent_decode(const char *s, int n, char **out)
{
	char	   *d = gw_malloc((size_t) n + 1);
	int			k = 0;

	for (int i = 0; i < n; i++)
	{
		if (s[i] == '%')
		{
			int			h,
						l;

			if (i + 2 >= n)
			{
				free(d);
				return false;
			}
			h = hexdigit((unsigned char) s[i + 1]);
			l = hexdigit((unsigned char) s[i + 2]);
			if (h < 0 || l < 0 || (h == 0 && l == 0))
			{
				free(d);
				return false;
			}
			d[k++] = (char) (h * 16 + l);
			i += 2;
		}
		else
			d[k++] = s[i];
	}
	d[k] = '\0';
	*out = d;
	return true;
}

void
conn_url_free(ConnUrl *u)
{
	free(u->raw);
	free(u->user);
	if (u->password)
	{
		memset(u->password, 0, strlen(u->password));
		free(u->password);
	}
	free(u->host);
	free(u->dbname);
	for (int i = 0; i < u->nparams; i++)
	{
		free(u->params[i].key);
		free(u->params[i].value);
	}
	free(u->params);
	memset(u, 0, sizeof(*u));
}

const char *
conn_url_param(const ConnUrl *u, const char *key)
{
	for (int i = 0; i < u->nparams; i++)
		if (strcmp(u->params[i].key, key) == 0)
			return u->params[i].value;
	return NULL;
}

static bool
decode_field(const char *s, int n, char **out, const char *what, char *err, int errlen)
{
	if (!url_percent_decode(s, n, out))
	{
		snprintf(err, (size_t) errlen, "invalid percent-encoding in the %s of the connection URL", what);
		return false;
	}
	return true;
}

bool
conn_url_parse(const char *text, ConnUrl *out, char *err, int errlen)
{
	const char *p,
			   *sep;
	int			i;

	memset(out, 0, sizeof(*out));
	if (text == NULL || text[0] == '\0')
	{
		snprintf(err, (size_t) errlen, "connection string is empty");
		return false;
	}
	out->raw = gw_strdup(text);
	sep = strstr(text, "://");
	if (sep == NULL)
	{
		/* libpq key/value form */
		if (strchr(text, '=') == NULL)
		{
			snprintf(err, (size_t) errlen,
					 "connection string is neither a URL (postgres://, mysql://) nor key=value pairs");
			return false;
		}
		out->engine = ENGINE_POSTGRES;
		out->is_keyvalue = true;
		return true;
	}
	int			slen = (int) (sep - text);

	if ((slen == 8 && strncasecmp(text, "postgres", 8) == 0) ||
		(slen == 10 && strncasecmp(text, "postgresql", 10) == 0) ||
		(slen == 11 && strncasecmp(text, "cockroachdb", 11) == 0))
		out->engine = ENGINE_POSTGRES;
	else if ((slen == 5 && strncasecmp(text, "mysql", 5) == 0) ||
			 (slen == 7 && strncasecmp(text, "mariadb", 7) == 0))
		out->engine = ENGINE_MYSQL;
	else
	{
		snprintf(err, (size_t) errlen,
				 "unsupported connection URL scheme \"%.*s\" (use postgres://, postgresql://, mysql:// or mariadb://)",
				 slen > 20 ? 20 : slen, text);
		return false;
	}
	p = sep + 3;

	/* authority: [user[:password]@]host[:port] up to '/', '?' or end */
	int			alen = (int) strcspn(p, "/?");
	const char *auth = p;
	const char *at = NULL;

	for (i = alen - 1; i >= 0; i--)
		if (auth[i] == '@')
		{
			at = auth + i;
			break;
		}
	if (at)
	{
		const char *colon = memchr(auth, ':', (size_t) (at - auth));

		if (colon)
		{
			if (!decode_field(auth, (int) (colon - auth), &out->user, "user name", err, errlen) ||
				!decode_field(colon + 1, (int) (at - colon - 1), &out->password, "password", err, errlen))
				return false;
		}
		else if (!decode_field(auth, (int) (at - auth), &out->user, "user name", err, errlen))
			return false;
		if (out->user && out->user[0] == '\0')
		{
			free(out->user);
			out->user = NULL;
		}
	}
	const char *hp = at ? at + 1 : auth;
	int			hlen = (int) (auth + alen - hp);

	if (hlen > 0)
	{
		const char *hend = hp + hlen;
		const char *portp = NULL;

		if (hp[0] == '[')
		{
			const char *rb = memchr(hp, ']', (size_t) hlen);

			if (rb == NULL)
			{
				snprintf(err, (size_t) errlen, "unterminated [ in the host of the connection URL");
				return false;
			}
			out->host = gw_strndup(hp + 1, (size_t) (rb - hp - 1));
			if (rb + 1 < hend)
			{
				if (rb[1] != ':')
				{
					snprintf(err, (size_t) errlen, "unexpected characters after ] in the connection URL");
					return false;
				}
				portp = rb + 2;
			}
		}
		else
		{
			const char *colon = memchr(hp, ':', (size_t) hlen);

			if (colon && memchr(colon + 1, ',', (size_t) (hend - colon - 1)) == NULL)
				portp = colon + 1;
			if (!decode_field(hp, (int) ((portp ? portp - 1 : hend) - hp), &out->host, "host", err, errlen))
				return false;
		}
		if (portp)
		{
			long		port = 0;
			const char *q = portp;

			if (q == hend)
			{
				snprintf(err, (size_t) errlen, "empty port in the connection URL");
				return false;
			}
			for (; q < hend; q++)
			{
				if (!isdigit((unsigned char) *q) || (port = port * 10 + (*q - '0')) > 65535)
				{
					snprintf(err, (size_t) errlen, "invalid port in the connection URL (expected 1-65535)");
					return false;
				}
			}
			if (port == 0)
			{
				snprintf(err, (size_t) errlen, "invalid port in the connection URL (expected 1-65535)");
				return false;
			}
			out->port = (int) port;
		}
		if (out->host && out->host[0] == '\0')
		{
			free(out->host);
			out->host = NULL;
		}
	}
	p = auth + alen;
	if (*p == '/')
	{
		p++;
		int			dlen = (int) strcspn(p, "?");

		if (dlen > 0 && !decode_field(p, dlen, &out->dbname, "database name", err, errlen))
			return false;
		p += dlen;
	}
	if (*p == '?')
	{
		p++;
		while (*p)
		{
			int			plen = (int) strcspn(p, "&");
			const char *eq = memchr(p, '=', (size_t) plen);
			char	   *k,
					   *v;

			if (plen == 0)
			{
				p++;
				continue;
			}
			if (eq == NULL)
			{
				snprintf(err, (size_t) errlen, "connection URL parameter \"%.*s\" has no value",
						 plen > 40 ? 40 : plen, p);
				return false;
			}
			if (!decode_field(p, (int) (eq - p), &k, "parameters", err, errlen))
				return false;
			if (!decode_field(eq + 1, (int) (p + plen - eq - 1), &v, "parameters", err, errlen))
			{
				free(k);
				return false;
			}
			out->params = gw_realloc_array(out->params, (size_t) out->nparams + 1, sizeof(ConnParam));
			out->params[out->nparams].key = k;
			out->params[out->nparams].value = v;
			out->nparams++;
			p += plen;
			if (*p == '&')
				p++;
		}
	}
	/* a socket path given as the host (percent-encoded) or as ?host=/dir */
	const char *hparam = conn_url_param(out, "host");

	if (out->host == NULL && hparam)
		out->host = gw_strdup(hparam);
	return true;
}

char *
conn_url_redacted(const ConnUrl *u)
{
	StrBuf		b;

	if (u->is_keyvalue)
	{
		char	   *s = gw_strdup(u->raw ? u->raw : "");

		/* mask password=... values */
		for (char *p = strstr(s, "password"); p; p = strstr(p + 1, "password"))
		{
			char	   *eq = p + 8;

			while (*eq == ' ')
				eq++;
			if (*eq != '=')
				continue;
			eq++;
			while (*eq == ' ')
				eq++;
			size_t		n = *eq == '\'' ? strcspn(eq + 1, "'") + 2 : strcspn(eq, " ");

			if (n > strlen(eq))
				n = strlen(eq);
			memset(eq, '*', n);
		}
		return s;
	}
	sb_init(&b, 0);
	sb_append(&b, u->engine == ENGINE_POSTGRES ? "postgres://" : "mysql://");
	if (u->user)
		sb_append(&b, u->user);
	if (u->password)
		sb_append(&b, ":****");
	if (u->user || u->password)
		sb_appendc(&b, '@');
	if (u->host && u->host[0] != '/')
		sb_append(&b, u->host);
	if (u->port)
		sb_appendf(&b, ":%d", u->port);
	sb_appendc(&b, '/');
	if (u->dbname)
		sb_append(&b, u->dbname);
	for (int i = 0; i < u->nparams; i++)
	{
		const char *k = u->params[i].key;
		bool		secret = strcasestr(k, "password") != NULL || strcasecmp(k, "pass") == 0;

		sb_appendf(&b, "%c%s=%s", i ? '&' : '?', k, secret ? "****" : u->params[i].value);
	}
	return sb_steal(&b);
}

char *
conn_url_describe(const ConnUrl *u)
{
	char		port[16] = "";

	if (u->is_keyvalue)
		return gw_strdup("postgres (key/value connection string)");
	if (u->port)
		snprintf(port, sizeof(port), ":%d", u->port);
	return gw_asprintf("%s %s%s/%s",
					   u->engine == ENGINE_POSTGRES ? "postgres" : "mysql",
					   u->host ? u->host : "localhost", port,
					   u->dbname ? u->dbname : "");
}
