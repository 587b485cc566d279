/*
** test_exp_json.c -- the JSON and NDJSON exporters: the output parses
** (yajl_tree), has the published columns with the right types, nulls
** for suppressed values and missing sectors, and escaped text.
*/
#include <yajl/yajl_tree.h>

#include "../t.h"
#include "exp.h"

static const struct exp_obs t_rows[] = {
    {"2024-01", "commune", "56121", "education", "electricity", 0.1, 0, "kWh",
     12, 'A'},
    {"2024-01", "commune", "56121", NULL, "electricity", 0, 1, "kWh", -1, 'C'},
    {"2024-02", "commune", "a\"b\n", "Santé", "gas", 1e21, 0, "kWh", 3, 'D'},
};
#define T_NROWS (sizeof(t_rows) / sizeof(t_rows[0]))

static const char *
t_str(yajl_val o, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val    v = yajl_tree_get(o, path, yajl_t_any);

    ASSERT(v != NULL);
    return YAJL_IS_NULL(v) ? NULL : YAJL_GET_STRING(v);
}

static yajl_val
t_get(yajl_val o, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val    v = yajl_tree_get(o, path, yajl_t_any);

    ASSERT(v != NULL);
    return v;
}

/* Check one parsed object against t_rows[i]. */
static void
t_check_obj(yajl_val o, size_t i)
{
    const struct exp_obs *r = &t_rows[i];

    ASSERT(YAJL_IS_OBJECT(o));
    ASSERT_EQ(o->u.object.len, EXP_NCOLS);
    for (size_t k = 0; k < EXP_NCOLS; k++)
        ASSERT_STREQ(o->u.object.keys[k], exp_columns[k]);
    ASSERT_STREQ(t_str(o, "period"), r->period);
    ASSERT_STREQ(t_str(o, "territory"), r->territory);
    if (r->sector == NULL)
        ASSERT(t_str(o, "sector") == NULL);
    else
        ASSERT_STREQ(t_str(o, "sector"), r->sector);
    if (r->value_null)
        ASSERT(YAJL_IS_NULL(t_get(o, "value")));
    else
        ASSERT(YAJL_GET_DOUBLE(t_get(o, "value")) == r->value);
    if (r->n_sites < 0)
        ASSERT(YAJL_IS_NULL(t_get(o, "n_sites")));
    else
        ASSERT_EQ(YAJL_GET_INTEGER(t_get(o, "n_sites")), r->n_sites);
    ASSERT_EQ(t_str(o, "status")[0], r->status);
}

static void
test_json(void)
{
    struct cm_buf     b;
    struct exp_sink   s;
    struct exp_writer w;
    struct cm_err     err;
    char              ebuf[256];
    yajl_val          doc;

    cm_buf_init(&b);
    exp_sink_init_buf(&s, &b);
    exp_json_begin(&w, &s);
    for (size_t i = 0; i < T_NROWS; i++)
        exp_json_row(&w, &t_rows[i]);
    ASSERT_EQ(exp_json_end(&w, &err), CM_OK);
    ASSERT_CONTAINS(b.data, "\"value\":0.1,"); /* Shortest, not %.20g */
    ASSERT_CONTAINS(b.data, "\"sector\":null");
    doc = yajl_tree_parse(b.data, ebuf, sizeof(ebuf));
    ASSERT(doc != NULL);
    ASSERT(YAJL_IS_ARRAY(doc));
    ASSERT_EQ(doc->u.array.len, T_NROWS);
    for (size_t i = 0; i < T_NROWS; i++)
        t_check_obj(doc->u.array.values[i], i);
    yajl_tree_free(doc);
    cm_buf_clear(&b);

    /* No rows: an empty array. */
    cm_buf_init(&b);
    exp_sink_init_buf(&s, &b);
    exp_json_begin(&w, &s);
    ASSERT_EQ(exp_json_end(&w, &err), CM_OK);
    ASSERT_STREQ(b.data, "[\n]\n");
    cm_buf_clear(&b);
}

static void
test_ndjson(void)
{
    struct cm_buf     b;
    struct exp_sink   s;
    struct exp_writer w;
    struct cm_err     err;
    char              ebuf[256], *line, *save = NULL;
    size_t            n = 0;

    cm_buf_init(&b);
    exp_sink_init_buf(&s, &b);
    exp_ndjson_begin(&w, &s);
    for (size_t i = 0; i < T_NROWS; i++)
        exp_ndjson_row(&w, &t_rows[i]);
    ASSERT_EQ(exp_ndjson_end(&w, &err), CM_OK);
    ASSERT_EQ(b.data[b.len - 1], '\n');
    for (line = strtok_r(b.data, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        yajl_val o = yajl_tree_parse(line, ebuf, sizeof(ebuf));

        ASSERT(o != NULL);
        ASSERT(n < T_NROWS);
        t_check_obj(o, n++);
        yajl_tree_free(o);
    }
    ASSERT_EQ(n, T_NROWS); /* Newlines in text are escaped: one per row */
    cm_buf_clear(&b);
}

int
main(void)
{
    RUN(test_json);
    RUN(test_ndjson);
    return 0;
}
