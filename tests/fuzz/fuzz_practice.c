/*
** fuzz_practice.c -- libFuzzer target for what the registry parses from
** strangers (practice.h, md.h):
**   - practice_doc_parse() on the input as a sheet (no store: links are
**     not looked up) either fails with an error naming a field, or gives
**     a canonical document that parses again to the same canonical text
**     (validation and the writer agree);
**   - md_render() of the input never lets markup through: outside the
**     tags it writes itself, no '<' survives, and no "javascript:" link;
**   - practice_fts_query() of the input gives a query made only of
**     quoted words (no FTS5 syntax from the input).
** The input is used as is, with no terminating NUL. See README.md.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "md.h"
#include "mem.h"
#include "practice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_doc(const char *s, size_t n)
{
    struct practice_doc  doc, again;
    struct practice_errs errs;
    struct cm_err        err;

    if (practice_doc_parse(NULL, s, n, 0, &doc, &errs, &err) != CM_OK) {
        FZ_CHECK(err.code != CM_OK);
        if (err.code == CM_EUNPROCESSABLE)
            FZ_CHECK(err.what[0] != '\0');
        return;
    }
    FZ_CHECK(doc.m.title != NULL && doc.m.territory_code != NULL);
    FZ_CHECK(practice_doc_parse(NULL, doc.json, doc.len, 0, &again, &errs,
                                &err) == CM_OK);
    FZ_CHECK(again.len == doc.len &&
             memcmp(again.json, doc.json, doc.len) == 0);
    practice_doc_clear(&again);
    practice_doc_clear(&doc);
}

/* Tags md_render writes; anything else starting with '<' is a leak. */
static const char *const tags[] = {
    "<p>",    "</p>",    "<br>",       "<h3>",     "</h3>",
    "<ul>",   "</ul>",   "<ol>",       "</ol>",    "<li>",
    "</li>",  "<em>",    "</em>",      "<strong>", "</strong>",
    "<code>", "</code>", "<a href=\"", "</a>",     NULL};

static void
check_md(const char *s, size_t n)
{
    struct cm_buf out;
    const char   *p;

    cm_buf_init(&out);
    md_render(s, n, &out);
    cm_buf_add(&out, "", 1);
    for (p = out.data; (p = strchr(p, '<')) != NULL; p++) {
        int known = 0;

        for (int i = 0; tags[i] && !known; i++)
            known = strncmp(p, tags[i], strlen(tags[i])) == 0;
        FZ_CHECK(known);
        if (strncmp(p, "<a href=\"", 9) == 0)
            FZ_CHECK(strncmp(p + 9, "http://", 7) == 0 ||
                     strncmp(p + 9, "https://", 8) == 0 ||
                     strncmp(p + 9, "mailto:", 7) == 0);
    }
    cm_buf_clear(&out);
}

static void
check_fts(const char *s, size_t n)
{
    char         *q = malloc(n + 1);
    struct cm_buf out;
    int           words, quoted = 0;

    FZ_CHECK(q != NULL);
    memcpy(q, s, n);
    q[n] = '\0';
    cm_buf_init(&out);
    words = practice_fts_query(q, &out);
    FZ_CHECK(words >= 0 && words <= PRACTICE_QUERY_WORDS);
    /* "word"* "word"*: quotes pair up, nothing but spaces and '*' outside */
    for (size_t i = 0; i < out.len; i++) {
        char c = out.data[i];

        if (c == '"')
            quoted = !quoted;
        else if (!quoted)
            FZ_CHECK(c == ' ' || c == '*');
    }
    FZ_CHECK(!quoted);
    cm_buf_clear(&out);
    free(q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *) data;

    check_doc(s, size);
    check_md(s, size);
    check_fts(s, size);
    return 0;
}
