/* The kind features' token counts in C: what typing_features._token_counts reads from a token table.
 *
 * token_counts(texts, bounds, start, length, first, lower, space, punct, quote, like_num, word_sets,
 *              sentence_marks, quote_codes, quote_texts) -> (counts, sentences)
 *
 * sentence_marks and quote_codes are sorted code points (uint64, as the hashes are). One pass over
 * the table's tokens, doc after doc (doc d's tokens are rows bounds[d]:bounds[d + 1],
 * its text texts[d]), instead of the reference's forty numpy calls on a few hundred tokens:
 *
 * counts (bytes of int64, one row of COUNTS per doc): words (tokens neither space nor punctuation),
 * numbers (words spaCy calls like_num that hold a digit, str.isdigit), legal, aggregate and
 * attribution words (word_sets' three (hashes, words) pairs: the lower-case hash is one of the
 * sorted hashes and the token's text, lower-cased by str.lower, is one of the words), titlecase
 * words (the first character str.isupper), quoted words (words between quotation marks, as
 * _quoted_words reads them), words outside quotation marks, sentences (TokenTable.sentence_starts'
 * rule), and the words of sentences that hold a legal token.
 *
 * sentences (bytes of int64, one row of 4 per sentence): its doc, its text's start and end in the
 * doc's text, and its words; Python reads the figures of the hinted docs' sentences with its
 * regexes.
 *
 * A quotation mark is a token that is not space and that spaCy flags as a quote, or whose first
 * character is one of quote_codes and whose text is found in quote_texts[0] or quote_texts[1] (str
 * "in": a substring). Between marks, one whose text is found in quote_texts[2] opens, one found in
 * quote_texts[3] closes, and any other toggles.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "_buffer.h"

#define COUNTS 10
enum { WORDS, NUMBERS, LEGAL, AGGREGATE, ATTRIBUTION, TITLECASE, QUOTED, QUOTE_WORDS, SENTENCES, LEGAL_WORDS };
#define SETS 3
#define ARRAYS 9

typedef struct {
    const uint64_t *hashes;
    Py_ssize_t n;
    PyObject *words; /* a frozenset of str */
} WordSet;

typedef struct {
    const void *data;
    int kind;
    Py_ssize_t len;
} Text;

static int
sorted_has(const uint64_t *keys, Py_ssize_t n, uint64_t key)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && keys[lo] == key;
}

/* Whether the token text[s:s + len] is found in haystack (str "in": a substring of it) */
static int
found_in(const Text *t, Py_ssize_t s, Py_ssize_t len, PyObject *haystack)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(haystack);
    int kind = PyUnicode_KIND(haystack);
    const void *data = PyUnicode_DATA(haystack);
    for (Py_ssize_t at = 0; at + len <= n; at++) {
        Py_ssize_t i = 0;
        while (i < len && PyUnicode_READ(t->kind, t->data, s + i) == PyUnicode_READ(kind, data, at + i))
            i++;
        if (i == len)
            return 1;
    }
    return 0;
}

/* Whether the token's text, lower-cased by str.lower, is one of set->words: 1, 0, or -1 with an error */
static int
lower_is_one_of(PyObject *text, Py_ssize_t s, Py_ssize_t len, const WordSet *set)
{
    PyObject *token = PyUnicode_Substring(text, s, s + len);
    if (!token)
        return -1;
    PyObject *lower = PyObject_CallMethod(token, "lower", NULL);
    Py_DECREF(token);
    if (!lower)
        return -1;
    int found = PySet_Contains(set->words, lower);
    Py_DECREF(lower);
    return found;
}

/* the table's columns, in token_counts' argument order */
static const char *ARRAY_NAMES[ARRAYS] = {"bounds", "start", "length", "first", "lower", "space", "punct", "quote",
                                          "like_num"};

static PyObject *
token_counts(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *texts, *objs[ARRAYS], *word_sets, *marks_obj, *quote_codes_obj, *quote_texts;
    if (!PyArg_ParseTuple(args, "O!OOOOOOOOOO!OOO!", &PyList_Type, &texts, &objs[0], &objs[1], &objs[2], &objs[3],
                          &objs[4], &objs[5], &objs[6], &objs[7], &objs[8], &PyTuple_Type, &word_sets, &marks_obj,
                          &quote_codes_obj, &PyTuple_Type, &quote_texts))
        return NULL;
    if (PyTuple_GET_SIZE(word_sets) != SETS || PyTuple_GET_SIZE(quote_texts) != 4) {
        PyErr_SetString(PyExc_ValueError, "word_sets must hold 3 pairs and quote_texts 4 strings");
        return NULL;
    }
    for (int i = 0; i < 4; i++)
        if (!PyUnicode_Check(PyTuple_GET_ITEM(quote_texts, i))) {
            PyErr_SetString(PyExc_TypeError, "quote_texts must be str");
            return NULL;
        }
    static const Py_ssize_t sizes[ARRAYS] = {8, 8, 8, 4, 8, 1, 1, 1, 1};
    static const char *formats[ARRAYS] = {"lq", "lq", "lq", "IL", "QL", "?Bb", "?Bb", "?Bb", "?Bb"};
    Py_buffer b[ARRAYS + SETS + 2]; /* and the sentence marks and quote codes */
    int got = 0;
    PyObject *result = NULL;
    Buf counts = {0}, sentences = {0};
    for (; got < ARRAYS; got++)
        if (typed_view(objs[got], &b[got], ARRAY_NAMES[got], sizes[got], formats[got], 0) < 0)
            goto done;
    WordSet sets[SETS];
    for (int i = 0; i < SETS; i++) {
        PyObject *pair = PyTuple_GET_ITEM(word_sets, i);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 || !PyFrozenSet_CheckExact(PyTuple_GET_ITEM(pair, 1))) {
            PyErr_SetString(PyExc_TypeError, "each word set must be a pair (hashes, frozenset)");
            goto done;
        }
        if (typed_view(PyTuple_GET_ITEM(pair, 0), &b[got], "hashes", 8, "QL", 0) < 0)
            goto done;
        sets[i].hashes = b[got].buf;
        sets[i].n = b[got].len / 8;
        sets[i].words = PyTuple_GET_ITEM(pair, 1);
        got++;
    }
    /* code points as the word sets' hashes are, uint64: one binary search for both */
    if (typed_view(marks_obj, &b[got], "sentence_marks", 8, "QL", 0) < 0)
        goto done;
    const uint64_t *marks = b[got].buf;
    Py_ssize_t n_marks = b[got++].len / 8;
    if (typed_view(quote_codes_obj, &b[got], "quote_codes", 8, "QL", 0) < 0)
        goto done;
    const uint64_t *quote_codes = b[got].buf;
    Py_ssize_t n_quote_codes = b[got++].len / 8;

    const int64_t *bounds = b[0].buf, *start = b[1].buf, *length = b[2].buf;
    const uint32_t *first = b[3].buf;
    const uint64_t *lower = b[4].buf;
    const uint8_t *space = b[5].buf, *punct = b[6].buf, *quote_flag = b[7].buf, *like_num = b[8].buf;
    Py_ssize_t n_docs = PyList_GET_SIZE(texts), n = b[1].len / 8;
    if (b[0].len / 8 != n_docs + 1 || b[2].len / 8 != n || b[3].len / 4 != n || b[4].len / 8 != n || b[5].len != n
        || b[6].len != n || b[7].len != n || b[8].len != n) {
        PyErr_SetString(PyExc_ValueError, "the table's arrays differ in length");
        goto done;
    }
    if (bounds[0] != 0 || bounds[n_docs] != n) {
        PyErr_SetString(PyExc_ValueError, "bounds do not cover the table");
        goto done;
    }
    if (buf_reserve(&counts, (Py_ssize_t)sizeof(int64_t) * COUNTS * n_docs) < 0)
        goto done;
    PyObject *opening = PyTuple_GET_ITEM(quote_texts, 2), *closing = PyTuple_GET_ITEM(quote_texts, 3);

    /* quoted words: an open quotation mark runs to its doc's end (a doc's first mark starts afresh) */
    for (Py_ssize_t d = 0; d < n_docs; d++) {
        PyObject *text = PyList_GET_ITEM(texts, d);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "texts must be str");
            goto done;
        }
        Text t = {PyUnicode_DATA(text), PyUnicode_KIND(text), PyUnicode_GET_LENGTH(text)};
        int64_t lo = bounds[d], hi = bounds[d + 1];
        if (hi < lo || hi > n) {
            PyErr_SetString(PyExc_ValueError, "bounds are not increasing");
            goto done;
        }
        int64_t c[COUNTS] = {0};
        int inside = 0, seen_mark = 0;
        int64_t outside_since = 0; /* words outside marks since the last mark */
        int64_t sentence = -1, sentence_words = 0, sentence_legal = 0;
        for (int64_t p = lo; p <= hi; p++) {
            int opens = p == lo && p < hi;
            int is_word = 0, is_legal = 0, is_quote = 0;
            if (p < hi) {
                int64_t s = start[p], len = length[p];
                if (s < 0 || len < 0 || s > t.len - len) {
                    PyErr_SetString(PyExc_ValueError, "a token lies outside its doc's text");
                    goto done;
                }
                int mark = len == 1 && sorted_has(marks, n_marks, first[p]);
                if (mark)
                    seen_mark = 1;
                else if (!punct[p]) { /* plain: it opens a sentence when a mark stands since the last plain one */
                    opens |= seen_mark;
                    seen_mark = 0;
                }
                is_word = !space[p] && !punct[p];
                for (int i = 0; i < SETS; i++) {
                    int found = sorted_has(sets[i].hashes, sets[i].n, lower[p]);
                    if (found)
                        found = lower_is_one_of(text, (Py_ssize_t)s, (Py_ssize_t)len, &sets[i]);
                    if (found < 0)
                        goto done;
                    if (i == 0)
                        is_legal = found;
                    if (found && is_word)
                        c[LEGAL + i]++;
                }
                if (!space[p]) {
                    is_quote = quote_flag[p];
                    if (!is_quote && sorted_has(quote_codes, n_quote_codes, first[p]))
                        is_quote = found_in(&t, (Py_ssize_t)s, (Py_ssize_t)len, PyTuple_GET_ITEM(quote_texts, 0))
                                   || found_in(&t, (Py_ssize_t)s, (Py_ssize_t)len, PyTuple_GET_ITEM(quote_texts, 1));
                }
                if (is_word) {
                    c[WORDS]++;
                    if (Py_UNICODE_ISUPPER((Py_UCS4)first[p]))
                        c[TITLECASE]++;
                    if (like_num[p])
                        for (int64_t i = 0; i < len; i++)
                            if (Py_UNICODE_ISDIGIT(PyUnicode_READ(t.kind, t.data, s + i))) {
                                c[NUMBERS]++;
                                break;
                            }
                }
            }
            if (opens || p == hi) { /* the sentence before ends here */
                if (sentence >= 0) {
                    int64_t row[4] = {d, start[sentence], start[p - 1] + length[p - 1], sentence_words};
                    if (buf_put(&sentences, (const char *)row, sizeof row) < 0)
                        goto done;
                    if (sentence_legal)
                        c[LEGAL_WORDS] += sentence_words;
                }
                if (p == hi)
                    break;
                sentence = p;
                sentence_words = sentence_legal = 0;
                c[SENTENCES]++;
            }
            sentence_words += is_word;
            sentence_legal |= is_legal;
            if (is_quote) {
                if (inside)
                    c[QUOTED] += outside_since;
                outside_since = 0;
                int64_t s = start[p], len = length[p];
                inside = found_in(&t, (Py_ssize_t)s, (Py_ssize_t)len, opening)           ? 1
                         : found_in(&t, (Py_ssize_t)s, (Py_ssize_t)len, closing) ? 0
                                                                                  : !inside;
            } else if (is_word) {
                c[QUOTE_WORDS]++;
                outside_since++;
            }
        }
        if (inside)
            c[QUOTED] += outside_since;
        memcpy(counts.data + counts.len, c, sizeof c);
        counts.len += sizeof c;
    }
    result = Py_BuildValue("y#y#", counts.data ? counts.data : "", counts.len, sentences.data ? sentences.data : "",
                           sentences.len);
done:
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&b[i]);
    PyMem_Free(counts.data);
    PyMem_Free(sentences.data);
    return result;
}

static PyMethodDef methods[] = {
    {"token_counts", token_counts, METH_VARARGS,
     "token_counts(texts, bounds, start, length, first, lower, space, punct, quote, like_num, word_sets, "
     "sentence_marks, quote_codes, quote_texts) -> (counts, sentences): see the module's comment"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kindcounts", "The kind features' token counts in C.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__kindcounts(void)
{
    return PyModule_Create(&module);
}
