/* replay.c: runs a fuzz target over corpus files without libFuzzer and prints TAP, for make check. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L   /* opendir, stat under -std=c11 */
#endif
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_FILE (16 * 1024 * 1024)

static int n_tests, n_failed;

/* Reads the whole file into an exact-sized heap block (ASan then sees
 * reads past the end, as under libFuzzer). */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n <= REPLAY_MAX_FILE &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc(n ? (size_t)n : 1)) != NULL &&
	    fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	if (p != NULL)
		*len = (size_t)n;
	fclose(f);
	return p;
}

static void run_file(const char *path)
{
	size_t len = 0;
	unsigned char *p = slurp(path, &len);

	n_tests++;
	if (p == NULL) {
		n_failed++;
		printf("not ok %d - %s (cannot read)\n", n_tests, path);
		return;
	}
	fflush(stdout);   /* a crash below must not eat earlier lines */
	LLVMFuzzerTestOneInput(p, len);
	free(p);
	printf("ok %d - %s\n", n_tests, path);
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sorted, so the TAP numbering is the same on every machine. */
static void run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL) {
		printf("not ok %d - %s (cannot open)\n", ++n_tests, dir);
		n_failed++;
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (names == NULL)
				abort();
		}
		size_t plen = strlen(dir) + strlen(e->d_name) + 2;
		names[n] = malloc(plen);
		if (names[n] == NULL)
			abort();
		snprintf(names[n++], plen, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			run_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
#ifdef REPLAY_DIR
	/* make check runs us without arguments: replay the target's own corpus */
	if (argc < 2) {
		run_dir(REPLAY_DIR);
		printf("1..%d\n", n_tests);
		return n_failed || n_tests == 0 ? 1 : 0;
	}
#endif
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			run_dir(argv[i]);
		else
			run_file(argv[i]);
	}
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
