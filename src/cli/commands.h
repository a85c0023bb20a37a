/*
 * src/cli/commands.h
 *	  Every sub-command's table entry, defined in its cmd_*.c file and listed
 *	  in main.c's command table.
 */
#ifndef GODWIT_CLI_COMMANDS_H
#define GODWIT_CLI_COMMANDS_H

#include "cli/options.h"

extern const Command command_check;
extern const Command command_cutover;
extern const Command command_failback;
extern const Command command_fetch;
extern const Command command_finalize;
extern const Command command_migrate;
extern const Command command_replicate;
extern const Command command_schema;
extern const Command command_status;
extern const Command command_verify;
extern const Command command_version;

#endif
