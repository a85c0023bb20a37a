/*
 * tests/unit/tap.h
 *	  A tiny TAP producer for unit tests (Test Anything Protocol).
 *
 *   ok(cond, "name %d", i);  is_int(got, want, "name");  is_str(got, want, "name");
 *   return done_testing();
 *
 * Each test program prints "ok N - name" / "not ok N - name" lines and a plan
 * at the end; the runner (scripts/test.sh via meson) counts them.
 */
#ifndef GODWIT_TESTS_TAP_H
#define GODWIT_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int	tap_count = 0;
static int	tap_failed = 0;

static inline bool tap_ok(bool cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline bool
tap_ok(bool cond, const char *file, int line, const char *fmt, ...)
{
	va_list		ap;

	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
	{
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok((cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                     \
	do {                                                                           \
		long long tap_g_ = (long long) (got), tap_w_ = (long long) (want);         \
		if (!tap_ok(tap_g_ == tap_w_, __FILE__, __LINE__, __VA_ARGS__))            \
			printf("#   got %lld, want %lld\n", tap_g_, tap_w_);                   \
	} while (0)

#define is_str(got, want, ...)                                                     \
	do {                                                                           \
		const char *tap_g_ = (got), *tap_w_ = (want);                              \
		bool tap_e_ = (tap_g_ == NULL && tap_w_ == NULL) ||                        \
			(tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0);                     \
		if (!tap_ok(tap_e_, __FILE__, __LINE__, __VA_ARGS__))                      \
			printf("#   got  \"%s\"\n#   want \"%s\"\n", tap_g_ ? tap_g_ : "(null)", \
				   tap_w_ ? tap_w_ : "(null)");                                    \
	} while (0)

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
