/*
 * src/common/timeutil.h
 *	  Clocks and time formatting.
 */
#ifndef GODWIT_COMMON_TIMEUTIL_H
#define GODWIT_COMMON_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

/* Microseconds on the monotonic clock (for durations). */
int64_t		time_mono_us(void);
/* Microseconds since the Unix epoch (wall clock). */
int64_t		time_now_us(void);
/* The wall-clock instant us microseconds from now, for pthread_cond_timedwait. */
struct timespec time_deadline_after(int64_t us);
/* Sleep for us microseconds (restarts on EINTR until elapsed or *stop set). */
void		time_sleep_us(int64_t us);
/* "2026-11-24T04:08:39.123Z" into buf (at least 32 bytes). */
void		time_format_iso(int64_t epoch_us, char *buf, int buflen);
/* "1h02m", "3.4s", "120ms" into buf. */
void		time_format_duration(int64_t us, char *buf, int buflen);

/* PostgreSQL's epoch (2000-01-01) offset from the Unix epoch, in microseconds. */
#define PG_EPOCH_OFFSET_US	INT64_C(946684800000000)

#endif
