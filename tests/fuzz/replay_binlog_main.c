/*
 * tests/fuzz/replay_binlog_main.c
 *	  Replay a fuzzer's corpus without a fuzzing engine: feed every file of a
 *	  directory to LLVMFuzzerTestOneInput and print TAP, one "ok" per file.
 *	  A crash or sanitizer report ends the run (and fails the test).
 *
 *   replay_binlog_event tests/fuzz/corpus/binlog_event
 *
 * (Kept separate from the pgoutput replayer being written in parallel; the
 * two will be unified.)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

int
main(int argc, char **argv)
{
	DIR		   *d;
	struct dirent *de;
	char	  **names = NULL;
	size_t		n = 0,
				cap = 0;
	int			failed = 0;

	if (argc != 2)
	{
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	d = opendir(argv[1]);
	if (!d)
	{
		printf("not ok 1 - corpus directory %s readable\n1..1\n", argv[1]);
		return 1;
	}
	while ((de = readdir(d)) != NULL)
	{
		if (de->d_name[0] == '.')
			continue;
		if (n == cap)
		{
			cap = cap ? cap * 2 : 256;
			names = realloc(names, cap * sizeof(char *));
			if (!names)
				abort();
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmp);
	for (size_t i = 0; i < n; i++)
	{
		char		path[4096];
		FILE	   *f;
		unsigned char *buf = NULL;
		size_t		len = 0,
					bcap = 0;

		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		f = fopen(path, "rb");
		if (!f)
		{
			printf("not ok %zu - %s unreadable\n", i + 1, names[i]);
			failed++;
			continue;
		}
		for (;;)
		{
			if (len == bcap)
			{
				bcap = bcap ? bcap * 2 : 65536;
				buf = realloc(buf, bcap);
				if (!buf)
					abort();
			}
			size_t		r = fread(buf + len, 1, bcap - len, f);

			if (r == 0)
				break;
			len += r;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		printf("ok %zu - %s (%zu bytes)\n", i + 1, names[i], len);
		fflush(stdout);
		free(buf);
		free(names[i]);
	}
	free(names);
	printf("1..%zu\n", n);
	return failed ? 1 : 0;
}
