/*
 * src/common/timeutil.c
 *	  Clocks and time formatting.
 */
#include "common/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

int64_t
time_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
time_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct timespec
time_deadline_after(int64_t us)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (us < 0)
		us = 0;
	ts.tv_sec += (time_t) (us / 1000000);
	ts.tv_nsec += (long) (us % 1000000) * 1000;
	ts.tv_sec += ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	return ts;
}

void
time_sleep_us(int64_t us)
{
	struct timespec ts;

	if (us <= 0)
		return;
	ts.tv_sec = us / 1000000;
	ts.tv_nsec = (us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void
time_format_iso(int64_t epoch_us, char *buf, int buflen)
{
	time_t		secs = (time_t) (epoch_us / 1000000);
	struct tm	tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, (size_t) buflen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int) ((epoch_us % 1000000) / 1000));
}

void
time_format_duration(int64_t us, char *buf, int buflen)
{
	if (us < 0)
		us = 0;
	if (us < 1000)
		snprintf(buf, (size_t) buflen, "%dus", (int) us);
	else if (us < 1000000)
		snprintf(buf, (size_t) buflen, "%dms", (int) (us / 1000));
	else if (us < 60 * INT64_C(1000000))
		snprintf(buf, (size_t) buflen, "%.1fs", (double) us / 1e6);
	else if (us < 3600 * INT64_C(1000000))
		snprintf(buf, (size_t) buflen, "%dm%02ds", (int) (us / 60000000), (int) (us / 1000000 % 60));
	else
		snprintf(buf, (size_t) buflen, "%dh%02dm", (int) (us / 3600000000LL),
				 (int) (us / 60000000 % 60));
}
