/*
** md.h -- the small Markdown subset of the registry's text fields, as
** safe HTML. Editors write text, never HTML: every character that is not
** part of the subset is escaped, so "<script>" comes out as
** "&lt;script&gt;" and no attribute can be injected.
**
** The subset: paragraphs (blank line), line breaks, "### " headings
** (h3; "#" and "##" become h3 too: a sheet's own headings sit below the
** page's), "- " / "* " lists, "1. " lists, **bold**, *italic*, `code`,
** and [text](url) links whose url starts with http://, https:// or
** mailto: (any other scheme, javascript: included, is left as text).
** Links get rel="nofollow noopener noreferrer".
*/
#ifndef CM_MD_H
#define CM_MD_H

#include <stddef.h>

struct cm_buf;

/* Append the HTML of the Markdown text s[0..n) to out. Never fails; bad
** UTF-8 bytes are replaced by U+FFFD. */
void md_render(const char *s, size_t n, struct cm_buf *out);

/* Append s[0..n) to out with & < > " ' escaped (HTML text and attribute
** values alike, and XML: control characters but tab and newline are
** dropped, bad UTF-8 and U+FFFE/U+FFFF become U+FFFD). */
void md_escape(const char *s, size_t n, struct cm_buf *out);

#endif /* CM_MD_H */
