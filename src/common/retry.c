/*
 * src/common/retry.c
 *	  Backoff with decorrelated jitter (see retry.h).
 */
#include "common/retry.h"

#include "common/signals.h"
#include "common/timeutil.h"

const RetryPolicy RETRY_RECONNECT = {0, 250000, 10000000, 300000000};
const RetryPolicy RETRY_TXN = {30, 10000, 2000000, 0};

void
retry_init(RetryState *r, const RetryPolicy *p)
{
	r->policy = *p;
	r->attempt = 0;
	r->sleep_us = p->base_us;
	r->started_us = time_mono_us();
	r->rng = (uint64_t) time_now_us() ^ ((uint64_t) (uintptr_t) r << 17) ^ 0x9e3779b97f4a7c15ULL;
}

static uint64_t
retry_rand(RetryState *r)
{
	/* xorshift64* */
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 2685821657736338717ULL;
}

int64_t
retry_next_delay(RetryState *r)
{
	int64_t		lo = r->policy.base_us;
	int64_t		hi = r->sleep_us * 3;

	if (hi <= lo)
		hi = lo + 1;
	int64_t		d = lo + (int64_t) (retry_rand(r) % (uint64_t) (hi - lo));

	if (d > r->policy.cap_us)
		d = r->policy.cap_us;
	r->sleep_us = d;
	r->attempt++;
	return d;
}

bool
retry_wait(RetryState *r)
{
	if (signals_should_stop())
		return false;
	if (r->policy.max_attempts > 0 && r->attempt >= r->policy.max_attempts)
		return false;
	int64_t		d = retry_next_delay(r);

	if (r->policy.max_total_us > 0 && time_mono_us() + d - r->started_us > r->policy.max_total_us)
		return false;
	/* sleep in slices so a stop request is honoured promptly */
	int64_t		until = time_mono_us() + d;

	while (time_mono_us() < until)
	{
		if (signals_should_stop())
			return false;
		int64_t		left = until - time_mono_us();

		time_sleep_us(left < 100000 ? left : 100000);
	}
	return true;
}
