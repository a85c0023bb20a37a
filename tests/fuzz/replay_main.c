/*
 * tests/fuzz/replay_main.c
 *	  A plain main() for any libFuzzer entry point: feed every file of a
 *	  corpus to LLVMFuzzerTestOneInput and report one TAP line per file.
 *
 * Linked with fuzz_<name>.c into replay_<name> (tests/meson.build), so the
 * regression corpus (seeds and every crasher ever fixed) runs in the ordinary
 * test suite without a fuzzing engine:
 *
 *     replay_pgoutput tests/fuzz/corpus/pgoutput        # a directory
 *     replay_pgoutput crash-1234 slow-unit-5678         # or files
 *
 * Each input is copied into a buffer of exactly its size, so AddressSanitizer
 * sees any read past the end.  A crash or sanitizer report ends the process
 * (the runner counts it as a failure); otherwise "ok N - file" per input.
 * An optional LLVMFuzzerInitialize is not supported: entry points that need
 * setup do it lazily.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int	ntests = 0;
static int	nfailed = 0;

/* Read path into a new exact-size buffer (caller frees); NULL on error. */
static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	struct stat st;
	uint8_t    *buf;

	if (f == NULL)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0)
	{
		fclose(f);
		return NULL;
	}
	*len = (size_t) st.st_size;
	buf = malloc(*len ? *len : 1);
	if (buf == NULL || (*len && fread(buf, 1, *len, f) != *len))
	{
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	return buf;
}

static void
replay_one(const char *path, const char *label)
{
	size_t		len = 0;
	uint8_t    *buf = read_file(path, &len);

	ntests++;
	if (buf == NULL)
	{
		nfailed++;
		printf("not ok %d - %s: %s\n", ntests, label, strerror(errno));
		return;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	printf("ok %d - %s (%zu bytes)\n", ntests, label, len);
	fflush(stdout);
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
replay_dir(const char *dir)
{
	struct dirent **names;
	int			n = scandir(dir, &names, NULL, by_name);

	if (n < 0)
	{
		ntests++;
		nfailed++;
		printf("not ok %d - corpus %s: %s\n", ntests, dir, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++)
	{
		char		path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			replay_one(path, names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	if (argc < 2)
	{
		fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
	{
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			replay_dir(argv[i]);
		else
			replay_one(argv[i], argv[i]);
	}
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}
