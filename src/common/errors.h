/*
 * src/common/errors.h
 *	  What kind of failure ended a command, and the exit codes for each.
 *
 * Functions return bool and log their error once where it happens.  To let
 * the CLI pick an exit code without threading an error object through every
 * call, the place that fails also records its kind with err_set_kind(); the
 * first kind recorded in the process wins (later failures are usually
 * consequences of the first).  Only cli/ calls exit().
 *
 * Exit codes (documented in README.md; keep in sync):
 */
#ifndef GODWIT_COMMON_ERRORS_H
#define GODWIT_COMMON_ERRORS_H

typedef enum ErrKind
{
	ERR_NONE = 0,
	ERR_ARGS,					/* bad flags or arguments */
	ERR_CHECK,					/* preflight found a blocking problem */
	ERR_SOURCE,					/* source unreachable, refused, or failed */
	ERR_TARGET,					/* target unreachable, refused, or failed */
	ERR_MISMATCH,				/* verification found differences */
	ERR_SCHEMA,					/* schema cannot be converted or does not match */
	ERR_STATE,					/* migration state missing or inconsistent */
	ERR_INTERRUPTED,			/* stopped by SIGINT/SIGTERM before finishing */
	ERR_INTERNAL,				/* a bug */
} ErrKind;

#define EXIT_OK				0
#define EXIT_BAD_ARGS		1
#define EXIT_CHECK_FAILED	2
#define EXIT_SOURCE			3
#define EXIT_TARGET			4
#define EXIT_MISMATCH		5
#define EXIT_SCHEMA			6
#define EXIT_STATE			7
#define EXIT_INTERRUPTED	8
#define EXIT_INTERNAL		9

void		err_set_kind(ErrKind kind);
ErrKind		err_kind(void);
void		err_reset(void);
int			err_exit_code(ErrKind kind);
const char *err_kind_name(ErrKind kind);

#endif
