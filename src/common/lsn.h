/*
 * src/common/lsn.h
 *	  PostgreSQL log sequence numbers: parse and format "X/Y".
 */
#ifndef GODWIT_COMMON_LSN_H
#define GODWIT_COMMON_LSN_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t Lsn;

#define LSN_INVALID		((Lsn) 0)
#define LSN_FMT			"%X/%X"
#define LSN_ARGS(l)		(unsigned) ((l) >> 32), (unsigned) (l)
#define LSN_STRLEN		(17 + 1 + 1)	/* "FFFFFFFF/FFFFFFFF" + NUL */

bool		lsn_parse(const char *s, Lsn *out);
void		lsn_format(Lsn lsn, char *buf, int buflen);

#endif
