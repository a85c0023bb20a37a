/*
 * src/core/check.c
 *	  Preflight: run the source driver's checks and the target's (see check.h).
 */
#include "core/check.h"

#include "dialect/source.h"
#include "dialect/target.h"

void
check_run(const CheckOptions *opts, CheckList *out)
{
	TargetDialect dialect = TARGET_COCKROACH;	/* the stricter one when unknown */
	PgConn		target;
	bool		target_ok = false;

	if (opts->target)
	{
		if (target_connect(&target, opts->target))
		{
			target_ok = true;
			dialect = target_dialect(&target);
			target_check(&target, out);
			pg_disconnect(&target);
		}
		else
			checklist_add(out, "target", "connection", CHECK_FAIL,
						  "check the --target URL, the server and the credentials",
						  "cannot connect to the target (see the error above)");
	}
	if (opts->source)
	{
		Source	   *src = source_open(opts->source);

		if (src == NULL)
		{
			checklist_add(out, "source", "connection", CHECK_FAIL,
						  "check the --source URL, the server and the credentials",
						  "cannot connect to the source (see the error above)");
			return;
		}
		SourceCheckOptions so = {
			.filter = opts->filter,
			.allow_no_pk = opts->allow_no_pk,
			.no_replication = opts->no_replication,
			.target = dialect,
		};

		src->ops->check(src, &so, out);
		source_close(src);
	}
	(void) target_ok;
}
