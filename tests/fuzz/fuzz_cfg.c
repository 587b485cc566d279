/*
** fuzz_cfg.c -- libFuzzer target for the configuration file reader: the
** input is the file given with --config, read by cfg_load() as the CLI
** does (cfg_init() first, no environment, no other flag). Whatever the
** file says -- long lines, NUL bytes, unknown settings, numbers with odd
** suffixes -- the load must fail with a message or succeed with every
** setting inside its documented range, never crash or leak. On success
** the effective configuration is also written with cfg_write_json() and
** must read back as a JSON object (yajl_tree_parse).
**
** The file lives in a memfd (memfd_create) opened through its
** /proc/self/fd/N path, so parallel fuzzing jobs never share a file and
** nothing is left behind; without memfd or /proc, a per-process file in
** /tmp is used and removed at exit. See README.md.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "cfg.h"
#include "fuzz_util.h"
#include "jw.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int  fz_fd = -1;
static char fz_path[64];

static void
fz_unlink(void)
{
    unlink(fz_path);
}

static void
fz_open(void)
{
    fz_fd = memfd_create("fuzz_cfg", MFD_CLOEXEC);
    if (fz_fd >= 0) {
        snprintf(fz_path, sizeof(fz_path), "/proc/self/fd/%d", fz_fd);
        if (access(fz_path, R_OK) == 0)
            return;
        close(fz_fd);
    }
    snprintf(fz_path, sizeof(fz_path), "/tmp/consometer-fuzz-cfg.%ld",
             (long) getpid());
    fz_fd = open(fz_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fz_fd < 0) {
        fprintf(stderr, "fuzz_cfg: %s: %s\n", fz_path, strerror(errno));
        abort();
    }
    atexit(fz_unlink);
}

static void
fz_write(const uint8_t *data, size_t size)
{
    size_t done = 0;

    FZ_CHECK(ftruncate(fz_fd, 0) == 0);
    while (done < size) {
        ssize_t k = pwrite(fz_fd, data + done, size - done, (off_t) done);

        if (k < 0 && errno == EINTR)
            continue;
        FZ_CHECK(k > 0);
        done += (size_t) k;
    }
}

static void
check_str(const char *field, size_t size)
{
    FZ_CHECK(memchr(field, '\0', size) != NULL);
    FZ_CHECK(field[0] != '\0');
}

#define IN(v, lo, hi) ((v) >= (lo) && (v) <= (hi))

static void
check_loaded(const struct cfg *c)
{
    struct jw    *w = jw_new();
    struct cm_err err;
    const char   *json;
    size_t        len;
    char         *doc, errbuf[256];
    yajl_val      v;

    check_str(c->http_listen, sizeof(c->http_listen));
    check_str(c->data_dir, sizeof(c->data_dir));
    check_str(c->portal_dir, sizeof(c->portal_dir));
    FZ_CHECK(strcmp(c->config_file, fz_path) == 0);
    FZ_CHECK(IN(c->http_port, 0, 65535));
    FZ_CHECK(IN(c->http_threads, 1, CM_MAX_THREADS));
    FZ_CHECK(IN(c->http_body_max, 1024, CM_MAX_BODY));
    FZ_CHECK(IN(c->http_timeout_ms, 100, 3600000));
    FZ_CHECK(IN(c->http_keep_alive_ms, 0, 600000));
    FZ_CHECK(IN(c->http_shutdown_grace_ms, 0, 600000));
    FZ_CHECK(IN(c->http_static_max_age, 0, 31536000));
    FZ_CHECK(IN(c->api_page_default, 1, CM_MAX_PAGE));
    FZ_CHECK(IN(c->api_page_max, 1, CM_MAX_PAGE));
    FZ_CHECK(c->api_page_default <= c->api_page_max);
    FZ_CHECK(IN(c->store_busy_timeout_ms, 0, 600000));
    FZ_CHECK(IN(c->log_level, CM_LOG_ERROR, CM_LOG_DEBUG));
    FZ_CHECK(cfg_check(c, &err) == CM_OK);

    cfg_write_json(c, w, 1);
    FZ_CHECK(jw_result(w, &json, &len, &err) == CM_OK);
    doc = malloc(len + 1);
    FZ_CHECK(doc != NULL);
    memcpy(doc, json, len);
    doc[len] = '\0';
    jw_free(w);
    v = yajl_tree_parse(doc, errbuf, sizeof(errbuf));
    FZ_CHECK(YAJL_IS_OBJECT(v));
    yajl_tree_free(v);
    free(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char          flag[] = "--config";
    char         *argv[3] = {flag, fz_path, NULL};
    char         *envp[1] = {NULL};
    struct cfg    c;
    struct cm_err err;
    int           rc, nrest = -1;

    if (fz_fd < 0)
        fz_open();
    fz_write(data, size);
    cfg_init(&c);
    memset(&err, 0, sizeof(err));
    rc = cfg_load(&c, 2, argv, envp, &nrest, &err);
    if (rc == CM_OK) {
        FZ_CHECK(nrest == 0);
        check_loaded(&c);
    } else {
        FZ_CHECK(rc == (int) err.code);
        FZ_CHECK(rc == CM_EINVAL || rc == CM_EIO);
        FZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
        FZ_CHECK(err.msg[0] != '\0');
    }
    cm_log_set_level(CM_LOG_INFO); /* cfg_load() set it from the file */
    return 0;
}
