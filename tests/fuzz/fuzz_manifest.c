/*
** fuzz_manifest.c -- libFuzzer target for ds_manifest_parse(), which reads
** every dataset.json an administrator (or a datathon team, through an
** indicator's metadata) hands to the publisher. Whatever the bytes, the
** parse must fail with a code and a message, or succeed; and on success
** the canonical form it writes must parse again into the same canonical
** bytes (the manifest published with a version is stable byte for byte:
** ds_manifest.h). The cm_fold() of the title, as the catalog's search
** text is made, must stay valid UTF-8 when the title is. See README.md.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ds_manifest.h"
#include "fuzz_util.h"
#include "jw.h"
#include "mem.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ds_manifest m, again;
    struct cm_err      err;
    struct jw         *w;
    char              *first, *second;
    struct cm_buf      fold;

    if (ds_manifest_parse((const char *) data, size, "fuzz.json", &m, &err) !=
        CM_OK) {
        FZ_CHECK(err.code != CM_OK && err.msg[0] != '\0');
        ds_manifest_clear(&m);
        return 0;
    }
    FZ_CHECK(m.slug && m.title.fr && m.kinds != 0 && m.measures != 0);
    w = jw_new();
    ds_manifest_write_json(&m, w);
    first = jw_strdup(w);
    jw_free(w);
    FZ_CHECK(first != NULL);
    FZ_CHECK(ds_manifest_parse(first, strlen(first), "canonical.json", &again,
                               &err) == CM_OK);
    w = jw_new();
    ds_manifest_write_json(&again, w);
    second = jw_strdup(w);
    jw_free(w);
    FZ_CHECK(second != NULL && strcmp(first, second) == 0);
    cm_buf_init(&fold);
    cm_fold(m.title.fr, strlen(m.title.fr), &fold);
    FZ_CHECK(fold.len == 0 || fz_utf8_valid(fold.data, fold.len));
    cm_buf_clear(&fold);
    free(first);
    free(second);
    ds_manifest_clear(&m);
    ds_manifest_clear(&again);
    return 0;
}
