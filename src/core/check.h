/*
 * src/core/check.h
 *	  godwit check: the preflight a DBA runs before migrating.
 */
#ifndef GODWIT_CORE_CHECK_H
#define GODWIT_CORE_CHECK_H

#include <stdbool.h>

#include "catalog/filter.h"
#include "common/checklist.h"
#include "common/url.h"

typedef struct CheckOptions
{
	const ConnUrl *source;		/* NULL: skip the source */
	const ConnUrl *target;		/* NULL: skip the target */
	const TableFilter *filter;
	bool		allow_no_pk;
	bool		no_replication;
} CheckOptions;

/*
 * check_run
 *		Fill out with one item per check.  A server that cannot be reached is
 *		itself a FAIL item (and logged).
 */
void		check_run(const CheckOptions *opts, CheckList *out);

#endif
