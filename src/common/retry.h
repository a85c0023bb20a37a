/*
 * src/common/retry.h
 *	  Exponential backoff with decorrelated jitter, for reconnects and for
 *	  retrying target transactions (CockroachDB's SQLSTATE 40001).
 *
 *   RetryState r;
 *   retry_init(&r, &RETRY_RECONNECT);
 *   while (!try()) { if (!retry_wait(&r)) give up; }
 *
 * (AWS Architecture Blog, "Exponential Backoff And Jitter": sleep =
 *  min(cap, random_between(base, previous * 3)).)
 */
#ifndef GODWIT_COMMON_RETRY_H
#define GODWIT_COMMON_RETRY_H

#include <stdbool.h>
#include <stdint.h>

typedef struct RetryPolicy
{
	int			max_attempts;	/* 0 = unlimited (until deadline) */
	int64_t		base_us;
	int64_t		cap_us;
	int64_t		max_total_us;	/* 0 = no deadline */
} RetryPolicy;

typedef struct RetryState
{
	RetryPolicy policy;
	int			attempt;		/* retries done so far */
	int64_t		sleep_us;		/* last sleep */
	int64_t		started_us;
	uint64_t	rng;
} RetryState;

extern const RetryPolicy RETRY_RECONNECT;	/* 250ms .. 10s, for 5 minutes */
extern const RetryPolicy RETRY_TXN;			/* 10ms .. 2s, 30 attempts */

void		retry_init(RetryState *r, const RetryPolicy *p);
/* Sleep before the next attempt; false when attempts or time are used up
 * or a stop was requested. */
bool		retry_wait(RetryState *r);
/* The delay retry_wait would sleep next (advances the state; for tests). */
int64_t		retry_next_delay(RetryState *r);

#endif
