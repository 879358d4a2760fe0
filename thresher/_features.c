/* The block features' scans in C: what features.py counts, finds and looks up per block.
 *
 * local_rows and context_rows fill a page's feature rows; page_words and attr_tokens_ascii serve
 * features._topic_words and html.attr_tokens. block_counts and phrase_counts are the per-text scans
 * local_rows makes, callable alone so that tests hold each to its regexes. Each is described where it
 * is defined and has a Python or numpy reference in features.py or html.py that tests hold it to.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "_buffer.h"
#include "_scan.h"

typedef struct {
    uint64_t hash;
    int64_t value;
    Py_ssize_t offset; /* the key's bytes: keys + offset, len bytes */
    Py_ssize_t len;    /* -1: an empty slot */
} Slot;

/* ---- block counts: the counted parts of features._block_row ----
 *
 * block_counts(texts, stopwords, max_chars, sample_chars, sample_words) -> int64 bytes, one row of
 * BLOCK_COUNTS per text, read on text[:max_chars] as features._block_row reads a block:
 * n_chars, n_words (runs of \w, as re's \w+ finds them), then over the first sample_words words
 * their length in characters, how many lower-case to a stop word, how many open with an upper-case
 * character (str.isupper), then over the first sample_chars characters the letters, digits and
 * capitals (str.isalpha, isdigit, isupper), then the text's ".,;:!?" and its commas. */
#define BLOCK_COUNTS 10
#define MAX_PROBES 64 /* a page's word table at most half full probes a handful of slots; past this, collisions were made */
#define STOP_SLOTS 1024
#define STOP_CHARS 32

typedef struct {
    char word[STOP_SLOTS][STOP_CHARS]; /* a set's ASCII words, open addressing, "" empty */
} StopTable;

/* The table of a call's stop words (made per call: no state shared between calls or threads).
 * Only an exact frozenset is read: a subclass's iterator could yield anything, any number of times. */
static StopTable *
stop_table_of(PyObject *stopwords)
{
    if (!PyFrozenSet_CheckExact(stopwords)) {
        PyErr_SetString(PyExc_TypeError, "stopwords must be a frozenset");
        return NULL;
    }
    if (PySet_GET_SIZE(stopwords) > STOP_SLOTS / 2) {
        PyErr_SetString(PyExc_ValueError, "too many stop words for the table");
        return NULL;
    }
    StopTable *t = PyMem_Calloc(1, sizeof(StopTable));
    if (!t)
        return (StopTable *)PyErr_NoMemory();
    PyObject *iter = PyObject_GetIter(stopwords), *key;
    if (!iter) {
        PyMem_Free(t);
        return NULL;
    }
    Py_ssize_t inserted = 0;
    while ((key = PyIter_Next(iter))) {
        /* only ASCII words go in the table: a word with other characters is looked up in the set */
        Py_ssize_t n = PyUnicode_Check(key) && PyUnicode_IS_ASCII(key) ? PyUnicode_GET_LENGTH(key) : 0;
        if (n >= STOP_CHARS) {
            PyErr_Format(PyExc_ValueError, "stop words of %d characters or more are not supported", STOP_CHARS);
        } else if (n > 0 && inserted < STOP_SLOTS / 2) { /* the size check above: never past half full */
            const char *w = (const char *)PyUnicode_DATA(key);
            size_t slot = fnv1a(w, n) & (STOP_SLOTS - 1);
            while (t->word[slot][0])
                slot = (slot + 1) & (STOP_SLOTS - 1);
            memcpy(t->word[slot], w, (size_t)n);
            inserted++;
        }
        Py_DECREF(key);
        if (PyErr_Occurred())
            break;
    }
    Py_DECREF(iter);
    if (PyErr_Occurred()) {
        PyMem_Free(t);
        return NULL;
    }
    return t;
}

/* A call's own stop-word table and tuple of the texts; 0, or -1 with an exception set */
static int
open_texts(PyObject *list, PyObject *stopwords, StopTable **table, PyObject **texts)
{
    *table = stop_table_of(stopwords);
    if (!*table)
        return -1;
    *texts = PyList_AsTuple(list); /* our own: nothing run while scanning can change it */
    if (!*texts) {
        PyMem_Free(*table);
        return -1;
    }
    return 0;
}

/* word.lower() in stopwords (``lower``), or word in stopwords, for word = text[start:end] */
static int
is_stop(const StopTable *t, PyObject *text, int kind, const void *data, Py_ssize_t start, Py_ssize_t end,
        PyObject *stopwords, int lower_first)
{
    char lower[STOP_CHARS];
    Py_ssize_t n = end - start;
    int ascii = 1;
    for (Py_ssize_t i = 0; i < n && ascii; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, start + i);
        ascii = c < 128;
        if (ascii && i < STOP_CHARS)
            lower[i] = (char)(lower_first && c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    if (ascii) { /* an ASCII word lower-cases to ASCII: the table holds every such stop word */
        if (n >= STOP_CHARS)
            return 0;
        size_t slot = fnv1a(lower, n) & (STOP_SLOTS - 1);
        while (t->word[slot][0]) {
            if (strncmp(t->word[slot], lower, (size_t)n) == 0 && t->word[slot][n] == '\0')
                return 1;
            slot = (slot + 1) & (STOP_SLOTS - 1);
        }
        return 0;
    }
    PyObject *word = PyUnicode_Substring(text, start, end);
    if (!word)
        return -1;
    PyObject *low = lower_first ? PyObject_CallMethod(word, "lower", NULL) : (Py_INCREF(word), word);
    int found = low ? PySet_Contains(stopwords, low) : -1;
    Py_XDECREF(low);
    Py_DECREF(word);
    return found;
}

/* One text's BLOCK_COUNTS (block_counts' row); 0, or -1 with an exception set */
static int
count_block(PyObject *text, const StopTable *table, PyObject *stopwords, Py_ssize_t max_chars, Py_ssize_t sample_chars,
            Py_ssize_t sample_words, int64_t *row)
{
    Chars c = chars_of(text, max_chars);
    int kind = c.kind;
    const void *data = c.data;
    Py_ssize_t length = c.length;
    memset(row, 0, BLOCK_COUNTS * sizeof(int64_t));
    row[0] = length;
    for (Py_ssize_t at = 0, start; next_word(kind, data, length, &at, &start);) {
        if (row[1]++ < sample_words) {
            row[2] += at - start;
            int stop = is_stop(table, text, kind, data, start, at, stopwords, 1);
            if (stop < 0)
                return -1;
            row[3] += stop;
            row[4] += is_upper(PyUnicode_READ(kind, data, start));
        }
    }
    for (Py_ssize_t at = 0; at < length; at++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, at);
        if (at < sample_chars) {
            row[5] += is_alpha(ch);
            row[6] += is_digit(ch);
            row[7] += is_upper(ch);
        }
        row[8] += ch == '.' || ch == ',' || ch == ';' || ch == ':' || ch == '!' || ch == '?';
        row[9] += ch == ',';
    }
    return 0;
}

static PyObject *
block_counts(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *list, *stopwords;
    Py_ssize_t max_chars, sample_chars, sample_words;
    if (!PyArg_ParseTuple(args, "O!O!nnn", &PyList_Type, &list, &PyFrozenSet_Type, &stopwords, &max_chars,
                          &sample_chars, &sample_words))
        return NULL;
    if (max_chars < 0 || sample_chars < 0 || sample_words < 0) {
        PyErr_SetString(PyExc_ValueError, "negative limits");
        return NULL;
    }
    StopTable *table;
    PyObject *texts;
    if (open_texts(list, stopwords, &table, &texts) < 0)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(texts);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * BLOCK_COUNTS * (Py_ssize_t)sizeof(int64_t));
    if (!out) {
        PyMem_Free(table);
        Py_DECREF(texts);
        return NULL;
    }
    int64_t *row = (int64_t *)PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++, row += BLOCK_COUNTS) {
        PyObject *text = text_at(texts, i);
        if (!text || count_block(text, table, stopwords, max_chars, sample_chars, sample_words, row) < 0)
            goto fail;
    }
    PyMem_Free(table);
    Py_DECREF(texts);
    return out;

fail:
    PyMem_Free(table);
    Py_DECREF(out);
    Py_DECREF(texts);
    return NULL;
}

/* ---- a page's topical words: what features.context_features reads of its blocks ----
 *
 * page_words(texts, stopwords, max_chars) -> (indices, indptr, n_words): for each text,
 * text[:max_chars].lower() (Python's lower), its runs of \w longer than two characters that are
 * not stop words, as ids numbered in order of first appearance on the page; indices (int64
 * bytes) holds them text after text, indptr (int64 bytes) where each text's run begins. None when
 * the page's words collide in the table past MAX_PROBES (a hostile page): the caller's dict decides. */
static PyObject *
page_words(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *list, *stopwords;
    Py_ssize_t max_chars;
    if (!PyArg_ParseTuple(args, "O!O!n", &PyList_Type, &list, &PyFrozenSet_Type, &stopwords, &max_chars))
        return NULL;
    if (max_chars < 0) {
        PyErr_SetString(PyExc_ValueError, "negative limit");
        return NULL;
    }
    StopTable *table;
    PyObject *texts;
    if (open_texts(list, stopwords, &table, &texts) < 0)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(texts);
    PyObject *indptr = PyBytes_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t)), *result = NULL;
    Ids ids = {NULL, 0, 0};
    Buf keys = {NULL, 0, 0}, word = {NULL, 0, 0};
    Slot *slots = NULL;
    size_t mask = 63, n_words = 0;
    if (!indptr)
        goto done;
    slots = PyMem_Malloc((mask + 1) * sizeof(Slot));
    if (!slots) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t k = 0; k <= mask; k++)
        slots[k].len = -1;
    int64_t *ptr = (int64_t *)PyBytes_AS_STRING(indptr);
    ptr[0] = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = text_at(texts, i);
        if (!item)
            goto done;
        PyObject *head = PyUnicode_Substring(item, 0, max_chars);
        PyObject *text = head ? PyObject_CallMethod(head, "lower", NULL) : NULL;
        Py_XDECREF(head);
        if (!text)
            goto done;
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t length = PyUnicode_GET_LENGTH(text);
        for (Py_ssize_t at = 0, start; next_word(kind, data, length, &at, &start);) {
            if (at - start <= 2)
                continue;
            int stop = is_stop(table, text, kind, data, start, at, stopwords, 0);
            if (stop < 0) {
                Py_DECREF(text);
                goto done;
            }
            if (stop)
                continue;
            if (at - start > PY_SSIZE_T_MAX / 4 || buf_reserve(&word, 4 * (at - start)) < 0) {
                if (!PyErr_Occurred())
                    PyErr_NoMemory();
                Py_DECREF(text);
                goto done;
            }
            Py_ssize_t len = 0;
            for (Py_ssize_t k = start; k < at; k++)
                len += utf8(PyUnicode_READ(kind, data, k), word.data + len);
            uint64_t h = fnv1a(word.data, len);
            size_t slot = (size_t)h & mask;
            int probes = 0;
            while (slots[slot].len >= 0 && !(slots[slot].hash == h && slots[slot].len == len &&
                                             memcmp(keys.data + slots[slot].offset, word.data, (size_t)len) == 0)) {
                slot = (slot + 1) & mask;
                if (++probes > MAX_PROBES) { /* words made to collide (the hash is not keyed): Python's dict decides */
                    Py_DECREF(text);
                    result = Py_None;
                    Py_INCREF(result);
                    goto done;
                }
            }
            if (slots[slot].len < 0) { /* a new word: the next id, and the table grows at half full */
                if (buf_reserve(&keys, keys.len + len) < 0) {
                    Py_DECREF(text);
                    goto done;
                }
                memcpy(keys.data + keys.len, word.data, (size_t)len);
                slots[slot] = (Slot){h, (int64_t)n_words++, keys.len, len};
                keys.len += len;
                if (2 * n_words > mask) {
                    size_t bigger = 2 * (mask + 1) - 1;
                    Slot *grown = PyMem_Malloc((bigger + 1) * sizeof(Slot));
                    if (!grown) {
                        Py_DECREF(text);
                        PyErr_NoMemory();
                        goto done;
                    }
                    for (size_t k = 0; k <= bigger; k++)
                        grown[k].len = -1;
                    for (size_t k = 0; k <= mask; k++) {
                        if (slots[k].len < 0)
                            continue;
                        size_t to = (size_t)slots[k].hash & bigger;
                        while (grown[to].len >= 0)
                            to = (to + 1) & bigger;
                        grown[to] = slots[k];
                    }
                    PyMem_Free(slots);
                    slots = grown;
                    mask = bigger;
                    slot = (size_t)-1; /* not used again */
                }
                if (push(&ids, (int64_t)n_words - 1) < 0) {
                    Py_DECREF(text);
                    goto done;
                }
            } else if (push(&ids, slots[slot].value) < 0) {
                Py_DECREF(text);
                goto done;
            }
        }
        Py_DECREF(text);
        ptr[i + 1] = (int64_t)ids.len;
    }
    PyObject *found = PyBytes_FromStringAndSize((const char *)ids.items, ids.len * (Py_ssize_t)sizeof(int64_t));
    if (found)
        result = Py_BuildValue("(NOn)", found, indptr, (Py_ssize_t)n_words);
done:
    PyMem_Free(table);
    Py_XDECREF(indptr);
    Py_DECREF(texts);
    PyMem_Free(ids.items);
    PyMem_Free(keys.data);
    PyMem_Free(word.data);
    PyMem_Free(slots);
    return result;
}

/* ---- the block features' three phrase columns: features._SENTENCE_END, _COPYRIGHT, _BOILER_PHRASE ----
 *
 * phrase_counts(texts, max_chars) -> int64 bytes, 3 per text: in text[:max_chars], how many matches
 * re.findall finds of _SENTENCE_END, whether re.search finds _COPYRIGHT (0 or 1), and how many of
 * _BOILER_PHRASE. Each is the regex written out as re runs it on str: \w, \s and \d are Unicode's
 * (str.isalnum or '_', str.isspace, str.isdecimal); re.IGNORECASE lets an ASCII letter match its
 * other case and, as re's case table does, i match U+0130 and U+0131, k U+212A, s U+017F; the
 * alternatives are tried in the pattern's order (an optional letter or space first taken), the
 * first one followed by a word boundary wins, and findall goes on after it. tests/test_terms.py
 * holds them to the regexes. */

/* c matches the lower-case ASCII letter or space p under re.IGNORECASE */
static inline int
ci_eq(Py_UCS4 c, char p)
{
    if (c < 128)
        return (c >= 'A' && c <= 'Z' ? c + 32 : c) == (Py_UCS4)(unsigned char)p;
    return (p == 'i' && (c == 0x130 || c == 0x131)) || (p == 'k' && c == 0x212A) || (p == 's' && c == 0x17F);
}

/* data[at:at + len(word)] matches word (lower case) under re.IGNORECASE; 1 with *end after it */
static int
ci_at(int kind, const void *data, Py_ssize_t length, Py_ssize_t at, const char *word, Py_ssize_t *end)
{
    for (; *word; word++, at++)
        if (at >= length || !ci_eq(PyUnicode_READ(kind, data, at), *word))
            return 0;
    *end = at;
    return 1;
}

/* _BOILER_PHRASE's alternatives, optional parts expanded in the order re tries them */
static const char *BOILER[] = {
    "read more", "click here", "sign up", "subscribe", "log in", "login", "sign in", "cookies", "cookie",
    "newsletter", "share this", "follow us", "all rights", "privacy policy", "terms of use", "terms of service",
    "skip to", "back to top", "related articles", "related posts", "related stories", "advertisement",
    "read now", "learn more", "contact us", "you may also like", "recommended", "trending", "comments",
    "comment", NULL};

/* The lower-case ASCII letter c matches under re.IGNORECASE (ci_eq's), or 0 for none */
static inline char
ci_letter(Py_UCS4 c)
{
    if (c < 128)
        return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c >= 'a' && c <= 'z' ? (char)c : 0;
    return c == 0x130 || c == 0x131 ? 'i' : c == 0x212A ? 'k' : c == 0x17F ? 's' : 0;
}

static int64_t
boiler_phrases(int kind, const void *data, Py_ssize_t length)
{
    int64_t found = 0;
    for (Py_ssize_t i = 0; i < length;) {
        Py_ssize_t end = -1;
        char first = ci_letter(PyUnicode_READ(kind, data, i));
        /* \b before (the phrases start with a letter); only those starting with this letter can match */
        if (first && (i == 0 || !is_word(PyUnicode_READ(kind, data, i - 1)))) {
            for (const char **w = BOILER; *w && end < 0; w++) {
                Py_ssize_t e;
                if ((*w)[0] == first && ci_at(kind, data, length, i, *w, &e) &&
                    (e == length || !is_word(PyUnicode_READ(kind, data, e))))
                    end = e; /* and \b after */
            }
        }
        if (end > 0) {
            found++;
            i = end;
        } else {
            i++;
        }
    }
    return found;
}

static int
copyright_at(int kind, const void *data, Py_ssize_t length, Py_ssize_t i)
{
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    Py_ssize_t end;
    if (c == 0xA9) /* © */
        return 1;
    if (c != '(' && (c | 32) != 'c' && (c | 32) != 'a') /* what the three others start with (ASCII only) */
        return 0;
    if ((i == 0 || !is_word(PyUnicode_READ(kind, data, i - 1))) && ci_at(kind, data, length, i, "copyright", &end) &&
        (end == length || !is_word(PyUnicode_READ(kind, data, end))))
        return 1;
    if (ci_at(kind, data, length, i, "all rights reserved", &end))
        return 1;
    if (c == '(' && i + 2 < length && ci_eq(PyUnicode_READ(kind, data, i + 1), 'c') &&
        PyUnicode_READ(kind, data, i + 2) == ')') {
        Py_ssize_t at = i + 3;
        while (at < length && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, at)))
            at++;
        int digits = 0;
        while (digits < 4 && at + digits < length && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, at + digits)))
            digits++;
        return digits == 4;
    }
    return 0;
}

static int64_t
sentence_ends(int kind, const void *data, Py_ssize_t length)
{
    int64_t found = 0;
    for (Py_ssize_t i = 0; i < length;) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == '.' || c == '!' || c == '?') {
            Py_ssize_t at = i + 1;
            if (at < length) {
                Py_UCS4 q = PyUnicode_READ(kind, data, at);
                at += q == '"' || q == 0x201D || q == 0x2019 || q == ')'; /* " ” ’ ) */
            }
            Py_ssize_t spaces = at;
            while (at < length && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, at)))
                at++;
            if (at > spaces && at < length) {
                Py_UCS4 next = PyUnicode_READ(kind, data, at);
                if ((next >= 'A' && next <= 'Z') || next == 0x201C || next == '"') { /* [A-Z“"] */
                    found++;
                    i = at + 1;
                    continue;
                }
            }
        }
        i++;
    }
    return found;
}

/* The three phrase columns of one text's analysed characters: sentence ends, copyright (0/1), phrases */
static void
phrase_row(Chars c, int64_t row[3])
{
    row[0] = sentence_ends(c.kind, c.data, c.length);
    row[1] = 0;
    for (Py_ssize_t at = 0; at < c.length && !row[1]; at++)
        row[1] = copyright_at(c.kind, c.data, c.length, at);
    row[2] = boiler_phrases(c.kind, c.data, c.length);
}

static PyObject *
phrase_counts(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *list;
    Py_ssize_t max_chars;
    if (!PyArg_ParseTuple(args, "O!n", &PyList_Type, &list, &max_chars))
        return NULL;
    if (max_chars < 0) {
        PyErr_SetString(PyExc_ValueError, "negative limit");
        return NULL;
    }
    PyObject *texts = PyList_AsTuple(list);
    if (!texts)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(texts);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 3 * (Py_ssize_t)sizeof(int64_t));
    if (!out) {
        Py_DECREF(texts);
        return NULL;
    }
    int64_t *row = (int64_t *)PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++, row += 3) {
        PyObject *text = text_at(texts, i);
        if (!text) {
            Py_DECREF(out);
            Py_DECREF(texts);
            return NULL;
        }
        phrase_row(chars_of(text, max_chars), row);
    }
    Py_DECREF(texts);
    return out;
}

/* html.attr_tokens for an ASCII class/id text: the runs [a-z][a-z0-9]* of raw[:max_chars] lowered,
 * a run also ending where a lower-case letter meets an upper-case one (mainNav: main, nav), as
 * the regexes' camel-case space does. None for other text: lower() may map a non-ASCII letter to
 * an ASCII one (the Kelvin sign to k), which the Python path handles. */
static PyObject *
attr_tokens_ascii(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *raw;
    Py_ssize_t max_chars;
    if (!PyArg_ParseTuple(args, "Un", &raw, &max_chars))
        return NULL;
    if (max_chars < 0) {
        PyErr_SetString(PyExc_ValueError, "max_chars is negative");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(raw))
        Py_RETURN_NONE;
    const char *s = (const char *)PyUnicode_DATA(raw);
    Py_ssize_t n = PyUnicode_GET_LENGTH(raw) < max_chars ? PyUnicode_GET_LENGTH(raw) : max_chars;
    PyObject *out = PyList_New(0);
    if (!out)
        return NULL;
    char token[256];
    for (Py_ssize_t i = 0; i < n;) {
        if (!(ascii_class[(unsigned char)s[i]] & C_ALPHA)) {
            i++;
            continue;
        }
        Py_ssize_t j = i + 1;
        while (j < n && ascii_class[(unsigned char)s[j]] & C_WORD && s[j] != '_' &&
               !(s[j - 1] >= 'a' && s[j - 1] <= 'z' && s[j] >= 'A' && s[j] <= 'Z'))
            j++;
        PyObject *word;
        if (j - i <= (Py_ssize_t)sizeof token) {
            for (Py_ssize_t k = i; k < j; k++)
                token[k - i] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + ('a' - 'A') : s[k]);
            word = PyUnicode_FromStringAndSize(token, j - i);
        } else { /* a run longer than the buffer (only past the usual max_chars) */
            PyObject *part = PyUnicode_Substring(raw, i, j);
            word = part ? PyObject_CallMethod(part, "lower", NULL) : NULL;
            Py_XDECREF(part);
        }
        if (!word || PyList_Append(out, word) < 0) {
            Py_XDECREF(word);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(word);
        i = j;
    }
    Py_SETREF(out, PyList_AsTuple(out));
    return out;
}

/* obj as a C-contiguous array of n float64 rows of width (0: a vector; -1: a vector of bools); 0, or -1
 * with an exception set */
static int
block_array(PyObject *obj, Py_buffer *view, Py_ssize_t n, Py_ssize_t width, const char *what, int writable)
{
    if (typed_view(obj, view, what, width < 0 ? 1 : 8, width < 0 ? "?" : "d", writable) < 0)
        return -1;
    if (width > 0 ? view->ndim != 2 || view->shape[0] != n || view->shape[1] != width
                  : view->ndim != 1 || view->shape[0] != n) {
        PyErr_Format(PyExc_ValueError, "%s: one %s per block expected", what, width > 0 ? "row" : "value");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* ---- a page's local feature rows: features.local_features in one pass over the blocks ----
 *
 * local_rows(blocks, out, config) fills out (a C-contiguous float64 array, one row of LOCAL_NAMES per
 * block, zeros on entry) as features.local_features fills its rows, reading each Block's attributes;
 * config is features._LOCAL_CONFIG: (stopwords, max_chars, sample_chars, sample_words, tag_columns
 * {tag: column}, other_column, path_column, path_bits {tag: bit}, token_bits {token: bits},
 * near_tokens, path_width, group_width, not_applicable). The values are computed as the Python path
 * computes them: the same counts and scans, int-by-int IEEE divisions, libm's log1p (math.log1p's),
 * sums of whole numbers (exact, whatever their order). tests/test_features_c.py holds them equal. */
#define LOCAL_COUNTED 28 /* the columns before the tag's */

typedef struct {
    PyObject *stopwords, *tag_columns, *path_bits, *token_bits;
    Py_ssize_t max_chars, sample_chars, sample_words, other_column, path_column, near, path_width, group_width;
    double na;
} LocalConfig;

/* in_* bits of a dom path: each "/"-separated tag looked up in path_bits; -1 with an exception set */
static long long
path_mask(const LocalConfig *cf, PyObject *path)
{
    if (!PyUnicode_Check(path)) {
        PyErr_SetString(PyExc_TypeError, "a block's dom_path must be a str");
        return -1;
    }
    long long mask = 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(path), start = 0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        if (i < n && PyUnicode_READ_CHAR(path, i) != '/')
            continue;
        PyObject *tag = PyUnicode_Substring(path, start, i);
        if (!tag)
            return -1;
        PyObject *bit = PyDict_GetItemWithError(cf->path_bits, tag); /* borrowed */
        Py_DECREF(tag);
        if (!bit && PyErr_Occurred())
            return -1;
        if (bit) {
            long long b = PyLong_AsLongLong(bit);
            if (b == -1 && PyErr_Occurred())
                return -1;
            mask |= b;
        }
        start = i + 1;
    }
    return mask;
}

/* near_* and far_* bits of a block's class/id tokens (features._group_bits); -1 with an exception set */
static int
group_masks(const LocalConfig *cf, PyObject *tokens, long long *near, long long *far)
{
    PyObject *seq = PySequence_Fast(tokens, "a block's attr_tokens must be a sequence");
    if (!seq)
        return -1;
    *near = *far = 0;
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(seq); k++) {
        PyObject *bit = PyDict_GetItemWithError(cf->token_bits, PySequence_Fast_GET_ITEM(seq, k));
        if (!bit && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
        long long b = bit ? PyLong_AsLongLong(bit) : 0;
        if (b == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
        *far |= b;
        if (k < cf->near)
            *near |= b;
    }
    Py_DECREF(seq);
    return 0;
}

static int
parse_config(PyObject *config, LocalConfig *cf)
{
    if (!PyArg_ParseTuple(config, "O!nnnO!nnO!O!nnnd;config: features._LOCAL_CONFIG expected", &PyFrozenSet_Type,
                          &cf->stopwords, &cf->max_chars, &cf->sample_chars, &cf->sample_words, &PyDict_Type,
                          &cf->tag_columns, &cf->other_column, &cf->path_column, &PyDict_Type, &cf->path_bits,
                          &PyDict_Type, &cf->token_bits, &cf->near, &cf->path_width, &cf->group_width, &cf->na))
        return -1;
    if (cf->max_chars < 0 || cf->sample_chars < 0 || cf->sample_words < 0 || cf->near < 0 || cf->path_width < 0 ||
        cf->group_width < 0 || cf->path_width > 62 || cf->group_width > 62) {
        PyErr_SetString(PyExc_ValueError, "config: negative limits or masks wider than 62 bits");
        return -1;
    }
    return 0;
}

static PyObject *
local_rows(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *list, *out_obj, *config;
    if (!PyArg_ParseTuple(args, "O!OO!", &PyList_Type, &list, &out_obj, &PyTuple_Type, &config))
        return NULL;
    LocalConfig cf;
    if (parse_config(config, &cf) < 0)
        return NULL;
    PyObject *blocks = PyList_AsTuple(list); /* our own: nothing run while reading can change it */
    if (!blocks)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(blocks);
    Py_ssize_t width = cf.path_column + cf.path_width + 2 * cf.group_width;
    if (cf.other_column < LOCAL_COUNTED || cf.other_column >= cf.path_column) {
        PyErr_SetString(PyExc_ValueError, "config: the tag columns do not fit");
        Py_DECREF(blocks);
        return NULL;
    }
    Py_buffer view;
    if (block_array(out_obj, &view, n, width, "out", 1) < 0) {
        Py_DECREF(blocks);
        return NULL;
    }
    PyObject *result = NULL, *same = NULL, *names[11] = {NULL};
    StopTable *table = NULL;
    int64_t *words = NULL;
    double *lengths = NULL;
    static const char *attr_names[11] = {"text", "kind", "link_chars", "depth", "is_title", "shares", "best_share",
                                         "tag", "dom_path", "attr_tokens", NULL};
    for (int a = 0; attr_names[a]; a++)
        if (!(names[a] = PyUnicode_InternFromString(attr_names[a])))
            goto done;
    enum { TEXT, KIND, LINK_CHARS, DEPTH, IS_TITLE, SHARES, BEST_SHARE, TAG, DOM_PATH, ATTR_TOKENS };
    table = stop_table_of(cf.stopwords);
    same = PyDict_New();
    words = PyMem_Calloc(n ? (size_t)n : 1, sizeof(int64_t));
    lengths = PyMem_Calloc(n ? (size_t)n : 1, sizeof(double));
    if (!table || !same || !words || !lengths) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    double *rows = view.buf, total = 0.0;
    /* first pass: texts, their lengths and how often each occurs */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyObject_GetAttr(PyTuple_GET_ITEM(blocks, i), names[TEXT]);
        if (!text)
            goto done;
        if (!PyUnicode_Check(text)) {
            Py_DECREF(text);
            PyErr_Format(PyExc_TypeError, "blocks[%zd].text is not a str", i);
            goto done;
        }
        lengths[i] = (double)PyUnicode_GET_LENGTH(text);
        total += lengths[i];
        PyObject *seen = PyDict_GetItemWithError(same, text);
        long long count = seen ? PyLong_AsLongLong(seen) : 0;
        PyObject *now = (!seen && PyErr_Occurred()) ? NULL : PyLong_FromLongLong(count + 1);
        int failed = !now || PyDict_SetItem(same, text, now) < 0;
        Py_XDECREF(now);
        Py_DECREF(text);
        if (failed)
            goto done;
    }
    if (total == 0.0)
        total = 1.0;
    double before = 0.0, last = n - 1 > 1 ? (double)(n - 1) : 1.0;
    PyObject *prev_path = NULL, *prev_tokens = NULL; /* borrowed from the blocks, which the tuple holds */
    long long in_mask = 0, near = 0, far = 0;
    PyObject *held[10] = {NULL};
    for (Py_ssize_t i = 0; i < n; i++) {
        double *r = rows + i * width;
        PyObject *block = PyTuple_GET_ITEM(blocks, i);
        for (int a = 0; a < 10; a++)
            if (!(held[a] = PyObject_GetAttr(block, names[a])))
                goto block_failed;
        PyObject *text = held[TEXT];
        if (!PyUnicode_Check(text)) { /* a str in the first pass: a descriptor could hand back another */
            PyErr_Format(PyExc_TypeError, "blocks[%zd].text is not a str", i);
            goto block_failed;
        }
        int html = PyUnicode_Check(held[KIND]) && PyUnicode_CompareWithASCIIString(held[KIND], "html") == 0;
        int64_t c[BLOCK_COUNTS];
        if (count_block(text, table, cf.stopwords, cf.max_chars, cf.sample_chars, cf.sample_words, c) < 0)
            goto block_failed;
        words[i] = c[1];
        double some = (double)(c[1] < cf.sample_words ? c[1] : cf.sample_words), sample;
        some = some == 0.0 ? 1.0 : some;
        sample = (double)(c[0] < cf.sample_chars ? c[0] : cf.sample_chars);
        sample = sample == 0.0 ? 1.0 : sample;
        Chars ch = chars_of(text, cf.max_chars);
        r[0] = log1p(lengths[i]);
        r[1] = log1p((double)c[1]);
        r[2] = (double)c[2] / some;
        if (html) {
            long long link_chars = PyLong_AsLongLong(held[LINK_CHARS]);
            if (link_chars == -1 && PyErr_Occurred())
                goto block_failed;
            r[3] = lengths[i] > 0 ? (double)link_chars / lengths[i] : 0.0;
        } else {
            r[3] = cf.na;
        }
        r[4] = (double)c[3] / some;
        r[5] = c[0] > 0 ? (double)c[8] / (double)c[0] : 0.0;
        r[6] = c[1] > 0 ? (double)c[9] / (double)c[1] : 0.0;
        r[7] = (double)c[6] / sample;
        r[8] = (double)c[7] / (double)(c[5] > 0 ? c[5] : 1);
        r[9] = (double)c[4] / some;
        if (ch.length) { /* features._TERMINAL */
            Py_UCS4 e = PyUnicode_READ(ch.kind, ch.data, ch.length - 1);
            r[10] = e == '.' || e == '!' || e == '?' || e == '"' || e == 0x201D || e == 0x2019 || e == ':' || e == ')';
        }
        int64_t phrases[3];
        phrase_row(ch, phrases);
        r[11] = (double)(phrases[0] + 1); /* sentences: the ends plus one */
        r[12] = (double)phrases[1];
        r[13] = (double)phrases[2];
        r[14] = PyFloat_AsDouble(held[IS_TITLE]); /* float(), as numpy's assignment of a Python value */
        if (r[14] == -1.0 && PyErr_Occurred())
            goto block_failed;
        r[15] = html;
        if (html) {
            r[16] = PyFloat_AsDouble(held[DEPTH]);
            if (r[16] == -1.0 && PyErr_Occurred())
                goto block_failed;
        } else {
            r[16] = cf.na;
        }
        r[17] = (double)i / last;
        r[18] = before / total;
        before += lengths[i];
        r[19] = log1p((double)n);
        r[20] = lengths[i] / total;
        PyObject *shares = held[SHARES];
        int has_shares = PyObject_IsTrue(shares);
        if (has_shares < 0)
            goto block_failed;
        if (has_shares) {
            PyObject *seq = PySequence_Fast(shares, "a block's shares must be a sequence");
            if (!seq)
                goto block_failed;
            if (PySequence_Fast_GET_SIZE(seq) < 4) {
                Py_DECREF(seq);
                PyErr_Format(PyExc_ValueError, "blocks[%zd].shares holds fewer than 4 values", i);
                goto block_failed;
            }
            for (int k = 0; k < 4; k++) {
                r[21 + k] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, k));
                if (r[21 + k] == -1.0 && PyErr_Occurred()) {
                    Py_DECREF(seq);
                    goto block_failed;
                }
            }
            Py_DECREF(seq);
        } else {
            for (int k = 0; k < 4; k++)
                r[21 + k] = cf.na;
        }
        if (html) {
            r[25] = PyFloat_AsDouble(held[BEST_SHARE]);
            if (r[25] == -1.0 && PyErr_Occurred())
                goto block_failed;
        } else {
            r[25] = cf.na;
        }
        PyObject *seen = PyDict_GetItemWithError(same, text); /* counted in the first pass */
        if (!seen) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "blocks[%zd].text changed while its row was read", i);
            goto block_failed;
        }
        long long copies = PyLong_AsLongLong(seen);
        if (copies == -1 && PyErr_Occurred())
            goto block_failed;
        r[26] = log1p((double)(copies - 1));
        PyObject *column = PyDict_GetItemWithError(cf.tag_columns, held[TAG]);
        if (!column && PyErr_Occurred())
            goto block_failed;
        Py_ssize_t tag_column = column ? PyLong_AsSsize_t(column) : cf.other_column;
        if (tag_column == -1 && PyErr_Occurred())
            goto block_failed;
        if (tag_column < LOCAL_COUNTED || tag_column >= cf.path_column) {
            PyErr_SetString(PyExc_ValueError, "config: a tag column out of range");
            goto block_failed;
        }
        r[tag_column] = 1.0;
        double *dom = r + cf.path_column;
        if (!html) {
            for (Py_ssize_t k = 0; k < cf.path_width + 2 * cf.group_width; k++)
                dom[k] = cf.na;
        } else {
            /* siblings share their path and token objects: their masks are read once */
            if (held[DOM_PATH] != prev_path || held[ATTR_TOKENS] != prev_tokens) {
                if ((in_mask = path_mask(&cf, held[DOM_PATH])) < 0 ||
                    group_masks(&cf, held[ATTR_TOKENS], &near, &far) < 0)
                    goto block_failed;
                prev_path = held[DOM_PATH];
                prev_tokens = held[ATTR_TOKENS];
            }
            for (Py_ssize_t k = 0; k < cf.path_width; k++)
                dom[k] = (double)((in_mask >> k) & 1);
            for (Py_ssize_t k = 0; k < cf.group_width; k++) {
                dom[cf.path_width + k] = (double)((near >> k) & 1);
                dom[cf.path_width + cf.group_width + k] = (double)((far >> k) & 1);
            }
        }
        for (int a = 0; a < 10; a++)
            Py_CLEAR(held[a]);
        continue;
    block_failed:
        for (int a = 0; a < 10; a++)
            Py_CLEAR(held[a]);
        goto done;
    }
    /* features._short_runs: a run of blocks of at most 6 words gets log1p of its length */
    for (Py_ssize_t i = 0; i < n;) {
        if (words[i] > 6) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        while (j < n && words[j] <= 6)
            j++;
        double value = log1p((double)(j - i));
        for (; i < j; i++)
            rows[i * width + 27] = value;
    }
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&view);
    Py_DECREF(blocks);
    Py_XDECREF(same);
    for (int a = 0; a < 11; a++)
        Py_XDECREF(names[a]);
    PyMem_Free(table);
    PyMem_Free(words);
    PyMem_Free(lengths);
    return result;
}

/* ---- a page's neighbour columns: the parts of features.context_features read block by block ----
 *
 * context_rows(blocks, p, out, weights, is_title) fills out's columns 0-8, 10-12 and 16 (CONTEXT_NAMES:
 * the six neighbours' p, the block's own, the windows of 5 and 15, the maxima before and after, the
 * mean over the parent's blocks, the page's prose share) as context_features computes them, and
 * weights (min(len(text), 400) + 1) and is_title for the columns numpy computes: its sums run in the
 * same order (cumsum's and bincount's, one by one; the prose share's over whole numbers). */
#define CONTEXT_WIDTH 17

/* np.maximum.accumulate's step: a NaN, once met, stays */
static inline double
running_max(double so_far, double x)
{
    return isnan(so_far) ? so_far : isnan(x) ? x : x > so_far ? x : so_far;
}

static PyObject *
context_rows(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *list, *objs[4];
    if (!PyArg_ParseTuple(args, "O!OOOO", &PyList_Type, &list, &objs[0], &objs[1], &objs[2], &objs[3]))
        return NULL;
    PyObject *blocks = PyList_AsTuple(list), *result = NULL, *parents = NULL, *text_name = NULL, *xpath_name = NULL,
             *title_name = NULL;
    if (!blocks)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(blocks);
    Py_buffer b[4];
    int got = 0;
    static const char *what[4] = {"p", "out", "weights", "is_title"};
    static const Py_ssize_t widths[4] = {0, CONTEXT_WIDTH, 0, -1};
    double *sums = NULL, *totals = NULL, *pw = NULL, *cw = NULL;
    Py_ssize_t *ids = NULL;
    for (; got < 4; got++)
        if (block_array(objs[got], &b[got], n, widths[got], what[got], got > 0) < 0)
            goto done;
    const double *p = b[0].buf;
    double *out = b[1].buf, *weights = b[2].buf;
    char *is_title = b[3].buf;
    sums = PyMem_Calloc((size_t)n + 1, sizeof(double));
    totals = PyMem_Calloc((size_t)n + 1, sizeof(double));
    pw = PyMem_Calloc((size_t)n + 1, sizeof(double));
    cw = PyMem_Calloc((size_t)n + 1, sizeof(double));
    ids = PyMem_Calloc((size_t)n + 1, sizeof(Py_ssize_t));
    parents = PyDict_New();
    text_name = PyUnicode_InternFromString("text");
    xpath_name = PyUnicode_InternFromString("xpath");
    title_name = PyUnicode_InternFromString("is_title");
    if (!sums || !totals || !pw || !cw || !ids || !parents || !text_name || !xpath_name || !title_name) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    double prose = 0.0, all = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *block = PyTuple_GET_ITEM(blocks, i);
        PyObject *text = PyObject_GetAttr(block, text_name);
        if (!text)
            goto done;
        Py_ssize_t length = PyUnicode_Check(text) ? PyUnicode_GET_LENGTH(text) : -1;
        Py_DECREF(text);
        if (length < 0) {
            PyErr_Format(PyExc_TypeError, "blocks[%zd].text is not a str", i);
            goto done;
        }
        weights[i] = (double)(length < 400 ? length : 400) + 1.0;
        all += (double)length;
        prose += p[i] >= 0.5 ? (double)length : 0.0;
        PyObject *title = PyObject_GetAttr(block, title_name);
        int truth = title ? PyObject_IsTrue(title) : -1;
        Py_XDECREF(title);
        if (truth < 0)
            goto done;
        is_title[i] = (char)truth;
        /* the parent's key: the xpath without its last step, or a run of eight text blocks */
        PyObject *xpath = PyObject_GetAttr(block, xpath_name), *key;
        if (!xpath)
            goto done;
        if (!PyUnicode_Check(xpath)) {
            Py_DECREF(xpath);
            PyErr_Format(PyExc_TypeError, "blocks[%zd].xpath is not a str", i);
            goto done;
        }
        if (PyUnicode_GET_LENGTH(xpath)) {
            Py_ssize_t cut = PyUnicode_FindChar(xpath, '/', 0, PyUnicode_GET_LENGTH(xpath), -1);
            key = cut >= 0 ? PyUnicode_Substring(xpath, 0, cut) : Py_NewRef(xpath);
        } else {
            key = PyUnicode_FromFormat("#%zd", i / 8);
        }
        Py_DECREF(xpath);
        if (!key)
            goto done;
        PyObject *id = PyDict_GetItemWithError(parents, key);
        if (!id && !PyErr_Occurred()) {
            PyObject *next = PyLong_FromSsize_t(PyDict_GET_SIZE(parents));
            if (next && PyDict_SetItem(parents, key, next) == 0)
                id = next; /* the dict holds it */
            Py_XDECREF(next);
        }
        Py_DECREF(key);
        if (!id || (ids[i] = PyLong_AsSsize_t(id)) < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "a parent id out of range");
            goto done;
        }
        sums[ids[i]] += p[i] * weights[i]; /* bincount's order: block after block */
        totals[ids[i]] += weights[i];
        pw[i + 1] = pw[i] + p[i] * weights[i]; /* cumsum's */
        cw[i + 1] = cw[i] + weights[i];
    }
    double share = prose / (all ? all : 1.0);
    static const int offsets[6] = {-3, -2, -1, 1, 2, 3}; /* features.CONTEXT_OFFSETS */
    double before = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double *r = out + i * CONTEXT_WIDTH;
        for (int k = 0; k < 6; k++) {
            Py_ssize_t j = i + offsets[k];
            r[k] = j >= 0 && j < n ? p[j] : -1.0;
        }
        r[6] = p[i];
        for (int w = 0; w < 2; w++) {
            Py_ssize_t radius = w ? 15 : 5, lo = i - radius < 0 ? 0 : i - radius, hi = i + radius + 1 > n ? n : i + radius + 1;
            r[7 + w] = (pw[hi] - pw[lo]) / (cw[hi] - cw[lo]);
        }
        if (i > 0)
            r[10] = before;
        before = i == 0 ? p[0] : running_max(before, p[i]);
        r[12] = sums[ids[i]] / totals[ids[i]];
        r[16] = share;
    }
    double after = 0.0;
    for (Py_ssize_t i = n - 1; i >= 0; i--) {
        if (i < n - 1)
            out[i * CONTEXT_WIDTH + 11] = after;
        after = i == n - 1 ? p[i] : running_max(after, p[i]);
    }
    result = Py_NewRef(Py_None);
done:
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&b[i]);
    Py_DECREF(blocks);
    Py_XDECREF(parents);
    Py_XDECREF(text_name);
    Py_XDECREF(xpath_name);
    Py_XDECREF(title_name);
    PyMem_Free(sums);
    PyMem_Free(totals);
    PyMem_Free(pw);
    PyMem_Free(cw);
    PyMem_Free(ids);
    return result;
}

static PyMethodDef methods[] = {
    {"block_counts", block_counts, METH_VARARGS,
     "block_counts(texts, stopwords, max_chars, sample_chars, sample_words) -> int64 bytes, 10 counts per text"},
    {"page_words", page_words, METH_VARARGS,
     "page_words(texts, stopwords, max_chars) -> (indices, indptr, n_words): each text's topical words as page ids"},
    {"phrase_counts", phrase_counts, METH_VARARGS,
     "phrase_counts(texts, max_chars) -> int64 bytes, per text: sentence ends, copyright (0/1), boilerplate phrases"},
    {"local_rows", local_rows, METH_VARARGS,
     "local_rows(blocks, out, config) -> None: features.local_features' rows written into out"},
    {"context_rows", context_rows, METH_VARARGS,
     "context_rows(blocks, p, out, weights, is_title) -> None: context_features' block-by-block columns"},
    {"attr_tokens_ascii", attr_tokens_ascii, METH_VARARGS,
     "attr_tokens_ascii(raw, max_chars) -> html.attr_tokens(raw) when raw is ASCII, else None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_features", "The block features' scans in C.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__features(void)
{
    scan_init();
    return PyModule_Create(&module);
}
