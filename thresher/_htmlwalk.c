/* The HTML segmenter's tree walk in C: html._Maker.walk over lxml's parsed tree, read in place.
 *
 * walk(root, max_blocks, attr_tokens, hidden_style, limit_error) returns one tuple per
 * block, (raw text, tag, dom_path, xpath, class/id tokens, depth, ancestry), exactly as the Python walk
 * (thresher/html.py) fills its Blocks before whitespace is collapsed, or None when the page holds a node
 * this walk does not handle (an entity reference, a namespace...): the Python walk then takes the page.
 * It reads a tree as html.clean_tree leaves it, whether or not clean_tree ran: skipped elements,
 * comments and processing instructions are passed (their tails kept), inline elements are unwrapped,
 * and the text inside each <a> is marked with LINK_START and LINK_END, as clean_tree marks it.
 * The tree is read through lxml's public C struct (an _Element's xmlNode) and libxml2's node structs,
 * never changed, and walked without recursion. Texts are read as lxml reads .text and .tail: every
 * run of adjacent text nodes as one string. The caller holds the GIL throughout (Python objects are
 * made on the way, and attr_tokens and hidden_style are called): the tree must be the caller's own,
 * which nothing else (no other thread, no callback) changes during the walk, as html_blocks' is.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlversion.h>

#include "lxml-version.h"

#include "_buffer.h"

static PyTypeObject *element_type; /* lxml.etree._Element, found at import */

/* lxml's public layout of an _Element (lxml/etree.h, "cdef public class _Element") */
struct LxmlElementHead {
    PyObject_HEAD
    void *_doc;
    xmlNode *_c_node;
};

#define MAX_ATTR_TOKENS 24 /* html.MAX_ATTR_TOKENS */
#define MAX_ANCESTORS 12   /* html.MAX_ANCESTORS */
#define ATTR_CHARS 300     /* html.attr_tokens reads raw[:300] */
#define MAX_PROBES 64 /* index_children's hash: past this, a page chose colliding names */
#define MAX_PROSE_ID ((Py_ssize_t)1 << 26) /* prose_shares' arrays: ids the walk of a page can reach */
#define PATH_TAIL 8        /* dom_path: the last 8 tags */

static const char *BLOCK_TAGS[] = {/* html.BLOCK_TAGS, sorted for bsearch */
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend",
    "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul"};

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* html.SKIP_TAGS: removed with their content (clean_tree's strip_elements); their tails stay */
static const char *SKIP_TAGS[] = {
    "canvas", "embed", "head", "iframe", "input", "link", "math", "meta", "object", "script", "select", "style",
    "svg", "template", "textarea"};

/* html.INLINE_TAGS: unwrapped (clean_tree's strip_tags): their text and children join their parent's */
static const char *INLINE_TAGS[] = {
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i",
    "img", "ins", "kbd", "label", "mark", "nobr", "picture", "q", "s", "samp", "small", "source", "span",
    "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr"};

static int
in_table(const xmlChar *name, const char **table, size_t n)
{
    const char *key = (const char *)name;
    return bsearch(&key, table, n, sizeof *table, cmp_name) != NULL;
}

#define IS_BLOCK(name) in_table((name), BLOCK_TAGS, sizeof BLOCK_TAGS / sizeof *BLOCK_TAGS)
#define IS_SKIP(name) in_table((name), SKIP_TAGS, sizeof SKIP_TAGS / sizeof *SKIP_TAGS)
#define IS_INLINE(name) in_table((name), INLINE_TAGS, sizeof INLINE_TAGS / sizeof *INLINE_TAGS)

/* What the walk does with a node: clean_tree's view of it */
enum { N_TEXT, N_DROP, N_SKIP, N_INLINE, N_ELEMENT, N_UNSUPPORTED };

/* An element name's classes, found by bsearch once per name and walk (libxml2 interns a page's
 * names, so a name is mostly one pointer): a direct-mapped cache keyed by the pointer */
enum { K_SKIP = 1, K_INLINE = 2, K_BLOCK = 4, K_BR = 8, K_LINK = 16 };
#define NAME_CACHE 256
typedef struct {
    const xmlChar *name;
    unsigned char classes;
} NameClasses;

static int
is_text(const xmlNode *n)
{
    return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

typedef struct {
    Py_ssize_t index, total;
} Kid;

/* ---- the walk's state: html._Maker's, with the same names ---- */
typedef struct {
    const xmlChar *name; /* the element's name */
    PyObject *tag;       /* and its tag (str, borrowed from the walk's cache) */
    PyObject *tokens;  /* its tokens followed by its ancestors', capped (tuple) */
    Py_ssize_t xp_len; /* its xpath is xpath.data[:xp_len] */
    Py_ssize_t kid_base, kid_count, kid_cursor; /* its element children's xpath positions */
} Frame;

typedef struct {
    Frame *frames; /* frames[0] stands for the tree's parent: no tag, no tokens, xpath "" */
    Py_ssize_t n_frames, cap_frames;
    Py_ssize_t *open_ids, n_open, cap_open; /* ids of the open block elements */
    Py_ssize_t *open_frames, cap_open_frames; /* and their frames */
    Py_ssize_t next_id;
    Kid *kids; /* per element child of an open element: its [n] and its tag's count */
    const xmlChar **hash_keys; /* index_children's scratch: a hash of the children's names */
    Py_ssize_t *hash_seen, *slot_of, cap_hash;
    Py_ssize_t n_kids, cap_kids;
    Buf pieces, xpath, scratch, attr;
    PyObject *holder_tag, *holder_xpath; /* the open block when the text started (NULL: none) */
    int brs;
    PyObject *blocks;
    Py_ssize_t n_blocks, max_blocks;
    PyObject *attr_tokens, *hidden_style, *limit_error, *empty, *body_tag, *no_xpath;
    const xmlChar **tag_names; /* tags made once per name (libxml2 interns names): a hash table */
    PyObject **tag_objs;
    Py_ssize_t n_tags, cap_tags; /* cap_tags: 0 or a power of two */
    int unsupported; /* a node this walk does not handle: give the page to the Python walk */
    Py_ssize_t links; /* <a> elements open: clean_tree marks the text inside each with LINK_START, LINK_END */
    Buf run;          /* the text nodes read since the last element boundary (skipped elements between) */
    int raw;          /* the tree is as parsed: link marks in its text are the page's, and are dropped */
    NameClasses names[NAME_CACHE];
} Walk;

static int
name_classes(Walk *w, const xmlChar *name)
{
    NameClasses *c = &w->names[((uintptr_t)name >> 3) & (NAME_CACHE - 1)];
    if (c->name != name) {
        const char *s = (const char *)name;
        c->name = name;
        c->classes = (IS_SKIP(name) ? K_SKIP : 0) | (IS_INLINE(name) ? K_INLINE : 0) |
                     (IS_BLOCK(name) ? K_BLOCK : 0) | (strcmp(s, "br") == 0 ? K_BR : 0) |
                     (strcmp(s, "a") == 0 ? K_LINK : 0);
    }
    return c->classes;
}

static int
node_kind(Walk *w, const xmlNode *n)
{
    switch (n->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        return N_TEXT;
    case XML_COMMENT_NODE: /* clean_tree strips comments and processing instructions, tails kept */
    case XML_PI_NODE:
        return N_DROP;
    case XML_ELEMENT_NODE: {
        if (!n->name || n->ns)
            return N_UNSUPPORTED;
        int classes = name_classes(w, n->name);
        return classes & K_SKIP ? N_SKIP : classes & K_INLINE ? N_INLINE : N_ELEMENT;
    }
    default:
        return N_UNSUPPORTED;
    }
}

static int
grow(void **array, Py_ssize_t *cap, Py_ssize_t need, size_t item)
{
    if (need <= *cap)
        return 0;
    Py_ssize_t cap2 = *cap ? *cap : 64;
    while (cap2 < need)
        cap2 *= 2;
    void *data = PyMem_Realloc(*array, (size_t)cap2 * item);
    if (!data) {
        PyErr_NoMemory();
        return -1;
    }
    *array = data;
    *cap = cap2;
    return 0;
}

/* html._Maker.add: INVISIBLE is " \t\n\r\f\v", U+00A0 and the two link marks U+E001, U+E002 */
static int
visible(const char *s, Py_ssize_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (Py_ssize_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == ' ' || (c >= '\t' && c <= '\r'))
            i += 1;
        else if (c == 0xC2 && i + 1 < n && p[i + 1] == 0xA0)
            i += 2;
        else if (c == 0xEE && i + 2 < n && p[i + 1] == 0x80 && (p[i + 2] == 0x81 || p[i + 2] == 0x82))
            i += 3;
        else
            return 1;
    }
    return 0;
}

static int
add(Walk *w, const char *s, Py_ssize_t n)
{
    if (n == 0)
        return 0;
    int vis = visible(s, n);
    if (w->pieces.len == 0 && !vis)
        return 0;
    if (w->holder_tag == NULL && w->n_open) {
        Frame *f = &w->frames[w->open_frames[w->n_open - 1]];
        PyObject *xp = PyUnicode_DecodeUTF8(w->xpath.data, f->xp_len, NULL);
        if (!xp)
            return -1;
        Py_INCREF(f->tag);
        w->holder_tag = f->tag;
        w->holder_xpath = xp;
    }
    if (buf_put(&w->pieces, s, n) < 0)
        return -1;
    if (vis)
        w->brs = 0;
    return 0;
}

/* The text read since the last element boundary, as clean_tree leaves it: one string (the text
 * nodes between were merged when the skipped elements between them went), inside one pair of link
 * marks when inside a link, however many links hold it (an empty text is not marked) */
static int
flush_run(Walk *w)
{
    if (w->run.len == 0)
        return 0;
    int rc;
    if (w->links == 0) {
        rc = add(w, w->run.data, w->run.len);
    } else {
        Buf *b = &w->scratch;
        b->len = 0;
        rc = buf_put(b, "\xee\x80\x81", 3) < 0 || buf_put(b, w->run.data, w->run.len) < 0 ||
                     buf_put(b, "\xee\x80\x82", 3) < 0 /* U+E001 text U+E002 */
                 ? -1
                 : add(w, b->data, b->len);
    }
    w->run.len = 0;
    return rc;
}

/* A text node's bytes into the run; on a tree clean_tree has not seen (w->raw), without the link
 * marks the page itself holds (as character references: html_blocks removed the literal ones) */
static int
read_text(Walk *w, const xmlNode *n)
{
    if (!n->content)
        return 0;
    const char *s = (const char *)n->content;
    Py_ssize_t len = (Py_ssize_t)strlen(s);
    if (!w->raw || !memchr(s, 0xEE, (size_t)len))
        return buf_put(&w->run, s, len);
    for (Py_ssize_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] == 0xEE && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
            ((unsigned char)s[i + 2] == 0x81 || (unsigned char)s[i + 2] == 0x82)) {
            i += 2; /* U+E001 or U+E002 */
            continue;
        }
        if (buf_put(&w->run, s + i, 1) < 0)
            return -1;
    }
    return 0;
}

/* Runs of whitespace (str.isspace) as one space, none at either end: src[0:n] -> dst, its length */
static Py_ssize_t
collapse(const Py_UCS4 *src, Py_ssize_t n, Py_UCS4 *dst, int drop_marks)
{
    Py_ssize_t out = 0;
    int space = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = src[i];
        if (drop_marks && (c == 0xE001 || c == 0xE002))
            continue;
        if (Py_UNICODE_ISSPACE(c)) {
            space = 1;
            continue;
        }
        if (space && out)
            dst[out++] = ' ';
        space = 0;
        dst[out++] = c;
    }
    return out;
}

/* html._text_and_links: the text, whitespace collapsed and link marks dropped, and how many of its
 * characters lay inside the marks (each part between marks counted stripped, as _split_links does) */
static PyObject *
text_and_links(PyObject *raw, Py_ssize_t *link_chars)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(raw);
    Py_UCS4 *a = PyUnicode_AsUCS4Copy(raw);
    if (!a)
        return NULL;
    Py_UCS4 *b = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_UCS4));
    if (!b) {
        PyMem_Free(a);
        return PyErr_NoMemory();
    }
    Py_ssize_t m = collapse(a, n, b, 0);
    int marks = 0;
    for (Py_ssize_t i = 0; i < m && !marks; i++)
        marks = b[i] == 0xE001 || b[i] == 0xE002;
    *link_chars = 0;
    if (marks) {
        Py_ssize_t depth = 0, start = 0;
        for (Py_ssize_t i = 0; i <= m; i++) {
            if (i < m && b[i] != 0xE001 && b[i] != 0xE002)
                continue;
            if (depth) { /* the part b[start:i], stripped */
                Py_ssize_t lo = start, hi = i;
                while (lo < hi && Py_UNICODE_ISSPACE(b[lo]))
                    lo++;
                while (hi > lo && Py_UNICODE_ISSPACE(b[hi - 1]))
                    hi--;
                *link_chars += hi - lo;
            }
            if (i < m)
                depth = b[i] == 0xE001 ? depth + 1 : (depth > 0 ? depth - 1 : 0);
            start = i + 1;
        }
        m = collapse(b, m, a, 1);
    } else {
        memcpy(a, b, (size_t)m * sizeof(Py_UCS4));
    }
    PyObject *text = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, a, m);
    PyMem_Free(a);
    PyMem_Free(b);
    return text;
}

/* "/".join(path[-8:]): the open elements' tags, then ``extra`` ("br") when given */
static PyObject *
dom_path(Walk *w, const char *extra)
{
    Py_ssize_t n_path = w->n_frames - 1 + (extra != NULL);
    Py_ssize_t take = n_path < PATH_TAIL ? n_path : PATH_TAIL;
    Buf *b = &w->scratch;
    b->len = 0;
    for (Py_ssize_t at = n_path - take; at < n_path; at++) {
        const char *name = (extra && at == n_path - 1) ? extra : (const char *)w->frames[at + 1].name;
        if ((b->len && buf_put(b, "/", 1) < 0) || buf_put(b, name, (Py_ssize_t)strlen(name)) < 0)
            return NULL;
    }
    return PyUnicode_DecodeUTF8(b->data ? b->data : "", b->len, NULL);
}

/* The slot of name in the tags' open-addressing table (its own, or the empty one it would take) */
static Py_ssize_t
tag_slot(const Walk *w, const xmlChar *name)
{
    size_t mask = (size_t)w->cap_tags - 1;
    size_t slot = (size_t)(((uintptr_t)name >> 3) * 0x9E3779B97F4A7C15ull >> 16) & mask;
    while (w->tag_names[slot] && w->tag_names[slot] != name)
        slot = (slot + 1) & mask;
    return (Py_ssize_t)slot;
}

/* The tag of an element as lxml gives it (str), made once per name pointer (libxml2 interns names):
 * a hash table, as a hostile page may hold a million distinct names */
static PyObject *
tag_of(Walk *w, const xmlChar *name)
{
    if (w->cap_tags) {
        Py_ssize_t slot = tag_slot(w, name);
        if (w->tag_names[slot])
            return w->tag_objs[slot];
    }
    if (2 * (w->n_tags + 1) > w->cap_tags) { /* at most half full: rehash into twice the slots */
        Walk bigger = *w;
        bigger.cap_tags = w->cap_tags ? 2 * w->cap_tags : 64;
        bigger.tag_names = PyMem_Calloc((size_t)bigger.cap_tags, sizeof(const xmlChar *));
        bigger.tag_objs = PyMem_Calloc((size_t)bigger.cap_tags, sizeof(PyObject *));
        if (!bigger.tag_names || !bigger.tag_objs) {
            PyMem_Free(bigger.tag_names);
            PyMem_Free(bigger.tag_objs);
            PyErr_NoMemory();
            return NULL;
        }
        for (Py_ssize_t k = 0; k < w->cap_tags; k++)
            if (w->tag_names[k]) {
                Py_ssize_t slot = tag_slot(&bigger, w->tag_names[k]);
                bigger.tag_names[slot] = w->tag_names[k];
                bigger.tag_objs[slot] = w->tag_objs[k];
            }
        PyMem_Free(w->tag_names);
        PyMem_Free(w->tag_objs);
        w->tag_names = bigger.tag_names;
        w->tag_objs = bigger.tag_objs;
        w->cap_tags = bigger.cap_tags;
    }
    PyObject *tag = PyUnicode_DecodeUTF8((const char *)name, (Py_ssize_t)strlen((const char *)name), NULL);
    if (!tag)
        return NULL;
    Py_ssize_t slot = tag_slot(w, name);
    w->tag_names[slot] = name;
    w->tag_objs[slot] = tag; /* owned by the table */
    w->n_tags++;
    return tag;
}

/* html._Maker.flush; ``extra`` is "br" when flushing at a <br><br>, pushed on the path. */
static int
flush(Walk *w, const char *extra, PyObject *tokens)
{
    if (w->pieces.len == 0)
        return 0;
    PyObject *raw = PyUnicode_DecodeUTF8(w->pieces.data, w->pieces.len, NULL);
    w->pieces.len = 0;
    PyObject *tag = w->holder_tag, *xp = w->holder_xpath;
    w->holder_tag = w->holder_xpath = NULL;
    int rc = -1;
    PyObject *path = NULL, *ancestry = NULL, *item = NULL, *text = NULL;
    if (!raw)
        goto done;
    Py_ssize_t link_chars = 0;
    text = text_and_links(raw, &link_chars);
    if (!text)
        goto done;
    if (PyUnicode_GET_LENGTH(text) == 0) {
        rc = 0;
        goto done;
    }
    if (w->n_blocks >= w->max_blocks) {
        PyErr_Format(w->limit_error, "more than %zd blocks (max_blocks)", w->max_blocks);
        goto done;
    }
    path = dom_path(w, extra);
    if (!path)
        goto done;
    Py_ssize_t n_anc = w->n_open < MAX_ANCESTORS ? w->n_open : MAX_ANCESTORS;
    ancestry = PyTuple_New(n_anc);
    if (!ancestry)
        goto done;
    for (Py_ssize_t k = 0; k < n_anc; k++) {
        PyObject *id = PyLong_FromSsize_t(w->open_ids[w->n_open - 1 - k]);
        if (!id)
            goto done;
        PyTuple_SET_ITEM(ancestry, k, id);
    }
    Py_ssize_t depth = w->n_frames - 1 + (extra != NULL);
    item = Py_BuildValue("(OnOOOOnO)", text, link_chars, tag ? tag : w->body_tag, path, xp ? xp : w->no_xpath,
                         tokens, depth, ancestry);
    if (!item || PyList_Append(w->blocks, item) < 0)
        goto done;
    w->n_blocks++;
    rc = 0;
done:
    Py_XDECREF(item);
    Py_XDECREF(text);
    Py_XDECREF(ancestry);
    Py_XDECREF(path);
    Py_XDECREF(raw);
    Py_XDECREF(tag);
    Py_XDECREF(xp);
    return rc;
}

/* An attribute's value as lxml's get() gives it, appended to ``out``; 0 absent, 1 present, -1 error.
 * Only text values are read: any other child leaves the page to the Python walk. */
static int
attr_value(Walk *w, xmlNode *el, const char *name, Buf *out)
{
    for (xmlAttr *a = el->properties; a; a = a->next) {
        if (a->type != XML_ATTRIBUTE_NODE || a->ns != NULL || strcmp((const char *)a->name, name) != 0)
            continue;
        for (xmlNode *c = a->children; c; c = c->next) {
            if (!is_text(c)) {
                w->unsupported = 1;
                return -1;
            }
            const char *s = c->content ? (const char *)c->content : "";
            if (buf_put(out, s, (Py_ssize_t)strlen(s)) < 0)
                return -1;
        }
        return 1;
    }
    return 0;
}

/* html._attr_text then html.attr_tokens (through the page's cache), for an element with attributes */
static PyObject *
element_tokens(Walk *w, xmlNode *el)
{
    Buf *b = &w->attr;
    b->len = 0;
    if (attr_value(w, el, "class", b) < 0 || buf_put(b, " ", 1) < 0 || attr_value(w, el, "id", b) < 0)
        return NULL;
    Py_ssize_t raw_len = b->len;
    int hidden = attr_value(w, el, "hidden", b);
    if (hidden < 0)
        return NULL;
    b->len = raw_len;
    if (!hidden) {
        int aria = attr_value(w, el, "aria-hidden", b);
        if (aria < 0)
            return NULL;
        hidden = aria && b->len - raw_len == 4 && memcmp(b->data + raw_len, "true", 4) == 0;
        b->len = raw_len;
    }
    if (!hidden) {
        int has_style = attr_value(w, el, "style", b);
        if (has_style < 0)
            return NULL;
        if (has_style && b->len > raw_len) {
            PyObject *style = PyUnicode_DecodeUTF8(b->data + raw_len, b->len - raw_len, NULL);
            if (!style)
                return NULL;
            PyObject *found = PyObject_CallOneArg(w->hidden_style, style);
            Py_DECREF(style);
            if (!found)
                return NULL;
            hidden = PyObject_IsTrue(found);
            Py_DECREF(found);
            if (hidden < 0)
                return NULL;
        }
        b->len = raw_len;
    }
    if (hidden && buf_put(b, " hiddenattr", 11) < 0)
        return NULL;
    PyObject *raw = PyUnicode_DecodeUTF8(b->data, b->len, NULL);
    if (!raw)
        return NULL;
    if (PyUnicode_GET_LENGTH(raw) > ATTR_CHARS) { /* attr_tokens reads no further: a short key for its cache */
        Py_SETREF(raw, PyUnicode_Substring(raw, 0, ATTR_CHARS));
        if (!raw)
            return NULL;
    }
    PyObject *tokens = PyObject_CallOneArg(w->attr_tokens, raw); /* the caller's cache keeps repeats cheap */
    Py_DECREF(raw);
    if (tokens && !PyTuple_Check(tokens)) {
        PyErr_SetString(PyExc_TypeError, "attr_tokens must return a tuple");
        Py_CLEAR(tokens);
    }
    return tokens;
}

/* (tokens + top)[:MAX_ATTR_TOKENS] when the element has tokens, else top (a new reference) */
static PyObject *
stacked_tokens(PyObject *own, PyObject *top)
{
    Py_ssize_t n_own = PyTuple_GET_SIZE(own);
    if (n_own == 0) {
        Py_INCREF(top);
        return top;
    }
    Py_ssize_t n_top = PyTuple_GET_SIZE(top);
    Py_ssize_t n = n_own + n_top < MAX_ATTR_TOKENS ? n_own + n_top : MAX_ATTR_TOKENS;
    PyObject *out = PyTuple_New(n);
    if (!out)
        return NULL;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *t = k < n_own ? PyTuple_GET_ITEM(own, k) : PyTuple_GET_ITEM(top, k - n_own);
        Py_INCREF(t);
        PyTuple_SET_ITEM(out, k, t);
    }
    return out;
}

/* ---- xpath positions: for each element child of a node in clean_tree's tree (inline elements
 * unwrapped, skipped ones gone), its [n] among same-tag siblings and how many they are, found in two
 * passes over the children with a hash of tag names (a page may hold 100,000 <p> under one parent:
 * no per-child sibling count) ---- */

/* The first element child at or after n among el's children as clean_tree leaves them: inline
 * elements unwrapped (their children read in their place), skipped elements and text passed; NULL at
 * the end, or at a node this walk does not read (w->unsupported is then set) */
static xmlNode *
kid_from(Walk *w, xmlNode *el, xmlNode *n)
{
    while (n) {
        int kind = node_kind(w, n);
        if (kind == N_UNSUPPORTED) {
            w->unsupported = 1;
            return NULL;
        }
        if (kind == N_ELEMENT)
            return n;
        if (kind == N_INLINE && n->children) {
            n = n->children;
            continue;
        }
        while (!n->next) { /* past n, out of the inline elements it ends */
            n = n->parent;
            if (!n || n == el)
                return NULL;
        }
        n = n->next;
    }
    return NULL;
}

/* The element child after c (one kid_from gave) */
static xmlNode *
next_kid(Walk *w, xmlNode *el, xmlNode *c)
{
    while (!c->next) {
        c = c->parent;
        if (!c || c == el)
            return NULL;
    }
    return kid_from(w, el, c->next);
}

static int
index_children(Walk *w, xmlNode *el, Frame *f)
{
    Py_ssize_t count = 0;
    for (xmlNode *c = kid_from(w, el, el->children); c; c = next_kid(w, el, c))
        count++;
    if (w->unsupported)
        return -1;
    f->kid_base = w->n_kids;
    f->kid_count = count;
    f->kid_cursor = 0;
    if (count == 0)
        return 0;
    if (grow((void **)&w->kids, &w->cap_kids, w->n_kids + count, sizeof(Kid)) < 0)
        return -1;
    Py_ssize_t size = 16;
    while (size < 2 * count)
        size *= 2;
    if (size > w->cap_hash) { /* keys, counts and each child's slot (count < size) */
        void *keys = PyMem_Realloc(w->hash_keys, (size_t)size * sizeof(const xmlChar *));
        if (keys)
            w->hash_keys = keys;
        void *seen = keys ? PyMem_Realloc(w->hash_seen, (size_t)size * sizeof(Py_ssize_t)) : NULL;
        if (seen)
            w->hash_seen = seen;
        void *slots = seen ? PyMem_Realloc(w->slot_of, (size_t)size * sizeof(Py_ssize_t)) : NULL;
        if (!slots) {
            PyErr_NoMemory();
            return -1;
        }
        w->slot_of = slots;
        w->cap_hash = size;
    }
    const xmlChar **keys = w->hash_keys;
    memset(keys, 0, (size_t)size * sizeof *keys);
    Kid *kids = w->kids + w->n_kids;
    Py_ssize_t k = 0;
    for (xmlNode *c = kid_from(w, el, el->children); c; c = next_kid(w, el, c)) {
        Py_ssize_t s = (Py_ssize_t)(fnv1a((const char *)c->name, (Py_ssize_t)strlen((const char *)c->name)) & (uint64_t)(size - 1));
        int probes = 0;
        while (keys[s] && keys[s] != c->name && strcmp((const char *)keys[s], (const char *)c->name) != 0) {
            s = (s + 1) & (size - 1);
            if (++probes > MAX_PROBES) { /* names chosen to collide: the Python walk's dict counts them */
                w->unsupported = 1;
                return -1;
            }
        }
        if (!keys[s]) {
            keys[s] = c->name;
            w->hash_seen[s] = 0;
        }
        kids[k].index = ++w->hash_seen[s];
        w->slot_of[k++] = s;
    }
    for (k = 0; k < count; k++)
        kids[k].total = w->hash_seen[w->slot_of[k]];
    w->n_kids += count;
    return 0;
}

#define IS_BR(w, el) (name_classes((w), (el)->name) & K_BR)

/* html._Maker._flush_at_br: flushed as if inside the <br> */
static int
flush_at_br(Walk *w, xmlNode *el)
{
    PyObject *top = w->frames[w->n_frames - 1].tokens;
    PyObject *own = NULL, *tokens;
    if (el->properties) {
        own = element_tokens(w, el);
        if (!own)
            return -1;
        tokens = stacked_tokens(own, top);
        Py_DECREF(own);
    } else {
        Py_INCREF(top);
        tokens = top;
    }
    if (!tokens)
        return -1;
    int rc = flush(w, "br", tokens);
    Py_DECREF(tokens);
    return rc;
}

/* The start event of ``el``, an element child of the top frame (or the root) */
static int
enter(Walk *w, xmlNode *el)
{
    Frame *parent = &w->frames[w->n_frames - 1];
    Py_ssize_t index = 1, total = 1; /* the root: parent None in html._Maker._enter */
    if (w->n_frames > 1) {
        if (parent->kid_cursor >= parent->kid_count) {
            PyErr_SetString(PyExc_RuntimeError, "the tree changed during the walk");
            return -1;
        }
        Kid kid = w->kids[parent->kid_base + parent->kid_cursor++];
        index = kid.index;
        total = kid.total;
    }
    if (!el->name || el->ns) {
        w->unsupported = 1;
        return -1;
    }
    if (IS_BR(w, el)) { /* void: no frame, no xpath */
        if (el->children) {
            w->unsupported = 1;
            return -1;
        }
        w->brs += 1;
        return w->brs >= 2 ? flush_at_br(w, el) : add(w, "\n", 1);
    }
    if (grow((void **)&w->frames, &w->cap_frames, w->n_frames + 1, sizeof(Frame)) < 0)
        return -1;
    parent = &w->frames[w->n_frames - 1];
    /* the xpath as lxml's getpath() writes it: /tag, or /tag[n] when the parent has several */
    char number[32];
    w->xpath.len = parent->xp_len;
    if (buf_put(&w->xpath, "/", 1) < 0 || buf_put(&w->xpath, (const char *)el->name, (Py_ssize_t)strlen((const char *)el->name)) < 0)
        return -1;
    if (total != 1) {
        int n = snprintf(number, sizeof number, "[%zd]", index);
        if (buf_put(&w->xpath, number, n) < 0)
            return -1;
    }
    PyObject *tag = tag_of(w, el->name);
    if (!tag)
        return -1;
    PyObject *tokens;
    if (el->properties) {
        PyObject *own = element_tokens(w, el);
        tokens = own ? stacked_tokens(own, parent->tokens) : NULL;
        Py_XDECREF(own);
    } else {
        Py_INCREF(parent->tokens);
        tokens = parent->tokens;
    }
    if (!tokens)
        return -1;
    Frame *f = &w->frames[w->n_frames++];
    f->name = el->name;
    f->tag = tag;
    f->tokens = tokens;
    f->xp_len = w->xpath.len;
    f->kid_base = w->n_kids;
    f->kid_count = f->kid_cursor = 0;
    if (index_children(w, el, f) < 0)
        return -1;
    if (name_classes(w, el->name) & K_BLOCK) {
        if (flush(w, NULL, f->tokens) < 0)
            return -1;
        if (grow((void **)&w->open_ids, &w->cap_open, w->n_open + 1, sizeof(Py_ssize_t)) < 0 ||
            grow((void **)&w->open_frames, &w->cap_open_frames, w->n_open + 1, sizeof(Py_ssize_t)) < 0)
            return -1;
        w->open_ids[w->n_open] = w->next_id++;
        w->open_frames[w->n_open++] = w->n_frames - 1;
    }
    return 0;
}

/* The end event of ``el``, an element with a frame (not a <br>) */
static int
leave(Walk *w, xmlNode *el)
{
    Frame *f = &w->frames[w->n_frames - 1];
    if (name_classes(w, el->name) & K_BLOCK) {
        if (flush(w, NULL, f->tokens) < 0)
            return -1;
        if (w->n_open)
            w->n_open--;
    }
    w->n_kids = f->kid_base;
    Py_CLEAR(f->tokens);
    w->n_frames--;
    return 0;
}

/* The tree in document order as clean_tree leaves it: skipped elements, comments and processing
 * instructions passed (their tails read), inline elements unwrapped (no event; <a> counts links), the
 * text between two element boundaries read as one run */
static int
run(Walk *w, xmlNode *root)
{
    if (node_kind(w, root) != N_ELEMENT || IS_BR(w, root)) {
        w->unsupported = 1; /* the Python walk reads such a root */
        return -1;
    }
    if (enter(w, root) < 0)
        return -1;
    xmlNode *at = root, *n = root->children; /* n: the next node among at's children */
    for (;;) {
        if (n) {
            switch (node_kind(w, n)) {
            case N_TEXT:
                if (read_text(w, n) < 0)
                    return -1;
                n = n->next;
                continue;
            case N_DROP:
            case N_SKIP:
                n = n->next;
                continue;
            case N_UNSUPPORTED:
                w->unsupported = 1;
                return -1;
            case N_INLINE:
                if (flush_run(w) < 0)
                    return -1;
                w->links += (name_classes(w, n->name) & K_LINK) != 0;
                at = n;
                n = n->children;
                continue;
            default: /* N_ELEMENT */
                if (flush_run(w) < 0 || enter(w, n) < 0)
                    return -1;
                if (IS_BR(w, n)) { /* void: its tail is the text read after it */
                    n = n->next;
                    continue;
                }
                at = n;
                n = n->children;
                continue;
            }
        }
        if (flush_run(w) < 0) /* the end of at's children */
            return -1;
        if (node_kind(w, at) == N_INLINE)
            w->links -= (name_classes(w, at->name) & K_LINK) != 0;
        else if (leave(w, at) < 0)
            return -1;
        if (at == root)
            return flush(w, NULL, w->frames[0].tokens);
        n = at->next;
        at = at->parent;
    }
}

static PyObject *
walk(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *root;
    Walk w;
    memset(&w, 0, sizeof w);
    if (!PyArg_ParseTuple(args, "OnOOO|p", &root, &w.max_blocks, &w.attr_tokens, &w.hidden_style, &w.limit_error,
                          &w.raw))
        return NULL;
    if (!PyObject_TypeCheck(root, element_type)) {
        PyErr_SetString(PyExc_TypeError, "walk() needs an lxml element");
        return NULL;
    }
    xmlNode *node = ((struct LxmlElementHead *)root)->_c_node;
    if (!node || node->type != XML_ELEMENT_NODE) {
        PyErr_SetString(PyExc_ValueError, "walk() needs an element of a parsed tree");
        return NULL;
    }
    PyObject *result = NULL;
    w.blocks = PyList_New(0);
    w.empty = PyTuple_New(0);
    w.body_tag = PyUnicode_FromString("body");
    w.no_xpath = PyUnicode_FromString("");
    if (!w.blocks || !w.empty || !w.body_tag || !w.no_xpath)
        goto done;
    if (grow((void **)&w.frames, &w.cap_frames, 1, sizeof(Frame)) < 0)
        goto done;
    memset(&w.frames[0], 0, sizeof(Frame));
    Py_INCREF(w.empty);
    w.frames[0].tokens = w.empty;
    w.n_frames = 1;
    if (run(&w, node) == 0) {
        result = w.blocks;
        Py_INCREF(result);
    } else if (w.unsupported && !PyErr_Occurred()) { /* a node it does not read: the Python walk's page */
        result = Py_None;
        Py_INCREF(result);
    }
done:
    for (Py_ssize_t k = 0; k < w.n_frames; k++) {
        Py_XDECREF(w.frames[k].tokens);
    }
    Py_XDECREF(w.holder_tag);
    Py_XDECREF(w.holder_xpath);
    Py_XDECREF(w.blocks);
    Py_XDECREF(w.empty);
    for (Py_ssize_t k = 0; k < w.cap_tags; k++)
        Py_XDECREF(w.tag_objs[k]);
    PyMem_Free(w.tag_names);
    PyMem_Free(w.tag_objs);
    Py_XDECREF(w.body_tag);
    Py_XDECREF(w.no_xpath);
    PyMem_Free(w.frames);
    PyMem_Free(w.open_ids);
    PyMem_Free(w.open_frames);
    PyMem_Free(w.kids);
    PyMem_Free(w.hash_keys);
    PyMem_Free(w.hash_seen);
    PyMem_Free(w.slot_of);
    PyMem_Free(w.pieces.data);
    PyMem_Free(w.xpath.data);
    PyMem_Free(w.scratch.data);
    PyMem_Free(w.run.data);
    PyMem_Free(w.attr.data);
    return result;
}

/* html.prose_weight of a block's text and link characters; -1 when a count is past a double's exact range */
static double
prose_weight(PyObject *text, Py_ssize_t link_chars)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > ((Py_ssize_t)1 << 53) || link_chars < 0 || link_chars > ((Py_ssize_t)1 << 53))
        return -1.0;
    double density = n ? (double)link_chars / (double)n : 0.0; /* int / int, correctly rounded as Python's */
    if (n < 40 || density > 0.5)
        return 0.0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t punct = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        punct += ch == '.' || ch == ',';
    }
    return (double)n * (1.0 - density) * (punct ? 1.0 : 0.3);
}

/* The ancestor ids of a block as C sizes, into ids[0:MAX_ANCESTORS]; their count, or -1 (not a tuple
 * of at most MAX_ANCESTORS ints in [0, limit)) */
static Py_ssize_t
ancestor_ids(PyObject *ancestors, Py_ssize_t limit, Py_ssize_t *ids)
{
    if (!PyTuple_CheckExact(ancestors) || PyTuple_GET_SIZE(ancestors) > MAX_ANCESTORS)
        return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(ancestors);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *item = PyTuple_GET_ITEM(ancestors, k);
        Py_ssize_t id = PyLong_CheckExact(item) ? PyLong_AsSsize_t(item) : -1;
        if (id < 0 || id >= limit) {
            PyErr_Clear();
            return -1;
        }
        ids[k] = id;
    }
    return n;
}

/* prose_shares(blocks, ancestry, levels): html.add_prose_shares in C, the same sums added in the same
 * order. Sets each block's shares and best_share and returns True, or returns None (nothing set) when
 * an ancestry is not the walk's (tuples of at most MAX_ANCESTORS ids below MAX_PROSE_ID) or a block's
 * text or link count is not what the walk makes: the Python loop then takes the page. */
static PyObject *
prose_shares(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *blocks_in, *ancestry_in, *blocks = NULL, *ancestry = NULL, *result = NULL;
    Py_ssize_t levels;
    double *weight = NULL, *sums = NULL, *scores = NULL;
    if (!PyArg_ParseTuple(args, "OOn", &blocks_in, &ancestry_in, &levels))
        return NULL;
    if (levels < 0 || levels >= MAX_ANCESTORS) {
        PyErr_SetString(PyExc_ValueError, "levels out of range");
        return NULL;
    }
    /* tuples: nothing a block's attribute lookup does can resize them under the loops */
    blocks = PySequence_Tuple(blocks_in);
    ancestry = blocks ? PySequence_Tuple(ancestry_in) : NULL;
    if (!ancestry)
        goto done;
    Py_ssize_t n = PyTuple_GET_SIZE(blocks);
    if (PyTuple_GET_SIZE(ancestry) != n) {
        PyErr_SetString(PyExc_ValueError, "blocks and ancestry differ in length");
        goto done;
    }
    /* the walk numbers block elements from 0: the sums are arrays indexed by id */
    Py_ssize_t limit = 0, ids[MAX_ANCESTORS];
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t m = ancestor_ids(PyTuple_GET_ITEM(ancestry, i), MAX_PROSE_ID, ids);
        if (m < 0) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        for (Py_ssize_t k = 0; k < m; k++)
            limit = ids[k] >= limit ? ids[k] + 1 : limit;
    }
    weight = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(double));
    sums = PyMem_Calloc((size_t)(limit ? limit : 1), sizeof(double));
    scores = PyMem_Calloc((size_t)(limit ? limit : 1), sizeof(double));
    if (!weight || !sums || !scores) {
        PyErr_NoMemory();
        goto done;
    }
    double total = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *block = PyTuple_GET_ITEM(blocks, i);
        PyObject *text = PyObject_GetAttrString(block, "text");
        PyObject *links = text ? PyObject_GetAttrString(block, "link_chars") : NULL;
        Py_ssize_t link_chars = links && PyLong_CheckExact(links) ? PyLong_AsSsize_t(links) : -1;
        int usable = text && PyUnicode_CheckExact(text) && link_chars >= 0;
        weight[i] = usable ? prose_weight(text, link_chars) : -1.0;
        Py_XDECREF(text);
        Py_XDECREF(links);
        if (weight[i] < 0) { /* an attribute error stays set; a value this loop does not read declines */
            if (!PyErr_Occurred())
                result = Py_NewRef(Py_None);
            goto done;
        }
        total += weight[i]; /* sum(weights), left to right */
    }
    if (total == 0.0)
        total = 1.0;
    static const double credit[3] = {1.0, 0.5, 0.25}; /* readability: parent, grandparent, great-grandparent */
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t m = ancestor_ids(PyTuple_GET_ITEM(ancestry, i), limit, ids);
        if (weight[i] == 0.0)
            continue;
        for (Py_ssize_t k = 0; k < m; k++)
            sums[ids[k]] += weight[i];
        for (Py_ssize_t k = 1; k < m && k < 4; k++)
            scores[ids[k]] += weight[i] * credit[k - 1];
    }
    double best = 0.0;
    for (Py_ssize_t id = 0; id < limit; id++)
        best = scores[id] > best ? scores[id] : best;
    if (best == 0.0)
        best = 1.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t m = ancestor_ids(PyTuple_GET_ITEM(ancestry, i), limit, ids);
        PyObject *shares = PyTuple_New(levels + 1);
        if (!shares)
            goto done;
        double last = 0.0, top = 0.0;
        for (Py_ssize_t k = 0; k <= levels; k++) {
            last = k < m ? sums[ids[k]] / total : last;
            PyObject *value = PyFloat_FromDouble(last);
            if (!value) {
                Py_DECREF(shares);
                goto done;
            }
            PyTuple_SET_ITEM(shares, k, value);
        }
        for (Py_ssize_t k = 0; k < m; k++)
            top = k == 0 || scores[ids[k]] > top ? scores[ids[k]] : top;
        PyObject *best_share = PyFloat_FromDouble(top / best);
        int failed = !best_share || PyObject_SetAttrString(PyTuple_GET_ITEM(blocks, i), "shares", shares) < 0 ||
                     PyObject_SetAttrString(PyTuple_GET_ITEM(blocks, i), "best_share", best_share) < 0;
        Py_DECREF(shares);
        Py_XDECREF(best_share);
        if (failed)
            goto done;
    }
    result = Py_NewRef(Py_True);
done:
    PyMem_Free(weight);
    PyMem_Free(sums);
    PyMem_Free(scores);
    Py_XDECREF(blocks);
    Py_XDECREF(ancestry);
    return result;
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_VARARGS,
     "walk(root, max_blocks, attr_tokens, hidden_style, limit_error, raw=False) -> list of block tuples or None"},
    {"prose_shares", prose_shares, METH_VARARGS,
     "prose_shares(blocks, ancestry, levels) -> True (each block's shares and best_share set) or None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_htmlwalk", NULL, -1, methods, NULL, NULL, NULL, NULL};

static int
add_names(PyObject *m, const char *attr, const char **names, size_t n)
{
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    for (size_t i = 0; t && i < n; i++) {
        PyObject *name = PyUnicode_FromString(names[i]);
        if (!name) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, name);
    }
    if (!t || PyModule_AddObject(m, attr, t) < 0) {
        Py_XDECREF(t);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC
PyInit__htmlwalk(void)
{
    /* the only type walk() reads as an lxml element: lxml.etree._Element (and its subclasses) */
    PyObject *etree = PyImport_ImportModule("lxml.etree");
    PyObject *type = etree ? PyObject_GetAttrString(etree, "_Element") : NULL;
    Py_XDECREF(etree);
    if (!type)
        return NULL;
    if (!PyType_Check(type)) {
        Py_DECREF(type);
        PyErr_SetString(PyExc_ImportError, "lxml.etree._Element is not a type");
        return NULL;
    }
    element_type = (PyTypeObject *)type; /* kept for the module's life */
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    /* the tag tables, for a test to hold them to html.py's */
    if (add_names(m, "BLOCK_TAGS", BLOCK_TAGS, sizeof BLOCK_TAGS / sizeof *BLOCK_TAGS) < 0 ||
        add_names(m, "SKIP_TAGS", SKIP_TAGS, sizeof SKIP_TAGS / sizeof *SKIP_TAGS) < 0 ||
        add_names(m, "INLINE_TAGS", INLINE_TAGS, sizeof INLINE_TAGS / sizeof *INLINE_TAGS) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    /* what this walk was built against: the caller uses it only with the same major versions */
    if (PyModule_AddStringConstant(m, "LXML_VERSION", LXML_VERSION_STRING) < 0 ||
        PyModule_AddIntConstant(m, "LIBXML_VERSION", LIBXML_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
