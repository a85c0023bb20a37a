/*
 * src/common/lsn.c
 *	  Parse and format PostgreSQL LSNs ("16/B374D848").
 */
#include "common/lsn.h"

#include <ctype.h>
#include <stdio.h>

/* Parse up to 8 hex digits; returns the number of digits consumed (0 = error). */
static int
lsn_hex32(const char *s, uint32_t *out)
{
	uint32_t	v = 0;
	int			n = 0;

	while (isxdigit((unsigned char) s[n]))
	{
		if (n == 8)
			return 0;
		int			c = s[n];

		v = (v << 4) | (uint32_t) (isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
		n++;
	}
	*out = v;
	return n;
}

/*
 * lsn_parse
 *		Parse "X/Y" (each part 1-8 hex digits, no prefix, no spaces).
 *
 * Returns false when s is not exactly an LSN.
 */
bool
lsn_parse(const char *s, Lsn *out)
{
	uint32_t	hi,
				lo;
	int			n;

	if (s == NULL || (n = lsn_hex32(s, &hi)) == 0 || s[n] != '/')
		return false;
	s += n + 1;
	if ((n = lsn_hex32(s, &lo)) == 0 || s[n] != '\0')
		return false;
	*out = ((Lsn) hi << 32) | lo;
	return true;
}

void
lsn_format(Lsn lsn, char *buf, int buflen)
{
	snprintf(buf, (size_t) buflen, LSN_FMT, LSN_ARGS(lsn));
}
