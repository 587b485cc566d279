/*
** test_datasets.c -- every dataset definition shipped in datasets/ is a
** valid manifest whose slug is its folder's name, so the demo datasets
** can be published as they are.
*/
#include <dirent.h>

#include "../t.h"
#include "ds_manifest.h"

static void
test_shipped_manifests(void)
{
    DIR           *d = opendir(CM_SOURCE_DIR "/datasets");
    struct dirent *e;
    int            n = 0;

    ASSERT(d != NULL);
    while ((e = readdir(d)) != NULL) {
        char               path[2048];
        struct ds_manifest m;
        struct cm_err      err;
        struct stat        sb;

        snprintf(path, sizeof(path), "%s/datasets/%s/dataset.json",
                 CM_SOURCE_DIR, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &sb) != 0)
            continue;
        if (ds_manifest_load(path, &m, &err) != CM_OK) {
            fprintf(stderr, "%s: %s\n", path, err.msg);
            exit(1);
        }
        ASSERT_STREQ(m.slug, e->d_name);
        ds_manifest_clear(&m);
        n++;
    }
    closedir(d);
    ASSERT(n >= 4); /* The demo datasets of the publication feature */
}

int
main(void)
{
    RUN(test_shipped_manifests);
    return 0;
}
