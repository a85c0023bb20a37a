/*
 * src/common/signals.c
 *	  Install handlers that set flags (see signals.h).
 */
#include "common/signals.h"

#include <string.h>
#include <unistd.h>

volatile sig_atomic_t signal_stop_requested = 0;
volatile sig_atomic_t signal_cutover_requested = 0;

static void
handle_stop(int signo)
{
	if (signal_stop_requested && signo == SIGINT)
		_exit(130);
	signal_stop_requested = 1;
}

static void
handle_cutover(int signo)
{
	(void) signo;
	signal_cutover_requested = 1;
}

void
signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = handle_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = handle_cutover;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}
