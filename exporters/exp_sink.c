/*
** exp_sink.c -- the one place exported bytes pass through: counted,
** gathered into EXP_SINK_BUF chunks, hashed (SHA-256, so a download's
** checksum costs no second read) and handed to a callback; the first
** failure is kept and later writes are dropped, so writers check once
** at the end. Also the number format
** every exporter shares.
*/
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"
#include "text.h"

const char *const exp_columns[EXP_NCOLS] = {
    "period", "territory_level", "territory", "sector", "kind", "value",
    "unit",   "n_sites",         "status",
};

void
exp_sink_init(struct exp_sink *s, exp_write_fn write, void *ctx)
{
    memset(s, 0, sizeof(*s));
    s->write = write;
    s->ctx = ctx;
    s->hash = 1;
    s->err.code = CM_OK;
    if (sodium_init() < 0) /* Idempotent; picks the implementations */
        cm_fail(&s->err, CM_EINTERNAL, "libsodium failed to initialise");
    crypto_hash_sha256_init(&s->sha);
}

static int
sink_buf_write(void *ctx, const void *p, size_t n, struct cm_err *err)
{
    (void) err;
    cm_buf_add(ctx, p, n);
    return CM_OK;
}

void
exp_sink_init_buf(struct exp_sink *s, struct cm_buf *buf)
{
    exp_sink_init(s, sink_buf_write, buf);
}

static int
sink_file_write(void *ctx, const void *p, size_t n, struct cm_err *err)
{
    if (n > 0 && fwrite(p, 1, n, ctx) != n)
        return cm_fail(err, CM_EIO, "export write failed");
    return CM_OK;
}

void
exp_sink_init_file(struct exp_sink *s, FILE *f)
{
    exp_sink_init(s, sink_file_write, f);
}

/* Hand p[0..n) to the callback and hash it. */
static void
sink_deliver(struct exp_sink *s, const void *p, size_t n)
{
    if (s->err.code != CM_OK || n == 0)
        return;
    if (s->write(s->ctx, p, n, &s->err) != CM_OK) {
        if (s->err.code == CM_OK) /* A callback that forgot to say why */
            cm_fail(&s->err, CM_EIO, "export write failed");
        return;
    }
    if (s->hash)
        crypto_hash_sha256_update(&s->sha, p, n);
}

void
exp_sink_write(struct exp_sink *s, const void *p, size_t n)
{
    if (s->err.code != CM_OK || n == 0)
        return;
    s->bytes += n;
    if (s->used + n <= sizeof(s->buf)) {
        memcpy(s->buf + s->used, p, n);
        s->used += n;
        return;
    }
    sink_deliver(s, s->buf, s->used);
    s->used = 0;
    if (n >= sizeof(s->buf)) { /* Large writes go straight through */
        sink_deliver(s, p, n);
    } else {
        memcpy(s->buf, p, n);
        s->used = n;
    }
}

void
exp_sink_puts(struct exp_sink *s, const char *str)
{
    exp_sink_write(s, str, strlen(str));
}

int
exp_sink_flush(struct exp_sink *s, struct cm_err *err)
{
    sink_deliver(s, s->buf, s->used);
    s->used = 0;
    if (s->err.code != CM_OK && err != NULL)
        *err = s->err;
    return s->err.code;
}

static void
hex_of(const unsigned char *d, char hex[EXP_SHA256_HEX + 1])
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < crypto_hash_sha256_BYTES; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[EXP_SHA256_HEX] = '\0';
}

void
exp_sink_digest(struct exp_sink *s, char hex[EXP_SHA256_HEX + 1])
{
    crypto_hash_sha256_state copy;
    unsigned char            d[crypto_hash_sha256_BYTES];

    assert(s->hash);
    exp_sink_flush(s, NULL);
    copy = s->sha; /* Final consumes the state */
    crypto_hash_sha256_final(&copy, d);
    hex_of(d, hex);
}

void
exp_sha256_hex(const void *p, size_t n, char hex[EXP_SHA256_HEX + 1])
{
    unsigned char d[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(d, p, n);
    hex_of(d, hex);
}

int
exp_fmt_double(double v, char decimal, char buf[32])
{
    int   n = cm_fmt_double(v, buf);
    char *dot;

    if (decimal != '.' && (dot = strchr(buf, '.')) != NULL)
        *dot = decimal;
    return n;
}
