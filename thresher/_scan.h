/* Character and word scanning shared by the C extensions that read texts (_terms.c, _features.c):
 * ASCII character classes, the next run of word characters, a str's characters as the scans read
 * them, UTF-8 of a code point, and a growing array of ids. Functions are static: each extension has
 * its own copy, and calls scan_init() once at import. */
#ifndef THRESHER_SCAN_H
#define THRESHER_SCAN_H

#include <Python.h>
#include <stdint.h>

typedef struct {
    int64_t *items;
    Py_ssize_t len, cap;
} Ids;

static inline int
push(Ids *ids, int64_t v)
{
    if (ids->len == ids->cap) {
        Py_ssize_t cap = ids->cap ? 2 * ids->cap : 1024;
        int64_t *items = PyMem_Realloc(ids->items, (size_t)cap * sizeof(int64_t));
        if (!items) {
            PyErr_NoMemory();
            return -1;
        }
        ids->items = items;
        ids->cap = cap;
    }
    ids->items[ids->len++] = v;
    return 0;
}

/* ASCII characters' classes, filled at import from the Unicode tests they stand for: looked up,
 * an ASCII character costs no call (Py_UNICODE_ISALNUM asks four Unicode tables in turn, and a space
 * or a full stop went through all four) */
enum { C_WORD = 1, C_ALPHA = 2, C_DIGIT = 4, C_UPPER = 8 };
static unsigned char ascii_class[128];

/* a word character, as the regex \w reads str: alphanumeric (str.isalnum) or '_' */
static inline int
is_word(Py_UCS4 ch)
{
    return ch < 128 ? ascii_class[ch] & C_WORD : Py_UNICODE_ISALNUM(ch);
}

static inline int
is_alpha(Py_UCS4 ch)
{
    return ch < 128 ? (ascii_class[ch] & C_ALPHA) != 0 : Py_UNICODE_ISALPHA(ch);
}

static inline int
is_digit(Py_UCS4 ch)
{
    return ch < 128 ? (ascii_class[ch] & C_DIGIT) != 0 : Py_UNICODE_ISDIGIT(ch);
}

static inline int
is_upper(Py_UCS4 ch)
{
    return ch < 128 ? (ascii_class[ch] & C_UPPER) != 0 : Py_UNICODE_ISUPPER(ch);
}

/* The next run of word characters at or after *at in data[0:length]: 1 with it in [*start, *at),
 * or 0 at the end */
static inline int
next_word(int kind, const void *data, Py_ssize_t length, Py_ssize_t *at, Py_ssize_t *start)
{
    Py_ssize_t i = *at;
    while (i < length && !is_word(PyUnicode_READ(kind, data, i)))
        i++;
    if (i >= length) {
        *at = i;
        return 0;
    }
    *start = i;
    while (i < length && is_word(PyUnicode_READ(kind, data, i)))
        i++;
    *at = i;
    return 1;
}

/* code point -> UTF-8 (surrogates too), at most 4 bytes */
static inline int
utf8(Py_UCS4 c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* texts[i] (borrowed), or NULL with a TypeError naming it when it is not a str */
static inline PyObject *
text_at(PyObject *texts, Py_ssize_t i)
{
    PyObject *text = PyTuple_GET_ITEM(texts, i);
    if (PyUnicode_Check(text))
        return text;
    PyErr_Format(PyExc_TypeError, "texts[%zd] is not a str", i);
    return NULL;
}

/* A str's characters as the scans read them: its kind and data, its length cut to max_chars */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
} Chars;

static inline Chars
chars_of(PyObject *text, Py_ssize_t max_chars)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    return (Chars){PyUnicode_KIND(text), PyUnicode_DATA(text), length < max_chars ? length : max_chars};
}

/* fill ascii_class: once, at the extension's import */
static inline void
scan_init(void)
{
    for (Py_UCS4 ch = 0; ch < 128; ch++)
        ascii_class[ch] = (Py_UNICODE_ISALNUM(ch) || ch == '_' ? C_WORD : 0) | (Py_UNICODE_ISALPHA(ch) ? C_ALPHA : 0) |
                          (Py_UNICODE_ISDIGIT(ch) ? C_DIGIT : 0) | (Py_UNICODE_ISUPPER(ch) ? C_UPPER : 0);
}

#endif
