/*
 * src/cli/options.c
 *	  Table-driven option parsing with environment fallbacks (see options.h).
 */
#include "cli/options.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/opts.h"

#define MAX_OPTIONS 128

static const void *set_targets[MAX_OPTIONS];
static int	nset_targets;

const char *
options_env_name(const char *name)
{
	static _Thread_local char buf[96];
	size_t		n = 0;

	n += (size_t) snprintf(buf, sizeof(buf), "GODWIT_");
	for (const char *p = name; *p && n < sizeof(buf) - 1; p++)
		buf[n++] = *p == '-' ? '_' : (char) toupper((unsigned char) *p);
	buf[n] = '\0';
	return buf;
}

bool
options_was_set(const void *target)
{
	for (int i = 0; i < nset_targets; i++)
		if (set_targets[i] == target)
			return true;
	return false;
}

static void
mark_set(const void *target)
{
	if (nset_targets < MAX_OPTIONS)
		set_targets[nset_targets++] = target;
}

/* Parse value for spec; source says where it came from, for the message. */
static bool
option_assign(const OptSpec *o, const char *value, const char *source)
{
	switch (o->type)
	{
		case OPT_STRING:
			*(char **) o->target = gw_strdup(value);
			return true;
		case OPT_INT:
			if (!opt_parse_int(value, o->min, o->max, (int64_t *) o->target))
			{
				fprintf(stderr, "godwit: invalid value for --%s%s: expected an integer from %lld to %lld\n",
						o->name, source, (long long) o->min, (long long) o->max);
				return false;
			}
			return true;
		case OPT_SIZE:
			if (!opt_parse_size(value, (uint64_t *) o->target))
			{
				fprintf(stderr, "godwit: invalid value for --%s%s: expected a size such as 64MB or 1GiB\n",
						o->name, source);
				return false;
			}
			return true;
		case OPT_DURATION:
			if (!opt_parse_duration(value, (int64_t *) o->target))
			{
				fprintf(stderr, "godwit: invalid value for --%s%s: expected a duration such as 500ms, 5s or 2m\n",
						o->name, source);
				return false;
			}
			return true;
		case OPT_FLAG:
			if (value == NULL)
			{
				*(bool *) o->target = true;
				return true;
			}
			if (!opt_parse_bool(value, (bool *) o->target))
			{
				fprintf(stderr, "godwit: invalid value for --%s%s: expected true or false\n", o->name, source);
				return false;
			}
			return true;
		case OPT_ENUM:
			for (int i = 0; o->choices[i]; i++)
			{
				if (strcmp(value, o->choices[i]) == 0)
				{
					*(int *) o->target = i;
					return true;
				}
			}
			fprintf(stderr, "godwit: invalid value for --%s%s: expected one of", o->name, source);
			for (int i = 0; o->choices[i]; i++)
				fprintf(stderr, "%s %s", i ? "," : "", o->choices[i]);
			fprintf(stderr, "\n");
			return false;
		case OPT_END:
			break;
	}
	return false;
}

static int
count_specs(const OptSpec *specs)
{
	int			n = 0;

	while (specs && specs[n].type != OPT_END)
		n++;
	return n;
}

bool
options_parse(const Command *cmd, const OptSpec *common, int argc, char **argv, bool *help_shown)
{
	const OptSpec *all[MAX_OPTIONS];
	struct option longopts[MAX_OPTIONS + 2];
	bool		given[MAX_OPTIONS] = {false};
	int			n = 0;

	*help_shown = false;
	nset_targets = 0;
	for (int i = 0; i < count_specs(cmd->options); i++)
		all[n++] = &cmd->options[i];
	if (cmd->common_options)
		for (int i = 0; i < count_specs(common); i++)
			all[n++] = &common[i];
	for (int i = 0; i < n; i++)
	{
		longopts[i].name = all[i]->name;
		longopts[i].has_arg = all[i]->type == OPT_FLAG ? no_argument : required_argument;
		longopts[i].flag = NULL;
		longopts[i].val = 1000 + i;
	}
	longopts[n] = (struct option) {"help", no_argument, NULL, 'h'};
	longopts[n + 1] = (struct option) {NULL, 0, NULL, 0};

	optind = 1;
	opterr = 0;
	for (;;)
	{
		int			longindex = -1;
		int			c = getopt_long(argc, argv, ":h", longopts, &longindex);

		if (c == -1)
			break;
		if (c == 'h')
		{
			options_print_help(cmd, common);
			*help_shown = true;
			return true;
		}
		if (c == '?' || c == ':')
		{
			const char *bad = argv[optind - 1];

			if (c == ':')
				fprintf(stderr, "godwit %s: option %s needs a value\n", cmd->name, bad);
			else
				fprintf(stderr, "godwit %s: unknown option %s\n", cmd->name, bad);
			fprintf(stderr, "Try \"godwit %s --help\" for more information.\n", cmd->name);
			return false;
		}
		int			idx = c - 1000;

		if (idx < 0 || idx >= n)
			return false;
		if (!option_assign(all[idx], optarg, ""))
			return false;
		given[idx] = true;
		mark_set(all[idx]->target);
	}
	if (optind < argc)
	{
		fprintf(stderr, "godwit %s: unexpected argument \"%s\"\n", cmd->name, argv[optind]);
		fprintf(stderr, "Try \"godwit %s --help\" for more information.\n", cmd->name);
		return false;
	}
	/* environment, then defaults */
	for (int i = 0; i < n; i++)
	{
		if (given[i])
			continue;
		const char *env = getenv(options_env_name(all[i]->name));

		if (env && env[0])
		{
			char		src[128];

			snprintf(src, sizeof(src), " (from %s)", options_env_name(all[i]->name));
			if (!option_assign(all[i], env, src))
				return false;
			mark_set(all[i]->target);
			continue;
		}
		if (all[i]->default_value && !option_assign(all[i], all[i]->default_value, " (default)"))
			return false;
		if (all[i]->required && all[i]->default_value == NULL)
		{
			fprintf(stderr, "godwit %s: --%s is required (or set %s)\n", cmd->name, all[i]->name,
					options_env_name(all[i]->name));
			fprintf(stderr, "Try \"godwit %s --help\" for more information.\n", cmd->name);
			return false;
		}
	}
	return true;
}

static void
print_specs(const OptSpec *specs)
{
	for (int i = 0; i < count_specs(specs); i++)
	{
		const OptSpec *o = &specs[i];
		char		left[64];

		if (o->type == OPT_FLAG)
			snprintf(left, sizeof(left), "--%s", o->name);
		else
			snprintf(left, sizeof(left), "--%s %s", o->name, o->metavar ? o->metavar : "VALUE");
		printf("  %-34s %s", left, o->help);
		if (o->type == OPT_ENUM)
		{
			printf(" (");
			for (int k = 0; o->choices[k]; k++)
				printf("%s%s", k ? ", " : "", o->choices[k]);
			printf(")");
		}
		if (o->default_value && o->type != OPT_FLAG)
			printf(" [default: %s]", o->default_value);
		if (o->required)
			printf(" [required]");
		printf("\n  %-34s env: %s\n", "", options_env_name(o->name));
	}
}

void
options_print_help(const Command *cmd, const OptSpec *common)
{
	printf("godwit %s - %s\n\n", cmd->name, cmd->summary);
	if (cmd->description)
		printf("%s\n\n", cmd->description);
	printf("Usage: godwit %s [OPTIONS]\n\n", cmd->name);
	if (count_specs(cmd->options) > 0)
	{
		printf("Options:\n");
		print_specs(cmd->options);
	}
	if (cmd->common_options)
	{
		printf("\nCommon options:\n");
		print_specs(common);
	}
	printf("  %-34s show this help and exit\n", "--help");
	printf("\nEvery option can also be set with its environment variable; the command line wins.\n");
}
