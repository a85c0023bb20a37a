/*
 * src/common/opts.c
 *	  Range-checked option value parsers (see opts.h).
 */
#include "common/opts.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool
opt_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char	   *end;
	long long	v;

	if (s == NULL || *s == '\0' || isspace((unsigned char) *s))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool
opt_parse_size(const char *s, uint64_t *out)
{
	char	   *end;
	unsigned long long v;
	uint64_t	mult = 1;

	if (s == NULL || !isdigit((unsigned char) *s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return false;
	while (*end == ' ')
		end++;
	if (*end)
	{
		static const struct
		{
			const char *suffix;
			uint64_t	mult;
		}			units[] = {
			{"b", 1}, {"k", 1ULL << 10}, {"kb", 1ULL << 10}, {"kib", 1ULL << 10},
			{"m", 1ULL << 20}, {"mb", 1ULL << 20}, {"mib", 1ULL << 20},
			{"g", 1ULL << 30}, {"gb", 1ULL << 30}, {"gib", 1ULL << 30},
			{"t", 1ULL << 40}, {"tb", 1ULL << 40}, {"tib", 1ULL << 40},
		};
		bool		found = false;

		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		{
			if (strcasecmp(end, units[i].suffix) == 0)
			{
				mult = units[i].mult;
				found = true;
				break;
			}
		}
		if (!found)
			return false;
	}
	if (v > UINT64_MAX / mult)
		return false;
	*out = v * mult;
	return true;
}

bool
opt_parse_duration(const char *s, int64_t *out_us)
{
	double		total = 0;
	const char *p = s;

	if (s == NULL || *s == '\0')
		return false;
	while (*p)
	{
		char	   *end;
		double		v;
		double		mult;

		if (!isdigit((unsigned char) *p) && *p != '.')
			return false;
		errno = 0;
		v = strtod(p, &end);
		if (errno != 0 || end == p || v < 0)
			return false;
		p = end;
		if (strncmp(p, "ms", 2) == 0)
			mult = 1e3, p += 2;
		else if (strncmp(p, "us", 2) == 0)
			mult = 1, p += 2;
		else if (*p == 's')
			mult = 1e6, p++;
		else if (*p == 'm')
			mult = 60e6, p++;
		else if (*p == 'h')
			mult = 3600e6, p++;
		else if (*p == 'd')
			mult = 86400e6, p++;
		else if (*p == '\0' && p == end && total == 0)
			mult = 1e6;			/* bare number: seconds */
		else
			return false;
		total += v * mult;
	}
	if (!isfinite(total) || total > 9.2e18)
		return false;
	*out_us = (int64_t) llround(total);
	return true;
}

bool
opt_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "on", "yes", "1", "t", "y"};
	static const char *const no[] = {"false", "off", "no", "0", "f", "n"};

	if (s == NULL)
		return false;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
	{
		if (strcasecmp(s, yes[i]) == 0)
		{
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0)
		{
			*out = false;
			return true;
		}
	}
	return false;
}
