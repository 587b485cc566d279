/*
** imp_formats.c -- the table of import formats, in the order detection
** tries them, and the helpers importers share. Add a format: write
** imp_<name>.c, declare it in imp_int.h, add its line here.
*/
#include <stdio.h>
#include <string.h>

#include "imp_int.h"

const struct imp_format imp_formats[] = {
    {"csv", "canonical CSV: site_id,meter_id,kind,unit,timestamp,value[,step]",
     imp_csv_detect, imp_csv_parse},
    {"enedis",
     "Enedis SGE / consumer CSV export: load curves (W), indexes (Wh)",
     imp_enedis_detect, imp_enedis_parse},
    {"mapped",
     "any CSV described by --mapping FILE (separator, decimal "
     "comma, columns, time format and zone, unit, meter)",
     imp_mapped_detect, imp_mapped_parse},
    {"adict", "GRDF ADICT gas consumption NDJSON (Gazpar), ref: id_pce",
     imp_adict_detect, imp_adict_parse},
    {"zabbix",
     "Zabbix history.get JSON or real-time export NDJSON, ref: "
     "itemid",
     imp_zabbix_detect, imp_zabbix_parse},
    {"dataconnect",
     "Enedis Data Connect meter_reading JSON, ref: "
     "usage_point_id",
     imp_dataconnect_detect, imp_dataconnect_parse},
    {"fronius",
     "Fronius Solar API GetArchiveData JSON, ref: "
     "<device>/<channel>",
     imp_fronius_detect, imp_fronius_parse},
    {"emoncms", "emoncms feed/data.json as feed-<id>.json, ref: <id>",
     imp_emoncms_detect, imp_emoncms_parse},
    {"senml", "SenML JSON pack (RFC 8428, Quoalise), ref: bn + n",
     imp_senml_detect, imp_senml_parse},
};

const int imp_nformats = (int) (sizeof(imp_formats) / sizeof(imp_formats[0]));

int
imp_first_line_has(const char *p, size_t n, const char *needle)
{
    const char *eol = memchr(p, '\n', n);
    size_t      len = eol ? (size_t) (eol - p) : n;

    return memmem(p, len, needle, strlen(needle)) != NULL;
}

int
imp_header(const char *file, const struct csv_rec *hdr, const char *const *cols,
           int nrequired, int *col, int *ncols, struct cm_err *err)
{
    int n = 0;

    while (cols[n])
        col[n++] = -1;
    for (int f = 0; f < hdr->n; f++) {
        int i = 0;

        while (cols[i] && strcmp(cols[i], hdr->f[f]) != 0)
            i++;
        if (cols[i] == NULL) {
            char list[256] = "";

            for (int j = 0; cols[j]; j++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list),
                         "%s%s", j ? "," : "", cols[j]);
            return cm_fail(err, CM_EMALFORMED,
                           "%s: line %ld: unknown column '%.64s' (known: %s)",
                           file, hdr->line, hdr->f[f], list);
        }
        if (col[i] >= 0)
            return cm_fail(err, CM_EMALFORMED,
                           "%s: line %ld: column '%s' appears twice", file,
                           hdr->line, cols[i]);
        col[i] = f;
    }
    for (int i = 0; i < nrequired; i++)
        if (col[i] < 0)
            return cm_fail(err, CM_EMALFORMED,
                           "%s: line %ld: required column '%s' is missing",
                           file, hdr->line, cols[i]);
    *ncols = hdr->n;
    return CM_OK;
}
