/*
 * src/common/signals.h
 *	  Signal flags.  Handlers only set these; loops check them.
 *
 *   SIGINT, SIGTERM  -> signal_stop_requested (finish the current unit, stop)
 *   second SIGINT    -> immediate _exit (the user really means it)
 *   SIGUSR1          -> signal_cutover_requested (godwit migrate: start cutover)
 *   SIGPIPE          -> ignored (a closed socket is an error return, not a death)
 */
#ifndef GODWIT_COMMON_SIGNALS_H
#define GODWIT_COMMON_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

extern volatile sig_atomic_t signal_stop_requested;
extern volatile sig_atomic_t signal_cutover_requested;

void		signals_install(void);

static inline bool
signals_should_stop(void)
{
	return signal_stop_requested != 0;
}

#endif
