/*
** test_exp_version.c -- published versions as files: the extra columns a
** version declares (parsed strictly, written by CSV, JSON, NDJSON and
** listed in datapackage.json's Table Schema), every format written from
** a version stored through the store API, exp_version_describe() giving
** the same size and sha256 as the bytes written, determinism (two
** builds, same sha256), the archives' members and README, bad formats,
** and a version whose stored rows do not match its record.
*/
#include <archive.h>
#include <archive_entry.h>
#include <yajl/yajl_tree.h>

#include "../t.h"
#include "ds_manifest.h"
#include "exp.h"
#include "jw.h"
#include "store.h"

#define T_PUBLISHED "2026-11-30T10:00:00Z"
#define T_MTIME 1796032800 /* T_PUBLISHED in seconds */

static const char t_columns[] =
    "[{\"name\":\"site_name\",\"type\":\"string\",\"title\":\"Nom du site\"},"
    "{\"name\":\"floor_area_m2\",\"type\":\"number\",\"title\":\"Surface\","
    "\"title_en\":\"Floor area\"},"
    "{\"name\":\"n_meters\",\"type\":\"integer\"},"
    "{\"name\":\"heated\",\"type\":\"boolean\"}]";

static const char t_manifest[] =
    "{\"slug\":\"t-version\",\"title\":{\"fr\":\"Électricité par commune\","
    "\"en\":\"Electricity by commune\"},\"description\":{\"fr\":\"Somme "
    "mensuelle.\",\"en\":\"Monthly sum.\"},\"license\":\"etalab-2.0\","
    "\"publisher\":\"Lorient Agglomération\",\"kinds\":[\"electricity\"],"
    "\"period\":\"month\",\"territory\":\"commune\",\"by_sector\":true,"
    "\"privacy\":{\"policy\":\"aggregated\",\"min_sites\":3,"
    "\"max_share\":0.85}}";

static const char t_disclosure[] =
    "{\"policy\":\"aggregated\",\"rules\":{\"min_sites\":3,\"max_share\":"
    "0.85,\"secondary\":\"Each published sum keeps zero or at least two "
    "suppressed cells.\"},\"cells\":40}";

/* ---- Fixture: a version written through the store API -------------- */

/* Row i of the fixture, and its extra object (or NULL) in *extra. */
static void
t_row(int i, char period[16], struct exp_obs *o, char extra[256],
      const char **pextra)
{
    static const char *sectors[] = {"education", "sport", NULL};

    snprintf(period, 16, "2024-%02d", 1 + i % 12);
    memset(o, 0, sizeof(*o));
    o->period = period;
    o->territory_level = "commune";
    o->territory = i % 2 ? "56121" : "56162";
    o->sector = sectors[i % 3];
    o->kind = "electricity";
    o->status = i % 7 == 0 ? 'C' : i % 11 == 0 ? 'D' : 'A';
    o->value_null = o->status != 'A';
    o->value = i * 1.25;
    o->unit = "kWh";
    o->n_sites = i % 7 == 0 ? 2 : 12;
    snprintf(extra, 256,
             "{\"site_name\":\"Mairie \\\"%d\\\", annexe\",\"floor_area_m2\":"
             "%d.5,\"n_meters\":%d,\"heated\":%s,\"ignored\":1}",
             i, 100 + i, i % 4, i % 2 ? "true" : "false");
    *pextra = i % 5 == 4 ? NULL : extra;
}

/* The canonical manifest text (what the publisher stores). */
static char *
t_canonical_manifest(const char *text)
{
    struct ds_manifest m;
    struct cm_err      err;
    struct jw         *w = jw_new();
    char              *out;

    ASSERT_EQ(ds_manifest_parse(text, strlen(text), NULL, &m, &err), CM_OK);
    ds_manifest_write_json(&m, w);
    out = jw_strdup(w);
    ASSERT(out != NULL);
    jw_free(w);
    ds_manifest_clear(&m);
    return out;
}

/*
** Publish 'nrows' fixture rows as the next version of slug, the way the
** publisher does: version, rows, latest, then describe() and the
** distribution rows, in one transaction. 'stored' rows are written
** (stored != nrows makes a version that contradicts its record).
*/
static int64_t
t_publish(struct store *st, const char *slug, int nrows, int stored,
          const char *columns)
{
    struct store_version_new  nv;
    struct store_version      v;
    struct store_distribution d[8];
    struct exp_columns        cols;
    struct exp_sink           s;
    struct exp_writer         w;
    struct cm_err             err;
    struct exp_obs            o;
    char        period[16], extra[256], hex[EXP_SHA256_HEX + 1], *manifest;
    const char *x;
    int64_t     id, number;
    size_t      n;
    int         found;

    /* The version's sha256 is the canonical CSV's, computed first. */
    ASSERT_EQ(exp_columns_parse(columns, &cols, &err), CM_OK);
    {
        struct cm_buf b;

        cm_buf_init(&b);
        exp_sink_init_buf(&s, &b);
        ASSERT_EQ(exp_table_begin(&w, "csv", 0, &cols, &s, &err), CM_OK);
        for (int i = 0; i < nrows; i++) {
            t_row(i, period, &o, extra, &x);
            exp_table_row(&w, &o, x);
        }
        ASSERT_EQ(exp_table_end(&w, &err), CM_OK);
        exp_sink_digest(&s, hex);
        cm_buf_clear(&b);
    }
    exp_columns_clear(&cols);

    manifest = t_canonical_manifest(t_manifest);
    memset(&nv, 0, sizeof(nv));
    nv.slug = slug;
    nv.origin = "manifest";
    nv.manifest = manifest;
    nv.search_text = slug;
    nv.published_at = T_PUBLISHED;
    nv.n_observations = nrows;
    nv.sha256 = hex;
    nv.columns = columns;
    nv.disclosure = t_disclosure;
    ASSERT_EQ(store_begin(st, &err), CM_OK);
    ASSERT_EQ(store_version_create(st, &nv, &id, &number, &err), CM_OK);
    for (int i = 0; i < stored; i++) {
        t_row(i, period, &o, extra, &x);
        ASSERT_EQ(store_obs_add(st, id, i, &o, x, &err), CM_OK);
    }
    ASSERT_EQ(store_dataset_set_latest(st, id, &err), CM_OK);
    ASSERT_EQ(store_version_get(st, slug, number, &v, &found, &err), CM_OK);
    ASSERT(found);
    if (stored == nrows) {
        ASSERT_EQ(exp_version_describe(st, &v, NULL, d, 8, &n, &err), CM_OK);
        ASSERT_EQ(n, EXP_NFORMATS);
        for (size_t i = 0; i < n; i++)
            ASSERT_EQ(store_distribution_add(st, id, &d[i], &err), CM_OK);
    }
    store_version_clear(&v);
    ASSERT_EQ(store_commit(st, &err), CM_OK);
    free(manifest);
    return number;
}

static struct store *
t_store(void)
{
    struct store_opts o = {1, 1, 5000, 0};
    struct store     *st;
    struct cm_err     err;
    char              path[1100];

    snprintf(path, sizeof(path), "%s/store.db", t_tmpdir("exp-version"));
    ASSERT_EQ(store_open(path, &o, &st, NULL, &err), CM_OK);
    return st;
}

/* Write version (slug, number) in format into *out; returns the code. */
static int
t_write(struct store *st, const char *slug, int64_t number, const char *format,
        struct cm_buf *out, char hex[EXP_SHA256_HEX + 1], struct cm_err *err)
{
    struct store_version v;
    struct exp_sink      s;
    int                  found, rc;

    ASSERT_EQ(store_version_get(st, slug, number, &v, &found, err), CM_OK);
    ASSERT(found);
    cm_buf_init(out);
    exp_sink_init_buf(&s, out);
    rc = exp_version_write(st, &v, format, &s, err);
    if (rc == CM_OK)
        exp_sink_digest(&s, hex);
    store_version_clear(&v);
    return rc;
}

/* ---- Extra columns -------------------------------------------------- */

static void
test_columns_parse(void)
{
    struct exp_columns c;
    struct cm_err      err;

    ASSERT_EQ(exp_columns_parse(NULL, &c, &err), CM_OK);
    ASSERT_EQ(c.n, 0);
    exp_columns_clear(&c);
    ASSERT_EQ(exp_columns_parse(t_columns, &c, &err), CM_OK);
    ASSERT_EQ(c.n, 4);
    ASSERT_STREQ(c.col[0].name, "site_name");
    ASSERT_STREQ(c.col[0].title, "Nom du site");
    ASSERT_STREQ(c.col[1].type, "number");
    ASSERT(c.col[2].title == NULL);
    exp_columns_clear(&c);
    exp_columns_clear(&c); /* Harmless twice */
    ASSERT_EQ(exp_columns_parse("[{\"name\":\"x\"}]", &c, &err), CM_OK);
    ASSERT_STREQ(c.col[0].type, "string"); /* The default */
    exp_columns_clear(&c);

    ASSERT_EQ(exp_columns_parse("[{\"name\":\"value\"}]", &c, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "published column");
    ASSERT_STREQ(err.what, "columns[0]");
    ASSERT_EQ(c.n, 0);
    ASSERT_EQ(
        exp_columns_parse("[{\"name\":\"a\"},{\"name\":\"a\"}]", &c, &err),
        CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "declared twice");
    ASSERT_STREQ(err.what, "columns[1]");
    ASSERT_EQ(
        exp_columns_parse("[{\"name\":\"a\",\"type\":\"text\"}]", &c, &err),
        CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "Table Schema type");
    ASSERT_EQ(exp_columns_parse("[{\"name\":\"\"}]", &c, &err), CM_EINVAL);
    ASSERT_EQ(exp_columns_parse("[1]", &c, &err), CM_EINVAL);
    ASSERT_EQ(exp_columns_parse("{\"name\":\"a\"}", &c, &err), CM_EINVAL);
    ASSERT_STREQ(err.what, "columns");
    ASSERT_EQ(exp_columns_parse("[", &c, &err), CM_EINVAL);
}

static const struct exp_obs t_obs = {
    "2024-01", "site", "S1", NULL, "electricity", 12.5, 0, "kWh", 1, 'A'};

static void
test_csv_extra(void)
{
    struct exp_columns c;
    struct cm_buf      b;
    struct exp_sink    s;
    struct exp_writer  w;
    struct cm_err      err;

    ASSERT_EQ(exp_columns_parse(t_columns, &c, &err), CM_OK);
    cm_buf_init(&b);
    exp_sink_init_buf(&s, &b);
    ASSERT_EQ(exp_table_begin(&w, "csv", 0, &c, &s, &err), CM_OK);
    exp_table_row(&w, &t_obs,
                  "{\"heated\":true,\"site_name\":\"Mairie, \\\"A\\\"\","
                  "\"floor_area_m2\":1234.50,\"n_meters\":3}");
    exp_table_row(&w, &t_obs, NULL);
    exp_table_row(&w, &t_obs, "{\"floor_area_m2\":1e3,\"site_name\":null}");
    ASSERT_EQ(exp_table_end(&w, &err), CM_OK);
    ASSERT_EQ(w.rows, 3);
    ASSERT_STREQ(b.data,
                 "period,territory_level,territory,sector,kind,value,unit,"
                 "n_sites,status,site_name,floor_area_m2,n_meters,heated\r\n"
                 "2024-01,site,S1,,electricity,12.5,kWh,1,A,"
                 "\"Mairie, \"\"A\"\"\",1234.5,3,true\r\n"
                 "2024-01,site,S1,,electricity,12.5,kWh,1,A,,,,\r\n"
                 "2024-01,site,S1,,electricity,12.5,kWh,1,A,,1000,,\r\n");
    cm_buf_clear(&b);

    /* French dialect: decimal comma in extra numbers too. */
    cm_buf_init(&b);
    exp_sink_init_buf(&s, &b);
    ASSERT_EQ(exp_table_begin(&w, "csv", EXP_CSV_FR, &c, &s, &err), CM_OK);
    exp_table_row(&w, &t_obs, "{\"floor_area_m2\":1234.5,\"n_meters\":7}");
    ASSERT_EQ(exp_table_end(&w, &err), CM_OK);
    ASSERT_CONTAINS(b.data, ";status;site_name;floor_area_m2;n_meters;"
                            "heated\r\n");
    ASSERT_CONTAINS(b.data, ";12,5;kWh;1;A;;1234,5;7;\r\n");
    cm_buf_clear(&b);

    /* An empty table still has its header, extra names included. */
    cm_buf_init(&b);
    exp_sink_init_buf(&s, &b);
    ASSERT_EQ(exp_table_begin(&w, "csv", 0, &c, &s, &err), CM_OK);
    ASSERT_EQ(exp_table_end(&w, &err), CM_OK);
    ASSERT_CONTAINS(b.data, "status,site_name,floor_area_m2,n_meters,heated"
                            "\r\n");
    cm_buf_clear(&b);

    /* A nested value, or extra text that is not an object, fails. */
    cm_buf_init(&b);
    exp_sink_init_buf(&s, &b);
    ASSERT_EQ(exp_table_begin(&w, "csv", 0, &c, &s, &err), CM_OK);
    exp_table_row(&w, &t_obs, "{\"site_name\":[1]}");
    ASSERT_EQ(exp_table_end(&w, &err), CM_EINVAL);
    ASSERT_CONTAINS(err.msg, "extra column");
    cm_buf_clear(&b);
    cm_buf_init(&b);
    exp_sink_init_buf(&s, &b);
    ASSERT_EQ(exp_table_begin(&w, "ndjson", 0, &c, &s, &err), CM_OK);
    exp_table_row(&w, &t_obs, "[]");
    ASSERT_EQ(exp_table_end(&w, &err), CM_EINVAL);
    cm_buf_clear(&b);
    cm_buf_init(&b);
    exp_sink_init_buf(&s, &b);
    ASSERT_EQ(exp_table_begin(&w, "json", 0, &c, &s, &err), CM_OK);
    exp_table_row(&w, &t_obs, "{\"site_name\":");
    ASSERT_EQ(exp_table_end(&w, &err), CM_EINVAL);
    cm_buf_clear(&b);

    ASSERT_EQ(exp_table_begin(&w, "zip", 0, &c, &s, &err), CM_EINVAL);
    ASSERT_STREQ(err.what, "format");
    exp_columns_clear(&c);
}

static yajl_val
t_get(yajl_val o, const char *key)
{
    const char *path[] = {key, NULL};

    return yajl_tree_get(o, path, yajl_t_any);
}

static void
test_json_extra(void)
{
    struct exp_columns c;
    struct cm_buf      b;
    struct exp_sink    s;
    struct exp_writer  w;
    struct cm_err      err;
    yajl_val           doc, o;

    ASSERT_EQ(exp_columns_parse(t_columns, &c, &err), CM_OK);
    for (int nd = 0; nd < 2; nd++) {
        cm_buf_init(&b);
        exp_sink_init_buf(&s, &b);
        ASSERT_EQ(exp_table_begin(&w, nd ? "ndjson" : "json", 0, &c, &s, &err),
                  CM_OK);
        exp_table_row(&w, &t_obs,
                      "{\"n_meters\":3,\"site_name\":\"Éc\\u00f4le\\n\","
                      "\"floor_area_m2\":0.1,\"heated\":false,\"x\":[]}");
        ASSERT_EQ(exp_table_end(&w, &err), CM_EINVAL); /* "x": nested */
        cm_buf_clear(&b);

        cm_buf_init(&b);
        exp_sink_init_buf(&s, &b);
        ASSERT_EQ(exp_table_begin(&w, nd ? "ndjson" : "json", 0, &c, &s, &err),
                  CM_OK);
        exp_table_row(&w, &t_obs,
                      "{\"n_meters\":3,\"site_name\":\"Éc\\u00f4le\\n\","
                      "\"floor_area_m2\":0.1,\"heated\":false,\"x\":2}");
        exp_table_row(&w, &t_obs, NULL);
        ASSERT_EQ(exp_table_end(&w, &err), CM_OK);
        if (nd) /* The first line is the first object */
            *strchr(b.data, '\n') = '\0';
        doc = yajl_tree_parse(b.data, NULL, 0);
        ASSERT(doc != NULL);
        o = nd ? doc : doc->u.array.values[0];
        ASSERT(YAJL_IS_OBJECT(o));
        ASSERT_EQ(o->u.object.len, EXP_NCOLS + 4);
        for (size_t k = 0; k < EXP_NCOLS; k++)
            ASSERT_STREQ(o->u.object.keys[k], exp_columns[k]);
        ASSERT_STREQ(o->u.object.keys[EXP_NCOLS], "site_name");
        ASSERT_STREQ(YAJL_GET_STRING(t_get(o, "site_name")), "Écôle\n");
        ASSERT(YAJL_GET_DOUBLE(t_get(o, "floor_area_m2")) == 0.1);
        ASSERT(YAJL_IS_INTEGER(t_get(o, "n_meters")));
        ASSERT_EQ(YAJL_GET_INTEGER(t_get(o, "n_meters")), 3);
        ASSERT(YAJL_IS_FALSE(t_get(o, "heated")));
        ASSERT(t_get(o, "x") == NULL); /* Not declared: not written */
        if (!nd) {
            o = doc->u.array.values[1];
            ASSERT(YAJL_IS_NULL(t_get(o, "site_name")));
            ASSERT(YAJL_IS_NULL(t_get(o, "heated")));
        }
        yajl_tree_free(doc);
        cm_buf_clear(&b);
    }
    exp_columns_clear(&c);
}

static void
test_datapackage_columns(void)
{
    struct exp_columns c;
    struct cm_buf      b;
    struct cm_err      err;
    struct exp_package pkg = {
        .name = "x", .title = "X", .license_name = "etalab-2.0"};
    struct exp_resource res = {.name = "data",
                               .path = "data.csv",
                               .format = "csv",
                               .mediatype = "text/csv",
                               .bytes = 10,
                               .sha256 = "00",
                               .table = 1,
                               .csv_flags = EXP_CSV_FR};
    const char         *fields[] = {"resources", NULL};
    yajl_val            doc, r, f;

    ASSERT_EQ(exp_columns_parse(t_columns, &c, &err), CM_OK);
    cm_buf_init(&b);
    ASSERT_EQ(exp_datapackage_json_cols(&pkg, &c, &res, 1, &b, &err), CM_OK);
    doc = yajl_tree_parse(b.data, NULL, 0);
    ASSERT(doc != NULL);
    r = yajl_tree_get(doc, fields, yajl_t_array)->u.array.values[0];
    f = t_get(t_get(r, "schema"), "fields");
    ASSERT_EQ(f->u.array.len, EXP_NCOLS + 4);
    ASSERT_STREQ(YAJL_GET_STRING(t_get(f->u.array.values[EXP_NCOLS], "name")),
                 "site_name");
    ASSERT_STREQ(YAJL_GET_STRING(t_get(f->u.array.values[EXP_NCOLS], "title")),
                 "Nom du site");
    ASSERT_STREQ(
        YAJL_GET_STRING(t_get(f->u.array.values[EXP_NCOLS + 1], "type")),
        "number");
    /* The French dialect's decimal comma applies to extra numbers too. */
    ASSERT_STREQ(
        YAJL_GET_STRING(t_get(f->u.array.values[EXP_NCOLS + 1], "decimalChar")),
        ",");
    yajl_tree_free(doc);
    cm_buf_clear(&b);
    exp_columns_clear(&c);
}

/* ---- Versions -------------------------------------------------------- */

static void
test_describe_matches_write(void)
{
    struct store             *st = t_store();
    struct store_distribution d[EXP_NFORMATS];
    struct store_version      v;
    struct cm_buf             b;
    struct cm_err             err;
    char                      hex[EXP_SHA256_HEX + 1];
    int64_t                   number;
    size_t                    n;
    int                       found;

    number = t_publish(st, "t-version", 300, 300, t_columns);
    ASSERT_EQ(number, 1);
    ASSERT_EQ(store_version_get(st, "t-version", 1, &v, &found, &err), CM_OK);
    ASSERT_EQ(store_distribution_list(st, v.id, d, EXP_NFORMATS, &n, &err),
              CM_OK);
    ASSERT_EQ(n, EXP_NFORMATS);
    for (size_t i = 0; i < n; i++) {
        char name[64];
        int  f = exp_format_find(d[i].format);

        ASSERT(f >= 0);
        /* The French CSV keeps a .csv name, so spreadsheets open it */
        snprintf(name, sizeof(name), "t-version-v1.%s",
                 f == EXP_CSVFR ? "fr.csv" : d[i].format);
        ASSERT_STREQ(d[i].name, name);
        ASSERT_EQ(t_write(st, "t-version", 1, d[i].format, &b, hex, &err),
                  CM_OK);
        ASSERT_EQ((int64_t) b.len, d[i].bytes);
        ASSERT_STREQ(hex, d[i].sha256);
        if (f == EXP_CSV) {
            /* The csv download is the canonical CSV the version hashes. */
            ASSERT_STREQ(hex, v.sha256);
            ASSERT_STREQ(d[i].media_type, "text/csv; charset=utf-8");
            ASSERT_CONTAINS(b.data, ",status,site_name,floor_area_m2,"
                                    "n_meters,heated\r\n");
            ASSERT_CONTAINS(b.data, ",\"Mairie \"\"1\"\", annexe\",101.5,1,"
                                    "true\r\n");
        }
        if (f == EXP_ZIP)
            ASSERT_STREQ(d[i].media_type, "application/zip");
        cm_buf_clear(&b);
    }
    store_version_clear(&v);
    store_close(st);
}

static void
test_deterministic(void)
{
    struct store *st = t_store();
    struct cm_buf a, b;
    struct cm_err err;
    char          ha[EXP_SHA256_HEX + 1], hb[EXP_SHA256_HEX + 1];

    t_publish(st, "t-version", 120, 120, t_columns);
    for (int f = 0; f < EXP_NFORMATS; f++) {
        ASSERT_EQ(t_write(st, "t-version", 1, exp_formats[f], &a, ha, &err),
                  CM_OK);
        ASSERT_EQ(t_write(st, "t-version", 1, exp_formats[f], &b, hb, &err),
                  CM_OK);
        ASSERT_STREQ(ha, hb);
        ASSERT_EQ(a.len, b.len);
        ASSERT(memcmp(a.data, b.data, a.len) == 0);
        cm_buf_clear(&a);
        cm_buf_clear(&b);
    }
    /* Same content published again: a new version with the same bytes
    ** for the table formats (archives name the version inside). */
    ASSERT_EQ(t_publish(st, "t-version", 120, 120, t_columns), 2);
    ASSERT_EQ(t_write(st, "t-version", 1, "csv", &a, ha, &err), CM_OK);
    ASSERT_EQ(t_write(st, "t-version", 2, "csv", &b, hb, &err), CM_OK);
    ASSERT_STREQ(ha, hb);
    cm_buf_clear(&a);
    cm_buf_clear(&b);
    store_close(st);
}

struct t_member {
    char   name[64];
    char  *data;
    size_t len;
    time_t mtime;
};

/* Read every member of an archive in memory. Returns the count. */
static size_t
t_members(const struct cm_buf *ar, struct t_member *m, size_t max)
{
    struct archive       *a = archive_read_new();
    struct archive_entry *ae;
    size_t                n = 0;

    archive_read_support_format_all(a);
    archive_read_support_filter_all(a);
    ASSERT_EQ(archive_read_open_memory(a, ar->data, ar->len), ARCHIVE_OK);
    while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
        la_int64_t size = archive_entry_size(ae);

        ASSERT(n < max);
        snprintf(m[n].name, sizeof(m[n].name), "%s",
                 archive_entry_pathname(ae));
        m[n].len = (size_t) size;
        m[n].data = malloc(m[n].len + 1);
        m[n].mtime = archive_entry_mtime(ae);
        ASSERT_EQ(archive_read_data(a, m[n].data, m[n].len + 1), size);
        m[n].data[m[n].len] = '\0';
        n++;
    }
    ASSERT_EQ(archive_read_free(a), ARCHIVE_OK);
    return n;
}

static void
test_archive_members(void)
{
    static const char *names[] = {"README.md", "SHA256SUMS", "data.csv",
                                  "datapackage.json", "disclosure.json"};
    struct store      *st = t_store();
    struct cm_buf      ar, csv;
    struct cm_err      err;
    struct t_member    m[8];
    char               hex[EXP_SHA256_HEX + 1];

    t_publish(st, "t-version", 50, 50, t_columns);
    ASSERT_EQ(t_write(st, "t-version", 1, "csv", &csv, hex, &err), CM_OK);
    for (int f = EXP_ZIP; f <= EXP_TGZ; f++) {
        size_t n;

        ASSERT_EQ(t_write(st, "t-version", 1, exp_formats[f], &ar, hex, &err),
                  CM_OK);
        n = t_members(&ar, m, 8);
        ASSERT_EQ(n, 5);
        for (size_t i = 0; i < n; i++) {
            ASSERT_STREQ(m[i].name, names[i]); /* Sorted */
            ASSERT_EQ(m[i].mtime, T_MTIME);
        }
        /* data.csv is the csv download, byte for byte. */
        ASSERT_EQ(m[2].len, csv.len);
        ASSERT(memcmp(m[2].data, csv.data, csv.len) == 0);
        /* The README says what, under which licence, how to cite, and
        ** which rules hid what. */
        ASSERT_CONTAINS(m[0].data, "# Électricité par commune");
        ASSERT_CONTAINS(m[0].data, "Monthly sum.");
        ASSERT_CONTAINS(m[0].data,
                        "Licence Ouverte / Open Licence version 2.0");
        ASSERT_CONTAINS(m[0].data, "https://");
        ASSERT_CONTAINS(m[0].data, "/api/v1/datasets/t-version?version=1");
        ASSERT_CONTAINS(m[0].data, "version 1");
        ASSERT_CONTAINS(m[0].data, "fewer than 3 sites");
        ASSERT_CONTAINS(m[0].data, "more than 85 %");
        ASSERT_CONTAINS(m[0].data, "at least two suppressed"); /* Report */
        ASSERT_CONTAINS(m[0].data, "`floor_area_m2` (Surface)");
        ASSERT_CONTAINS(m[4].data, "\"cells\":40");
        ASSERT_CONTAINS(m[3].data, "\"floor_area_m2\"");
        ASSERT_CONTAINS(m[3].data, "\"version\":\"1\"");
        for (size_t i = 0; i < n; i++)
            free(m[i].data);
        cm_buf_clear(&ar);
    }
    cm_buf_clear(&csv);
    store_close(st);
}

static void
test_errors(void)
{
    struct store             *st = t_store();
    struct store_version      v;
    struct store_distribution d[EXP_NFORMATS];
    struct cm_buf             b;
    struct cm_err             err;
    char                      hex[EXP_SHA256_HEX + 1];
    size_t                    n;
    int                       found;

    t_publish(st, "t-version", 10, 10, NULL);
    ASSERT_EQ(t_write(st, "t-version", 1, "xml", &b, hex, &err), CM_EINVAL);
    ASSERT_STREQ(err.what, "format");
    ASSERT_CONTAINS(err.msg, EXP_FORMATS_TEXT);
    cm_buf_clear(&b);
    ASSERT_EQ(exp_format_find("tar.gz"), EXP_TGZ);
    ASSERT_EQ(exp_format_find("tgz"), -1);
    ASSERT_EQ(exp_format_find(NULL), -1);

    /* Without extra columns the CSV has the nine published ones only. */
    ASSERT_EQ(t_write(st, "t-version", 1, "csv", &b, hex, &err), CM_OK);
    {
        static const char head[] = "period,territory_level,territory,sector,"
                                   "kind,value,unit,n_sites,status\r\n";

        ASSERT(strncmp(b.data, head, sizeof(head) - 1) == 0);
    }
    cm_buf_clear(&b);

    /* A version whose stored rows are not its record is refused. */
    t_publish(st, "t-short", 10, 9, NULL);
    ASSERT_EQ(store_version_get(st, "t-short", 1, &v, &found, &err), CM_OK);
    ASSERT_EQ(exp_version_describe(st, &v, NULL, d, EXP_NFORMATS, &n, &err),
              CM_EINTERNAL);
    ASSERT_CONTAINS(err.msg, "9 stored rows");
    ASSERT_EQ(n, 0);
    ASSERT_EQ(exp_version_describe(st, &v, NULL, d, 2, &n, &err), CM_EINVAL);
    store_version_clear(&v);
    store_close(st);
}

int
main(void)
{
    /* As consometer does: zip member times come from localtime(). */
    setenv("TZ", "UTC", 1);
    tzset();
    RUN(test_columns_parse);
    RUN(test_csv_extra);
    RUN(test_json_extra);
    RUN(test_datapackage_columns);
    RUN(test_describe_matches_write);
    RUN(test_deterministic);
    RUN(test_archive_members);
    RUN(test_errors);
    return 0;
}
