/*
** test_practice.c -- a practice sheet without a store or a server: the
** field table's validation (every rule, every failing field named at
** once), the canonical document, the diff of two revisions, the search
** text and facets, the FTS query built from a user's words, the Markdown
** subset rendered safe, and the moderation table.
*/
#include <yajl/yajl_tree.h>

#include "../t.h"
#include "auth.h"
#include "jw.h"
#include "md.h"
#include "mem.h"
#include "practice.h"

#define TERR                                                                   \
    "\"territory\":{\"level\":\"epci\",\"code\":\"200042174\","                \
    "\"name\":\"Lorient Agglomération\"}"

/* Parse doc (no store: links unchecked); the status, errs filled. */
static int
parse(const char *doc, struct practice_doc *out, struct practice_errs *errs)
{
    struct cm_err err;

    return practice_doc_parse(NULL, doc, strlen(doc), 7, out, errs, &err);
}

/* 1 if errs names 'field'. */
static int
names(const struct practice_errs *errs, const char *field)
{
    for (int i = 0; i < errs->n; i++)
        if (strcmp(errs->e[i].field, field) == 0)
            return 1;
    return 0;
}

static void
test_valid_and_canonical(void)
{
    struct practice_doc  d;
    struct practice_errs e;

    /* Keys in any order come out in the table's order, nulls dropped,
    ** the default licence written */
    ASSERT_EQ(parse("{\"impacts\":{\"ghg\":2,\"energy\":3},\"summary\":\"S\","
                    "\"contact\":null," TERR ",\"title\":\"T\"}",
                    &d, &e),
              CM_OK);
    ASSERT_STREQ(d.json, "{\"title\":\"T\",\"summary\":\"S\"," TERR
                         ",\"impacts\":{\"energy\":3,\"ghg\":2},"
                         "\"licence\":\"etalab-2.0\"}");
    ASSERT_STREQ(d.m.territory_code, "200042174");
    ASSERT_STREQ(d.m.territory_level, "epci");
    practice_doc_clear(&d);

    /* Corsica, overseas départements, a summary of several lines */
    ASSERT_EQ(
        parse("{\"title\":\"T\",\"summary\":\"a\\nb\",\"territory\":"
              "{\"level\":\"commune\",\"code\":\"2A004\",\"name\":\"A\"}}",
              &d, &e),
        CM_OK);
    practice_doc_clear(&d);
    ASSERT_EQ(parse("{\"title\":\"T\",\"summary\":\"s\",\"territory\":"
                    "{\"level\":\"departement\",\"code\":\"974\",\"name\":"
                    "\"R\"},\"start\":\"2024\",\"end\":\"2024-02-29\"}",
                    &d, &e),
              CM_OK);
    practice_doc_clear(&d);
}

static void
test_every_failure_named(void)
{
    struct practice_doc  d;
    struct practice_errs e;
    char                 title[400];

    memset(title, 'x', 301);
    title[301] = '\0';
    {
        char doc[2048];

        snprintf(doc, sizeof(doc),
                 "{\"title\":\"%s\",\"impacts\":{\"energy\":4,\"co2\":1},"
                 "\"territory\":{\"level\":\"epci\",\"code\":\"200042175\","
                 "\"name\":\"x\"},\"themes\":[\"lighting\",\"lighting\","
                 "\"space\"],\"steps\":[{\"done\":true},{\"title\":\"ok\","
                 "\"date\":\"2024-13\"}],\"documents\":[{\"title\":\"d\","
                 "\"url\":\"javascript:alert(1)\"}],\"start\":\"2025\","
                 "\"end\":\"2024-06\",\"budget\":[{\"label\":\"b\","
                 "\"amount_eur\":-1}],\"indicators\":[{\"slug\":\"a\","
                 "\"name\":\"b\"},{\"name\":\"m\",\"values\":{\"24\":1}}],"
                 "\"licence\":\"MIT\",\"bogus\":1}",
                 title);
        ASSERT_EQ(parse(doc, &d, &e), CM_EUNPROCESSABLE);
    }
    ASSERT(names(&e, "title"));
    ASSERT(names(&e, "summary")); /* required, absent */
    ASSERT(names(&e, "bogus"));
    ASSERT(names(&e, "impacts.energy"));
    ASSERT(names(&e, "impacts.co2"));
    ASSERT(names(&e, "territory.code"));
    ASSERT(names(&e, "themes[1]")); /* twice */
    ASSERT(names(&e, "themes[2]")); /* not a theme */
    ASSERT(names(&e, "steps[0].title"));
    ASSERT(names(&e, "steps[1].date"));
    ASSERT(names(&e, "documents[0].url"));
    ASSERT(names(&e, "end"));
    ASSERT(names(&e, "budget[0].amount_eur"));
    ASSERT(names(&e, "indicators[0]"));
    ASSERT(names(&e, "indicators[1].values.24"));
    ASSERT(names(&e, "licence"));
    ASSERT(d.json == NULL);

    /* An empty key is named too (found by fuzz_practice) */
    ASSERT_EQ(
        parse("{\"\":1,\"title\":\"t\",\"summary\":\"s\"," TERR "}", &d, &e),
        CM_EUNPROCESSABLE);
    ASSERT(names(&e, "\"\""));
    /* Not a document at all */
    ASSERT_EQ(parse("[1]", &d, &e), CM_EUNPROCESSABLE);
    ASSERT_EQ(parse("{", &d, &e), CM_EMALFORMED);
    ASSERT_EQ(parse("{\"title\":\"a\\u0000b\"}", &d, &e), CM_EUNPROCESSABLE);
    /* A control character in a one-line field; a link to itself (id 7) */
    ASSERT_EQ(parse("{\"title\":\"a\\tb\",\"summary\":\"s\"," TERR
                    ",\"linked_practices\":[7]}",
                    &d, &e),
              CM_EUNPROCESSABLE);
    ASSERT(names(&e, "title"));
    ASSERT(names(&e, "linked_practices[0]"));
    /* Codes against their level */
    ASSERT_EQ(parse("{\"title\":\"t\",\"summary\":\"s\",\"territory\":{"
                    "\"level\":\"commune\",\"code\":\"5612\",\"name\":\"x\"}}",
                    &d, &e),
              CM_EUNPROCESSABLE);
    ASSERT(names(&e, "territory.code"));
    ASSERT_EQ(parse("{\"title\":\"t\",\"summary\":\"s\",\"territory\":{"
                    "\"level\":\"region\",\"code\":\"5X\",\"name\":\"x\"}}",
                    &d, &e),
              CM_EUNPROCESSABLE);
    ASSERT(names(&e, "territory.code"));
    /* Non-finite numbers never reach the canonical document */
    ASSERT_EQ(parse("{\"title\":\"t\",\"summary\":\"s\"," TERR
                    ",\"funders\":[{\"name\":\"f\",\"amount_eur\":1e400}]}",
                    &d, &e),
              CM_EUNPROCESSABLE);
    ASSERT(names(&e, "funders[0].amount_eur"));
}

static void
test_diff(void)
{
    struct jw    *w = jw_new();
    const char   *out;
    size_t        len;
    struct cm_err err;

    ASSERT_EQ(practice_diff("{\"title\":\"A\",\"summary\":\"S\",\"status\":"
                            "\"planned\"}",
                            "{\"title\":\"B\",\"summary\":\"S\",\"sector\":"
                            "\"industry\"}",
                            w, &err),
              CM_OK);
    ASSERT_EQ(jw_result(w, &out, &len, &err), CM_OK);
    ASSERT_STREQ(out, "[{\"field\":\"title\",\"change\":\"changed\","
                      "\"before\":\"A\",\"after\":\"B\"},"
                      "{\"field\":\"status\",\"change\":\"removed\","
                      "\"before\":\"planned\",\"after\":null},"
                      "{\"field\":\"sector\",\"change\":\"added\","
                      "\"before\":null,\"after\":\"industry\"}]");
    jw_free(w);
}

static void
test_index(void)
{
    struct practice_doc   d;
    struct practice_errs  e;
    struct practice_index ix;
    int                   themes = 0, impact = 0;

    ASSERT_EQ(
        parse("{\"title\":\"Chaufferie à l'Écolé\",\"summary\":\"Œuvre\"," TERR
              ",\"themes\":[\"heat_network\",\"renewables\"],"
              "\"impacts\":{\"energy\":3},\"tags\":[\"Bois\"]}",
              &d, &e),
        CM_OK);
    practice_index_build(&d, &ix);
    ASSERT_STREQ(ix.title, "chaufferie a l'ecole");
    ASSERT_STREQ(ix.summary, "oeuvre");
    ASSERT_CONTAINS(ix.tags, "bois");
    ASSERT_CONTAINS(ix.body, "lorient agglomeration");
    for (int i = 0; i < ix.nfacets; i++) {
        themes += strcmp(ix.facet[i], "theme") == 0;
        impact += strcmp(ix.facet[i], "impact") == 0 &&
                  strcmp(ix.value[i], "energy:3") == 0;
    }
    ASSERT_EQ(themes, 2);
    ASSERT_EQ(impact, 1);
    ASSERT_CONTAINS(ix.hit, "\"title\":\"Chaufferie à l'Écolé\"");
    practice_index_clear(&ix);
    practice_doc_clear(&d);
}

static void
fts(const char *q, const char *want, int words)
{
    struct cm_buf b;

    cm_buf_init(&b);
    ASSERT_EQ(practice_fts_query(q, &b), words);
    ASSERT_STREQ(b.data ? b.data : "", want);
    cm_buf_clear(&b);
}

static void
test_fts_query(void)
{
    fts("Électricité", "\"electricite\"*", 1);
    fts("réseaux de chaleur", "\"reseau\"* \"chaleur\"*", 2);
    fts("l'école", "\"ecole\"*", 1);
    /* Every character of q is text, never FTS5 syntax */
    fts("\"", "", 0);
    /* One letter is an elision or an initial, "and" a stop word */
    fts("NEAR(a b) AND c* OR -d ^e f:g", "\"near\"* \"or\"*", 2);
    fts("ab:cd", "\"ab\"* \"cd\"*", 2);
    fts("", "", 0);
}

static void
md(const char *in, const char *want)
{
    struct cm_buf b;

    cm_buf_init(&b);
    md_render(in, strlen(in), &b);
    cm_buf_add(&b, "", 1);
    ASSERT_STREQ(b.data, want);
    cm_buf_clear(&b);
}

static void
test_markdown(void)
{
    md("a **b** *c* `d<e>`", "<p>a <strong>b</strong> <em>c</em> "
                             "<code>d&lt;e&gt;</code></p>\n");
    md("<script>alert('x')</script>",
       "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>\n");
    md("[ok](https://a.fr/?q=1&r=\"2\") [ko](javascript:alert(1))",
       "<p><a href=\"https://a.fr/?q=1&amp;r=&quot;2&quot;\" "
       "rel=\"nofollow noopener noreferrer\">ok</a> "
       "[ko](javascript:alert(1))</p>\n");
    md("### Titre\n- un\n- deux\n\n1. a\n2. b\nfin\nsuite",
       "<h3>Titre</h3>\n<ul>\n<li>un</li>\n<li>deux</li>\n</ul>\n"
       "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n<p>fin<br>\nsuite</p>\n");
    md("**pas fermé", "<p>**pas fermé</p>\n");
    md("\xff", "<p>\xEF\xBF\xBD</p>\n");
    /* Not XML characters: the feed would not parse */
    md("a\xEF\xBF\xBE"
       "b\xEF\xBF\xBF",
       "<p>a\xEF\xBF\xBD"
       "b\xEF\xBF\xBD</p>\n");
}

static void
test_transitions(void)
{
    const struct practice_transition *t = practice_transition_find("publish");

    ASSERT(t != NULL);
    ASSERT_STREQ(t->from, "in_review");
    ASSERT_STREQ(t->to, "published");
    ASSERT(!(t->roles & AUTH_EDITOR));
    ASSERT(practice_transition_find("reject")->needs_comment);
    ASSERT(practice_transition_find("submit")->roles & AUTH_EDITOR);
    ASSERT(practice_transition_find("delete") == NULL);
}

int
main(void)
{
    RUN(test_valid_and_canonical);
    RUN(test_every_failure_named);
    RUN(test_diff);
    RUN(test_index);
    RUN(test_fts_query);
    RUN(test_markdown);
    RUN(test_transitions);
    return 0;
}
