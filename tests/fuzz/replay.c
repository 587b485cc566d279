/*
** replay.c -- a main() that stands in for libFuzzer: linked with one
** fuzz_<name>.c, it runs LLVMFuzzerTestOneInput() once over every file
** named on the command line, or found in the directories named (SQLite's
** fuzzcheck does the same). It lets the seed corpora and any saved crash
** inputs run as ordinary ctest tests with gcc, no clang needed:
**
**     replay_query [-v] tests/fuzz/corpus/query crash-1234...
**
** Prints "replayed N inputs". Exits 1 if a file cannot be read or nothing
** was found (a wrong path must not pass silently). If an input crashes,
** its name is printed first (with -v, every name is).
*/
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Present only when a sanitizer runtime is linked in. */
extern void __sanitizer_set_death_callback(void (*cb)(void))
    __attribute__((weak));

static const char *replay_current; /* Input being run, for crash reports */
static int         replay_verbose;
static long        replay_count;

static void
replay_say_current(void)
{
    static const char pre[] = "replay: crashed on input ";

    if (replay_current == NULL)
        return;
    /* Async-signal-safe: write(2) only. */
    if (write(STDERR_FILENO, pre, sizeof(pre) - 1) < 0 ||
        write(STDERR_FILENO, replay_current, strlen(replay_current)) < 0 ||
        write(STDERR_FILENO, "\n", 1) < 0)
        return;
}

static void
replay_on_signal(int sig)
{
    replay_say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

static int
replay_file(const char *path)
{
    FILE    *f = fopen(path, "rb");
    uint8_t *data;
    long     size;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return 1;
    }
    /* Exactly 'size' bytes, so ASan catches reads past the input. */
    data = malloc(size ? (size_t) size : 1);
    if (data == NULL || fread(data, 1, (size_t) size, f) != (size_t) size) {
        fprintf(stderr, "replay: %s: short read\n", path);
        free(data);
        fclose(f);
        return 1;
    }
    fclose(f);
    if (replay_verbose)
        fprintf(stderr, "replay: %s (%ld bytes)\n", path, size);
    replay_current = path;
    LLVMFuzzerTestOneInput(data, (size_t) size);
    replay_current = NULL;
    free(data);
    replay_count++;
    return 0;
}

static int
replay_skip(const struct dirent *e)
{
    return e->d_name[0] != '.'; /* ".", "..", ".gitignore", editor files */
}

static int
replay_path(const char *path)
{
    struct stat     st;
    struct dirent **names;
    int             n, rc = 0;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path);
    /* Sorted, so a run is the same run everywhere. */
    n = scandir(path, &names, replay_skip, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
        char  *sub = malloc(len);

        if (sub == NULL) {
            fprintf(stderr, "replay: out of memory\n");
            exit(1);
        }
        snprintf(sub, len, "%s/%s", path, names[i]->d_name);
        rc |= replay_path(sub);
        free(sub);
        free(names[i]);
    }
    free(names);
    return rc;
}

int
main(int argc, char **argv)
{
    int rc = 0, npaths = 0;

    /* A sanitizer reports faults itself (keep its handlers), then calls
    ** the death callback; it leaves abort() alone unless told to. */
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(replay_say_current);
    else {
        signal(SIGSEGV, replay_on_signal);
        signal(SIGBUS, replay_on_signal);
        signal(SIGFPE, replay_on_signal);
        signal(SIGILL, replay_on_signal);
    }
    signal(SIGABRT, replay_on_signal);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) {
            replay_verbose = 1;
            continue;
        }
        npaths++;
        rc |= replay_path(argv[i]);
    }
    if (npaths == 0) {
        fprintf(stderr, "usage: %s [-v] FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    printf("replayed %ld inputs\n", replay_count);
    if (replay_count == 0) {
        fprintf(stderr, "replay: no inputs found\n");
        rc = 1;
    }
    return rc ? 1 : 0;
}
