/*
** test_exp_csv.c -- the CSV exporter and the sink under it: RFC 4180
** quoting, UTF-8 passed through, nulls as empty fields, the French
** option (BOM, ';', decimal comma), shortest round-trip numbers, the
** sink's byte count and sha256 against one-shot hashes, sticky errors.
*/
#include <math.h>

#include "../t.h"
#include "exp.h"

static const struct exp_obs t_rows[] = {
    {"2024-01", "commune", "56121", "education", "electricity", 1234.5, 0,
     "kWh", 12, 'A'},
    {"2024-01", "commune", "56121", NULL, "electricity", 0, 1, "kWh", 2, 'C'},
    {"2024-02", "commune", "a,b", "Santé \"publique\"\r\nsoins", "electricity",
     0.1, 0, "kWh", -1, 'D'},
    {"2024-02", "district", "Lanester;Nord", "x", "gas", 1.0 / 3, 0, "kWh", 3,
     'A'},
};
#define T_NROWS (sizeof(t_rows) / sizeof(t_rows[0]))

/* Run the CSV writer over t_rows into *out; returns the sink's status. */
static int
t_csv(unsigned flags, struct cm_buf *out, struct exp_sink *s)
{
    struct exp_writer w;
    struct cm_err     err;

    cm_buf_init(out);
    exp_sink_init_buf(s, out);
    exp_csv_begin(&w, s, flags);
    for (size_t i = 0; i < T_NROWS; i++)
        exp_csv_row(&w, &t_rows[i]);
    ASSERT_EQ(w.rows, T_NROWS);
    return exp_csv_end(&w, &err);
}

static void
test_rfc4180(void)
{
    struct cm_buf   b;
    struct exp_sink s;

    ASSERT_EQ(t_csv(0, &b, &s), CM_OK);
    ASSERT_STREQ(
        b.data,
        "period,territory_level,territory,sector,kind,value,unit,n_sites,"
        "status\r\n"
        "2024-01,commune,56121,education,electricity,1234.5,kWh,12,A\r\n"
        "2024-01,commune,56121,,electricity,,kWh,2,C\r\n"
        "2024-02,commune,\"a,b\",\"Santé \"\"publique\"\"\r\nsoins\","
        "electricity,0.1,kWh,,D\r\n"
        "2024-02,district,Lanester;Nord,x,gas,0.33333333333333331,kWh,3,"
        "A\r\n");
    cm_buf_clear(&b);
}

static void
test_french(void)
{
    struct cm_buf   b;
    struct exp_sink s;

    ASSERT_EQ(t_csv(EXP_CSV_FR, &b, &s), CM_OK);
    ASSERT(memcmp(b.data, "\xEF\xBB\xBF", 3) == 0); /* BOM */
    ASSERT_STREQ(
        b.data + 3,
        "period;territory_level;territory;sector;kind;value;unit;n_sites;"
        "status\r\n"
        "2024-01;commune;56121;education;electricity;1234,5;kWh;12;A\r\n"
        "2024-01;commune;56121;;electricity;;kWh;2;C\r\n"
        "2024-02;commune;a,b;\"Santé \"\"publique\"\"\r\nsoins\";"
        "electricity;0,1;kWh;;D\r\n"
        "2024-02;district;\"Lanester;Nord\";x;gas;0,33333333333333331;kWh;3;"
        "A\r\n");
    cm_buf_clear(&b);
}

static void
test_numbers(void)
{
    char buf[32];

    exp_fmt_double(0.1, '.', buf);
    ASSERT_STREQ(buf, "0.1");
    exp_fmt_double(-2.5e-7, ',', buf);
    ASSERT_STREQ(buf, "-2,5e-07");
    exp_fmt_double(1e21, '.', buf);
    ASSERT_STREQ(buf, "1e+21");
    exp_fmt_double(42, '.', buf);
    ASSERT_STREQ(buf, "42");
    exp_fmt_double(0.1 + 0.2, '.', buf);
    ASSERT_STREQ(buf, "0.30000000000000004");
    ASSERT_EQ(exp_fmt_double(NAN, '.', buf), 0); /* NaN: null */
    ASSERT_STREQ(buf, "");
}

static void
test_sink_hash(void)
{
    struct cm_buf   b;
    struct exp_sink s;
    char            hex[EXP_SHA256_HEX + 1], one[EXP_SHA256_HEX + 1];
    unsigned char   d[crypto_hash_sha256_BYTES];

    /* FIPS 180-2 vector: the hash helper itself is right. */
    exp_sha256_hex("abc", 3, hex);
    ASSERT_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223"
                      "b00361a396177a9cb410ff61f20015ad");
    /* Empty sink: the hash of nothing. */
    cm_buf_init(&b);
    exp_sink_init_buf(&s, &b);
    exp_sink_digest(&s, hex);
    ASSERT_STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb924"
                      "27ae41e4649b934ca495991b7852b855");
    /* The incremental hash of many small writes is the one-shot hash of
    ** the bytes that arrived, and the count is their length. */
    ASSERT_EQ(t_csv(EXP_CSV_FR, &b, &s), CM_OK);
    ASSERT_EQ(s.bytes, b.len);
    exp_sink_digest(&s, hex);
    crypto_hash_sha256(d, (const unsigned char *) b.data, b.len);
    for (int i = 0; i < 32; i++)
        snprintf(one + 2 * i, 3, "%02x", d[i]);
    ASSERT_STREQ(hex, one);
    /* Digest does not end the sink: it can go on. */
    exp_sink_puts(&s, "more");
    exp_sink_digest(&s, one);
    ASSERT(strcmp(hex, one) != 0);
    cm_buf_clear(&b);
}

static void
test_file_sink(void)
{
    FILE           *f = tmpfile();
    struct exp_sink s;
    char            back[64];

    ASSERT(f != NULL);
    exp_sink_init_file(&s, f);
    exp_sink_puts(&s, "a,b\r\n");
    ASSERT_EQ(exp_sink_flush(&s, NULL), CM_OK);
    ASSERT_EQ(s.bytes, 5);
    rewind(f);
    ASSERT_EQ(fread(back, 1, sizeof(back), f), 5);
    ASSERT(memcmp(back, "a,b\r\n", 5) == 0);
    fclose(f);
}

/* A callback that accepts 'room' bytes, then fails. */
static int
t_short_write(void *ctx, const void *p, size_t n, struct cm_err *err)
{
    size_t *room = ctx;

    (void) p;
    if (n > *room)
        return cm_fail(err, CM_EIO, "disk full");
    *room -= n;
    return CM_OK;
}

static void
test_sticky_error(void)
{
    struct exp_sink   s;
    struct exp_writer w;
    struct cm_err     err;
    size_t            room = 10;

    exp_sink_init(&s, t_short_write, &room);
    exp_csv_begin(&w, &s, 0);
    exp_csv_row(&w, &t_rows[0]);
    ASSERT_EQ(exp_csv_end(&w, &err), CM_EIO); /* The flush failed */
    ASSERT_STREQ(err.msg, "disk full");
    ASSERT_EQ(room, 10); /* Nothing delivered */
    room = 100000;       /* Later writes would fit: still dropped */
    uint64_t before = s.bytes;
    exp_csv_row(&w, &t_rows[1]);
    ASSERT_EQ(s.bytes, before);
    ASSERT_EQ(exp_sink_flush(&s, &err), CM_EIO);
    ASSERT_EQ(room, 100000);
}

/* Records each callback: its size, and the bytes in order. */
struct t_rec {
    struct cm_buf all;
    int           calls;
};

static int
t_record(void *ctx, const void *p, size_t n, struct cm_err *err)
{
    struct t_rec *r = ctx;

    (void) err;
    ASSERT(n > 0);
    cm_buf_add(&r->all, p, n);
    r->calls++;
    return CM_OK;
}

static void
test_buffering(void)
{
    static char     big[3 * EXP_SINK_BUF];
    struct exp_sink s;
    struct t_rec    r = {{0}, 0};
    char            hex[EXP_SHA256_HEX + 1], one[EXP_SHA256_HEX + 1];

    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char) ('a' + i % 26);
    exp_sink_init(&s, t_record, &r);
    for (int i = 0; i < 1000; i++) /* Small writes are gathered */
        exp_sink_write(&s, "0123456789", 10);
    ASSERT_EQ(r.calls, 0);
    exp_sink_write(&s, big, sizeof(big)); /* Buffer out, then straight */
    ASSERT_EQ(r.calls, 2);
    exp_sink_write(&s, "tail", 4);
    ASSERT_EQ(s.bytes, 10000 + sizeof(big) + 4);
    ASSERT_EQ(exp_sink_flush(&s, NULL), CM_OK);
    ASSERT_EQ(r.calls, 3);
    ASSERT_EQ(r.all.len, s.bytes);
    ASSERT(memcmp(r.all.data + 10000, big, sizeof(big)) == 0);
    ASSERT(memcmp(r.all.data + r.all.len - 4, "tail", 4) == 0);
    exp_sink_digest(&s, hex);
    exp_sha256_hex(r.all.data, r.all.len, one);
    ASSERT_STREQ(hex, one);
    cm_buf_clear(&r.all);
}

int
main(void)
{
    RUN(test_rfc4180);
    RUN(test_french);
    RUN(test_numbers);
    RUN(test_sink_hash);
    RUN(test_file_sink);
    RUN(test_sticky_error);
    RUN(test_buffering);
    return 0;
}
