/*
** exp_datapackage.c -- datapackage.json (Frictionless Data Package v2)
** for a dataset version's archive: licences, then one resource per file
** with its bytes and "sha256:" hash, and for the data files a Table
** Schema of the published columns and the version's extra ones, so a
** validator (or the test's own check) can prove the archive is what it
** claims. Written through jw.
*/
#include <string.h>

#include "exp.h"
#include "jw.h"

#define DP_PROFILE "https://datapackage.org/profiles/2.0/"

struct dp_field {
    const char *name, *type, *description;
    int         required;
};

/* The published columns, in exp_columns order (issue 4). */
static const struct dp_field dp_fields[EXP_NCOLS] = {
    {"period", "string",
     "Period start, Europe/Paris: YYYY, YYYY-MM, YYYY-MM-DD or an hour", 1},
    {"territory_level", "string", "Kind of territory", 1},
    {"territory", "string", "Territory code (INSEE, SIREN or site id)", 1},
    {"sector", "string", "Building category; empty when not grouped", 0},
    {"kind", "string", "Energy or measure", 1},
    {"value", "number", "Value in unit; empty when suppressed", 0},
    {"unit", "string", "Canonical unit", 1},
    {"n_sites", "integer", "Number of contributing sites", 0},
    {"status", "string",
     "SDMX observation status: A published, C primary suppression, "
     "D secondary suppression",
     1},
};

static void
dp_enum(struct jw *j, const char *const *v)
{
    jw_key(j, "enum");
    jw_arr_open(j);
    for (; *v != NULL; v++)
        jw_str(j, *v);
    jw_arr_close(j);
}

static void
dp_schema(struct jw *j, const struct exp_resource *r,
          const struct exp_columns *cols)
{
    static const char *const levels[] = {
        "site", "district", "commune", "epci", "department", "region", NULL};
    static const char *const statuses[] = {"A", "C", "D", NULL};
    static const char *const key[] = {"period", "territory_level", "territory",
                                      "kind", "sector"};
    int fr = (r->csv_flags & EXP_CSV_FR) && strcmp(r->format, "csv") == 0;

    jw_key(j, "schema");
    jw_obj_open(j);
    jw_kv_str(j, "$schema", DP_PROFILE "tableschema.json");
    jw_key(j, "fields");
    jw_arr_open(j);
    for (int i = 0; i < EXP_NCOLS; i++) {
        const struct dp_field *f = &dp_fields[i];

        jw_obj_open(j);
        jw_kv_str(j, "name", f->name);
        jw_kv_str(j, "type", f->type);
        jw_kv_str(j, "description", f->description);
        if (fr && strcmp(f->type, "number") == 0)
            jw_kv_str(j, "decimalChar", ",");
        jw_key(j, "constraints");
        jw_obj_open(j);
        jw_kv_bool(j, "required", f->required);
        if (strcmp(f->name, "territory_level") == 0)
            dp_enum(j, levels);
        else if (strcmp(f->name, "status") == 0)
            dp_enum(j, statuses);
        else if (strcmp(f->name, "n_sites") == 0)
            jw_kv_int(j, "minimum", 0);
        jw_obj_close(j);
        jw_obj_close(j);
    }
    for (size_t i = 0; cols != NULL && i < cols->n; i++) {
        const struct exp_column *c = &cols->col[i];

        jw_obj_open(j);
        jw_kv_str(j, "name", c->name);
        jw_kv_str(j, "type", c->type);
        if (c->title != NULL)
            jw_kv_str(j, "title", c->title);
        if (c->description != NULL)
            jw_kv_str(j, "description", c->description);
        if (fr && strcmp(c->type, "number") == 0)
            jw_kv_str(j, "decimalChar", ",");
        jw_obj_close(j);
    }
    jw_arr_close(j);
    jw_key(j, "missingValues");
    jw_arr_open(j);
    jw_str(j, "");
    jw_arr_close(j);
    jw_key(j, "primaryKey");
    jw_arr_open(j);
    for (int i = 0; i < (r->by_sector ? 5 : 4); i++)
        jw_str(j, key[i]);
    jw_arr_close(j);
    jw_obj_close(j);
}

static void
dp_resource(struct jw *j, const struct exp_resource *r,
            const struct exp_columns *cols)
{
    char hash[8 + EXP_SHA256_HEX + 1];

    snprintf(hash, sizeof(hash), "sha256:%s", r->sha256);
    jw_obj_open(j);
    jw_kv_str(j, "name", r->name);
    if (r->table)
        jw_kv_str(j, "type", "table");
    jw_kv_str(j, "path", r->path);
    jw_kv_str(j, "format", r->format);
    jw_kv_str(j, "mediatype", r->mediatype);
    jw_kv_str(j, "encoding", "utf-8");
    jw_kv_int(j, "bytes", (int64_t) r->bytes);
    jw_kv_str(j, "hash", hash);
    if (r->table && strcmp(r->format, "csv") == 0) {
        jw_key(j, "dialect");
        jw_obj_open(j);
        jw_kv_str(j, "$schema", DP_PROFILE "tabledialect.json");
        jw_kv_bool(j, "header", 1);
        jw_kv_str(j, "delimiter", (r->csv_flags & EXP_CSV_FR) ? ";" : ",");
        jw_kv_str(j, "lineTerminator", "\r\n");
        jw_obj_close(j);
    }
    if (r->table)
        dp_schema(j, r, cols);
    jw_obj_close(j);
}

int
exp_datapackage_json(const struct exp_package  *pkg,
                     const struct exp_resource *res, size_t n,
                     struct cm_buf *out, struct cm_err *err)
{
    return exp_datapackage_json_cols(pkg, NULL, res, n, out, err);
}

int
exp_datapackage_json_cols(const struct exp_package  *pkg,
                          const struct exp_columns  *cols,
                          const struct exp_resource *res, size_t n,
                          struct cm_buf *out, struct cm_err *err)
{
    struct jw  *j = jw_new();
    const char *doc;
    size_t      len;
    int         rc;

    jw_obj_open(j);
    jw_kv_str(j, "$schema", DP_PROFILE "datapackage.json");
    jw_kv_str(j, "name", pkg->name);
    jw_kv_str(j, "title", pkg->title);
    if (pkg->description != NULL)
        jw_kv_str(j, "description", pkg->description);
    if (pkg->version != NULL)
        jw_kv_str(j, "version", pkg->version);
    if (pkg->created != NULL)
        jw_kv_str(j, "created", pkg->created);
    jw_key(j, "licenses");
    jw_arr_open(j);
    jw_obj_open(j);
    jw_kv_str(j, "name", pkg->license_name);
    if (pkg->license_path != NULL)
        jw_kv_str(j, "path", pkg->license_path);
    if (pkg->license_title != NULL)
        jw_kv_str(j, "title", pkg->license_title);
    jw_obj_close(j);
    jw_arr_close(j);
    jw_key(j, "resources");
    jw_arr_open(j);
    for (size_t i = 0; i < n; i++)
        dp_resource(j, &res[i], cols);
    jw_arr_close(j);
    jw_obj_close(j);
    rc = jw_result(j, &doc, &len, err);
    if (rc == CM_OK) {
        cm_buf_add(out, doc, len);
        cm_buf_add(out, "\n", 1);
    }
    jw_free(j);
    return rc;
}
