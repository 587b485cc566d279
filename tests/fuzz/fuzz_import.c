/*
** fuzz_import.c -- libFuzzer target for one importer, chosen at build
** time with -DFUZZ_FORMAT="csv" (CMake builds one target per format:
** fuzz_imp_csv, fuzz_imp_enedis, ...). Every input goes through imp_run()
** into a real SQLite store (in memory) with a small registry, so the
** parser, the driver's meter lookups, counters, unit conversions and the
** transaction's rollback all run. Whatever the bytes, imp_run() must
** return a code, fill the result consistently, and leave no transaction
** open; ASan/UBSan watch the rest.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imp.h"
#include "store.h"

#ifndef FUZZ_FORMAT
#error "build with -DFUZZ_FORMAT=\"csv\" (or another format)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *fuzz_st;
static char          fuzz_mapping[64];

struct fuzz_buf {
    const uint8_t *p;
    size_t         left;
};

static ssize_t
fuzz_read(void *ctx, char *buf, size_t n)
{
    struct fuzz_buf *b = ctx;
    size_t           k = n < b->left ? n : b->left;

    /* Hand the input out in small, uneven pieces: parsers must not
    ** assume a record or a token arrives whole. */
    if (k > 977)
        k = 977;
    memcpy(buf, b->p, k);
    b->p += k;
    b->left -= k;
    return (ssize_t) k;
}

static void
fuzz_cleanup(void)
{
    unlink(fuzz_mapping);
}

static void
fuzz_init(void)
{
    struct store_opts                   o = {1, 1, 1000, 0};
    struct cm_err                       err;
    static const struct store_meter_def meters[] = {
        {"m1", "s1", "electricity", "csv", NULL, "kWh", 3600, 0},
        {"t1", "s1", "temperature", "csv", NULL, "degC", -1, 0},
        {"i1", "s1", "electricity", "csv", NULL, "Wh", -1, 1},
        {"e1", "s1", "electricity", "enedis", "09111642617347", "W", -1, 0},
        {"e3", "s1", "electricity", "enedis", "123", "W", -1, 0},
        {"e2", "s1", "electricity", "enedis", "30001642617347", "W", -1, 0},
        {"g1", "s1", "gas", "grdf", "23000000000000", "kWh", -1, 0},
        {"z1", "s1", "temperature", "zabbix", "23296", "degC", -1, 0},
        {"z2", "s1", "electricity", "zabbix", "23297", "kWh", -1, 1},
        {"f1", "s1", "pv", "fronius", "inverter/1/EnergyReal_WAC_Sum_Produced",
         "Wh", -1, 0},
        {"c1", "s1", "electricity", "emoncms", "1", "W", -1, 0},
        {"n1", "s1", "electricity", "senml", "urn:dev:mac:0024befffe804ff1",
         "W", -1, 0},
    };
    struct store_site s = {"s1", "Site", "education", 100, "56121",
                           NULL, NULL,   1,           NULL};
    FILE             *f;

    if (store_open(":memory:", &o, &fuzz_st, NULL, &err) != CM_OK ||
        store_site_upsert(fuzz_st, &s, &err) != CM_OK) {
        fprintf(stderr, "fuzz_import: %s\n", err.msg);
        abort();
    }
    for (size_t i = 0; i < sizeof(meters) / sizeof(meters[0]); i++)
        if (store_meter_upsert(fuzz_st, &meters[i], &err) != CM_OK) {
            fprintf(stderr, "fuzz_import: %s\n", err.msg);
            abort();
        }
    if (imp_format_find(FUZZ_FORMAT) == NULL) {
        fprintf(stderr, "fuzz_import: no format '%s' in this build\n",
                FUZZ_FORMAT);
        abort();
    }
    /* The mapped format reads its mapping from a file. */
    if (strcmp(FUZZ_FORMAT, "mapped") != 0)
        return;
    snprintf(fuzz_mapping, sizeof(fuzz_mapping), "/tmp/fuzz-mapping-%ld",
             (long) getpid());
    atexit(fuzz_cleanup);
    f = fopen(fuzz_mapping, "w");
    if (f) {
        fputs("separator = ;\ndecimal = ,\ntime_column = Date\n"
              "time_format = %d/%m/%Y %H:%M\ntime_zone = Europe/Paris\n"
              "ambiguous = earlier\nvalue_column = Valeur\nunit = kWh\n"
              "meter = m1\nstep = PT1H\n",
              f);
        fclose(f);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_buf   b = {data, size};
    struct imp_src    src;
    struct imp_result res;
    struct imp_opts   o = {size > 0 && data[0] == '!', fuzz_mapping, "fuzz",
                           NULL};
    int               rc;

    if (fuzz_st == NULL)
        fuzz_init();
    memset(&src, 0, sizeof(src));
    /* emoncms takes the feed id from the file's name */
    src.name = strcmp(FUZZ_FORMAT, "emoncms") ? "fuzz" : "feed-1.json";
    src.read = fuzz_read;
    src.ctx = &b;
    src.limit = 1 << 20;
    src.limit_setting = "fuzz";
    rc = imp_run(fuzz_st, &src, FUZZ_FORMAT, &o, &res);
    if ((rc == CM_OK) != (res.status == CM_OK))
        abort();
    if (rc != CM_OK && (res.stats.imported || res.stats.updated))
        abort(); /* A refused file must not claim it wrote anything */
    if (res.stats.read < res.stats.rejected || res.nerrors > IMP_MAX_ERRORS ||
        (res.stats.rejected > 0 && rc == CM_OK && res.nerrors == 0))
        abort();
    imp_result_clear(&res);
    return 0;
}
