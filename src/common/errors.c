/*
 * src/common/errors.c
 *	  Failure kinds and exit codes (see errors.h).
 */
#include "common/errors.h"

#include <stdatomic.h>

static _Atomic int first_kind = ERR_NONE;

void
err_set_kind(ErrKind kind)
{
	int			expected = ERR_NONE;

	atomic_compare_exchange_strong(&first_kind, &expected, (int) kind);
}

ErrKind
err_kind(void)
{
	return (ErrKind) atomic_load(&first_kind);
}

void
err_reset(void)
{
	atomic_store(&first_kind, ERR_NONE);
}

int
err_exit_code(ErrKind kind)
{
	switch (kind)
	{
		case ERR_NONE:
			return EXIT_OK;
		case ERR_ARGS:
			return EXIT_BAD_ARGS;
		case ERR_CHECK:
			return EXIT_CHECK_FAILED;
		case ERR_SOURCE:
			return EXIT_SOURCE;
		case ERR_TARGET:
			return EXIT_TARGET;
		case ERR_MISMATCH:
			return EXIT_MISMATCH;
		case ERR_SCHEMA:
			return EXIT_SCHEMA;
		case ERR_STATE:
			return EXIT_STATE;
		case ERR_INTERRUPTED:
			return EXIT_INTERRUPTED;
		case ERR_INTERNAL:
			return EXIT_INTERNAL;
	}
	return EXIT_INTERNAL;
}

const char *
err_kind_name(ErrKind kind)
{
	switch (kind)
	{
		case ERR_NONE:
			return "ok";
		case ERR_ARGS:
			return "bad arguments";
		case ERR_CHECK:
			return "preflight check failed";
		case ERR_SOURCE:
			return "source error";
		case ERR_TARGET:
			return "target error";
		case ERR_MISMATCH:
			return "verification mismatch";
		case ERR_SCHEMA:
			return "schema error";
		case ERR_STATE:
			return "migration state error";
		case ERR_INTERRUPTED:
			return "interrupted";
		case ERR_INTERNAL:
			return "internal error";
	}
	return "internal error";
}
