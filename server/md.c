/*
** md.c -- the registry's Markdown subset as safe HTML (md.h). Line by
** line: a block is a paragraph, a heading or a list; inline marks are
** matched only when closed on the same line, so an unclosed "**" is
** text. Output is built only from the fixed tags below and escaped text.
*/
#include <string.h>

#include "md.h"
#include "mem.h"
#include "text.h"

void
md_escape(const char *s, size_t n, struct cm_buf *out)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = (unsigned char) s[i];
        size_t        len;

        switch (c) {
        case '&':
            cm_buf_puts(out, "&amp;");
            i++;
            continue;
        case '<':
            cm_buf_puts(out, "&lt;");
            i++;
            continue;
        case '>':
            cm_buf_puts(out, "&gt;");
            i++;
            continue;
        case '"':
            cm_buf_puts(out, "&quot;");
            i++;
            continue;
        case '\'':
            cm_buf_puts(out, "&#39;");
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x80) {
            if (c >= 0x20 || c == '\t' || c == '\n')
                cm_buf_add(out, s + i, 1);
            i++;
            continue;
        }
        len = cm_utf8_seq((const unsigned char *) s + i, n - i);
        /* U+FFFE and U+FFFF are UTF-8 but no XML character (the feed) */
        if (len == 3 && memcmp(s + i, "\xEF\xBF", 2) == 0 &&
            ((unsigned char) s[i + 2] & 0xFE) == 0xBE)
            len = 0;
        if (len == 0) {
            size_t bad = cm_utf8_seq((const unsigned char *) s + i, n - i);

            cm_buf_puts(out, "\xEF\xBF\xBD");
            i += bad ? bad : 1;
        } else {
            cm_buf_add(out, s + i, len);
            i += len;
        }
    }
}

/* The length of a URL a link may have, 0 if its scheme is not allowed. */
static int
md_url_ok(const char *u, size_t n)
{
    static const char *const schemes[] = {"https://", "http://",
                                          "mailto:", NULL};

    for (int i = 0; schemes[i]; i++) {
        size_t k = strlen(schemes[i]);

        if (n > k && strncmp(u, schemes[i], k) == 0)
            return 1;
    }
    return 0;
}

/* The position of 'mark' (len 1 or 2) in s[from..n) not preceded by a
** space right after the opening, or 0 if none. */
static size_t
md_find(const char *s, size_t n, size_t from, const char *mark, size_t ml)
{
    for (size_t i = from; i + ml <= n; i++)
        if (memcmp(s + i, mark, ml) == 0 && i > from)
            return i;
    return 0;
}

static void md_inline(const char *s, size_t n, struct cm_buf *out, int depth);

/* Inline marks of one line: code, bold, italic, links. */
static void
md_inline(const char *s, size_t n, struct cm_buf *out, int depth)
{
    size_t i = 0, text = 0;

    while (i < n) {
        size_t end;

        if (s[i] == '`' && (end = md_find(s, n, i + 1, "`", 1)) != 0) {
            md_escape(s + text, i - text, out);
            cm_buf_puts(out, "<code>");
            md_escape(s + i + 1, end - i - 1, out);
            cm_buf_puts(out, "</code>");
            i = text = end + 1;
        } else if (depth < 4 && i + 1 < n && s[i] == '*' && s[i + 1] == '*' &&
                   (end = md_find(s, n, i + 2, "**", 2)) != 0) {
            md_escape(s + text, i - text, out);
            cm_buf_puts(out, "<strong>");
            md_inline(s + i + 2, end - i - 2, out, depth + 1);
            cm_buf_puts(out, "</strong>");
            i = text = end + 2;
        } else if (depth < 4 && (s[i] == '*' || s[i] == '_') && i + 1 < n &&
                   s[i + 1] != ' ' &&
                   (i == 0 || s[i - 1] == ' ' || s[i - 1] == '(') &&
                   (end = md_find(s, n, i + 1, s[i] == '*' ? "*" : "_", 1)) !=
                       0) {
            md_escape(s + text, i - text, out);
            cm_buf_puts(out, "<em>");
            md_inline(s + i + 1, end - i - 1, out, depth + 1);
            cm_buf_puts(out, "</em>");
            i = text = end + 1;
        } else if (s[i] == '[') {
            size_t close = md_find(s, n, i + 1, "]", 1), url, uend = 0;

            if (close && close + 1 < n && s[close + 1] == '(') {
                url = close + 2;
                for (size_t k = url; k < n; k++)
                    if (s[k] == ')') {
                        uend = k;
                        break;
                    } else if (s[k] == ' ')
                        break;
            }
            if (uend && md_url_ok(s + url, uend - url)) {
                md_escape(s + text, i - text, out);
                cm_buf_puts(out, "<a href=\"");
                md_escape(s + url, uend - url, out);
                cm_buf_puts(out, "\" rel=\"nofollow noopener noreferrer\">");
                md_inline(s + i + 1, close - i - 1, out, depth + 1);
                cm_buf_puts(out, "</a>");
                i = text = uend + 1;
            } else
                i++;
        } else
            i++;
    }
    md_escape(s + text, n - text, out);
}

enum md_block { MD_NONE, MD_P, MD_UL, MD_OL };

static void
md_close(enum md_block *b, struct cm_buf *out)
{
    static const char *const close[] = {"", "</p>\n", "</ul>\n", "</ol>\n"};

    cm_buf_puts(out, close[*b]);
    *b = MD_NONE;
}

void
md_render(const char *s, size_t n, struct cm_buf *out)
{
    enum md_block b = MD_NONE;
    size_t        i = 0;

    while (i < n) {
        size_t      e = i, len, lead, item = 0, heading;
        const char *l;

        while (e < n && s[e] != '\n')
            e++;
        len = e - i;
        if (len && s[i + len - 1] == '\r')
            len--;
        l = s + i;
        lead = 0;
        while (lead < len && lead < 4 && l[lead] == ' ')
            lead++;
        l += lead;
        len -= lead;
        heading = 0;
        while (heading < len && heading < 6 && l[heading] == '#')
            heading++;
        if (heading == 0 || heading >= len || l[heading] != ' ')
            heading = 0;
        while (item < len && item < 4 && l[item] >= '0' && l[item] <= '9')
            item++;
        if (!(item > 0 && item < 4 && item + 2 < len && l[item] == '.' &&
              l[item + 1] == ' '))
            item = 0;
        if (len == 0) {
            md_close(&b, out);
        } else if (heading) {
            md_close(&b, out);
            cm_buf_puts(out, "<h3>");
            md_inline(l + heading + 1, len - heading - 1, out, 0);
            cm_buf_puts(out, "</h3>\n");
        } else if (len > 2 && (l[0] == '-' || l[0] == '*') && l[1] == ' ') {
            if (b != MD_UL) {
                md_close(&b, out);
                cm_buf_puts(out, "<ul>\n");
                b = MD_UL;
            }
            cm_buf_puts(out, "<li>");
            md_inline(l + 2, len - 2, out, 0);
            cm_buf_puts(out, "</li>\n");
        } else if (item) {
            if (b != MD_OL) {
                md_close(&b, out);
                cm_buf_puts(out, "<ol>\n");
                b = MD_OL;
            }
            cm_buf_puts(out, "<li>");
            md_inline(l + item + 2, len - item - 2, out, 0);
            cm_buf_puts(out, "</li>\n");
        } else {
            if (b == MD_P)
                cm_buf_puts(out, "<br>\n");
            else {
                md_close(&b, out);
                cm_buf_puts(out, "<p>");
                b = MD_P;
            }
            md_inline(l, len, out, 0);
        }
        i = e + 1;
    }
    md_close(&b, out);
}
