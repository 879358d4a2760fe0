/* The word models' term lookup and scores in C.
 *
 * compile_index(index) -> table: a vocabulary dict {term: column} as a table of UTF-8 keys.
 * terms(texts, table) -> (ids, counts): for each text of the list (already lower-cased), its
 * words are the runs of two or more word characters (what the regex (?u)\b\w\w+\b finds: a
 * word character is one Python's re counts as \w, alphanumeric or '_'), its pairs two
 * consecutive words joined by a space, as TfidfVectorizer makes them. ids (bytes of int64)
 * holds, text after text, the column of each word and pair found in the table; counts (bytes
 * of int64) how many of them each text has.
 * decide is described where it is defined. The block features' scans are in _features.c.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "_buffer.h"
#include "_scan.h"

/* ---- a vocabulary compiled once: words looked up by their UTF-8 bytes, no str made per word ----
 *
 * compile_index(index) -> capsule: the dict's str keys (UTF-8, lone surrogates as "surrogatepass"
 * writes them, so the encoding is one-to-one) and their int values, in an open-addressing table.
 * Negative values are left out (missing, as in a lookup); a value that is not an int raises. */
typedef struct { /* a vocabulary's slot, 16 bytes: four a cache line (a page's lookups mostly miss the cache) */
    uint32_t hash;   /* the key's hash, its low 32 bits */
    int32_t value;
    uint32_t offset; /* the key's bytes: keys + offset, len bytes */
    int32_t len;     /* -1: an empty slot */
} TermSlot;

typedef struct {
    TermSlot *slots;
    size_t mask;
    char *keys;
} Table;

#define TABLE_CAPSULE "thresher._terms.Table"

static void
table_free(PyObject *capsule)
{
    Table *t = PyCapsule_GetPointer(capsule, TABLE_CAPSULE);
    if (t) {
        PyMem_Free(t->slots);
        PyMem_Free(t->keys);
        PyMem_Free(t);
    }
}

static PyObject *
compile_index(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *index;
    if (!PyArg_ParseTuple(args, "O!", &PyDict_Type, &index))
        return NULL;
    Py_ssize_t n = PyDict_GET_SIZE(index), keys_len = 0, keys_cap = 0;
    size_t size = 16;
    while (size < 2 * (size_t)n + 2)
        size *= 2;
    Table *t = PyMem_Calloc(1, sizeof(Table));
    if (!t)
        return PyErr_NoMemory();
    t->mask = size - 1;
    t->slots = PyMem_Malloc(size * sizeof(TermSlot));
    if (!t->slots)
        goto nomem;
    for (size_t i = 0; i < size; i++)
        t->slots[i].len = -1;
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(index, &pos, &key, &value)) {
        if (!PyUnicode_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "index keys must be str");
            goto fail;
        }
        if (!PyLong_CheckExact(value)) {
            PyErr_SetString(PyExc_TypeError, "index values must be ints");
            goto fail;
        }
        long long v = PyLong_AsLongLong(value);
        if (v == -1 && PyErr_Occurred())
            goto fail;
        if (v < 0)
            continue;
        if (v > INT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "index values must be below 2**31");
            goto fail;
        }
        int kind = PyUnicode_KIND(key);
        const void *data = PyUnicode_DATA(key);
        Py_ssize_t length = PyUnicode_GET_LENGTH(key);
        if (length > (PY_SSIZE_T_MAX - keys_len) / 4 - 1) {
            PyErr_NoMemory();
            goto fail;
        }
        if (keys_len + 4 * length > keys_cap) {
            Py_ssize_t cap = keys_cap ? keys_cap : 4096;
            while (cap < keys_len + 4 * length)
                cap = cap > PY_SSIZE_T_MAX / 2 ? keys_len + 4 * length : cap * 2;
            char *keys = PyMem_Realloc(t->keys, (size_t)cap);
            if (!keys)
                goto nomem;
            t->keys = keys;
            keys_cap = cap;
        }
        Py_ssize_t start = keys_len;
        for (Py_ssize_t i = 0; i < length; i++)
            keys_len += utf8(PyUnicode_READ(kind, data, i), t->keys + keys_len);
        if (keys_len > INT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "index keys longer than 2 GB in all");
            goto fail;
        }
        uint64_t h = fnv1a(t->keys + start, keys_len - start);
        size_t slot = (size_t)h & t->mask;
        while (t->slots[slot].len >= 0)
            slot = (slot + 1) & t->mask;
        t->slots[slot] = (TermSlot){(uint32_t)h, (int32_t)v, (uint32_t)start, (int32_t)(keys_len - start)};
    }
    PyObject *capsule = PyCapsule_New(t, TABLE_CAPSULE, table_free);
    if (!capsule)
        goto fail;
    return capsule;
nomem:
    PyErr_NoMemory();
fail:
    PyMem_Free(t->slots);
    PyMem_Free(t->keys);
    PyMem_Free(t);
    return NULL;
}

/* the value of key[0:n], whose fnv1a is h, in the table, or -1 */
static int64_t
table_get_hashed(const Table *t, const char *key, Py_ssize_t n, uint64_t h)
{
    for (size_t slot = (size_t)h & t->mask; t->slots[slot].len >= 0; slot = (slot + 1) & t->mask) {
        const TermSlot *s = &t->slots[slot];
        if (s->hash == (uint32_t)h && s->len == n && memcmp(t->keys + s->offset, key, (size_t)n) == 0)
            return s->value;
    }
    return -1;
}
/* The word before a text's next one: its bytes are pair->data[0:previous] (-1: none yet), its fnv1a
 * previous_hash. Carried from one part of a document to the next. first and last: the span of the
 * first word range_terms met (-1: none yet), the only one a pair from the part before can reach. */
typedef struct {
    Py_ssize_t previous;
    uint64_t previous_hash;
    Py_ssize_t first, last;
} Chain;

#define NEW_CHAIN ((Chain){-1, FNV_BASIS, -1, -1})

/* The ids of the words (when words is 1) and pairs of text[from:to] found in the table, appended to
 * ids in terms()' order, the first pair made with chain's word; pair is the caller's scratch buffer.
 * 0, or -1 with an exception set. */
static int
range_terms(PyObject *text, Py_ssize_t from, Py_ssize_t to, const Table *t, Ids *ids, Buf *pair, Chain *chain,
            int words)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = to, at = from, start, previous = chain->previous;
    uint64_t previous_hash = chain->previous_hash;
    while (next_word(kind, data, length, &at, &start)) {
        if (at - start < 2)
            continue;
        if (chain->first < 0) {
            chain->first = start;
            chain->last = at;
        }
        /* the word's bytes go after the previous word's and a space: [previous ' '] word */
        Py_ssize_t word_at = previous >= 0 ? previous + 1 : 0;
        if (at - start > (PY_SSIZE_T_MAX - word_at) / 4 || buf_reserve(pair, word_at + 4 * (at - start)) < 0) {
            if (!PyErr_Occurred())
                PyErr_NoMemory();
            return -1;
        }
        if (previous >= 0)
            pair->data[previous] = ' ';
        Py_ssize_t end = word_at;
        for (Py_ssize_t k = start; k < at; k++)
            end += utf8(PyUnicode_READ(kind, data, k), pair->data + end);
        /* the word's fnv1a and the pair's, the pair's carried on from the previous word's and the
         * space: two independent chains of multiplies in one loop, not the pair's bytes again */
        uint64_t h_word = FNV_BASIS, h_pair = (previous_hash ^ (unsigned char)' ') * FNV_PRIME;
        for (Py_ssize_t k = word_at; k < end; k++) {
            h_word = (h_word ^ (unsigned char)pair->data[k]) * FNV_PRIME;
            h_pair = (h_pair ^ (unsigned char)pair->data[k]) * FNV_PRIME;
        }
        int64_t v = words ? table_get_hashed(t, pair->data + word_at, end - word_at, h_word) : -1;
        if (v >= 0 && push(ids, v) < 0)
            return -1;
        if (previous >= 0) {
            v = table_get_hashed(t, pair->data, end, h_pair);
            if (v >= 0 && push(ids, v) < 0)
                return -1;
            memmove(pair->data, pair->data + word_at, (size_t)(end - word_at)); /* now the previous word */
        }
        previous = end - word_at;
        previous_hash = h_word;
    }
    chain->previous = previous;
    chain->previous_hash = previous_hash;
    return 0;
}

/* The ids of one text's words and pairs found in the table, appended to ids in terms()' order. */
static int
text_terms(PyObject *text, const Table *t, Ids *ids, Buf *pair)
{
    Chain chain = NEW_CHAIN;
    return range_terms(text, 0, PyUnicode_GET_LENGTH(text), t, ids, pair, &chain, 1);
}

/* ---- a page's repeated document ends, read once per call ----
 *
 * A block's content document is its text, a space, then its tag and class/id tokens (its "end"),
 * which blocks of one container share. An end's own words and pairs are found once per call and
 * kept (Ends); each document adds them to its text's, with the one pair that joins the text's last
 * word to the end's first. The terms are a document's as text_terms finds them whole: words are
 * runs of word characters, which the space between the parts ends. */
typedef struct {
    PyObject *seen; /* end (str) -> its index */
    Ids ids;        /* the ends' terms, one after another */
    Ids at;         /* per end: its first term in ids, its terms, and its first word's span (-1: none) */
} Ends;

/* The index of the end's entry in ends->at (4 items each), made when first met; -1 with an error */
static Py_ssize_t
end_entry(Ends *ends, PyObject *end, const Table *t, Buf *pair)
{
    PyObject *found = PyDict_GetItemWithError(ends->seen, end);
    if (found)
        return PyLong_AsSsize_t(found);
    if (PyErr_Occurred())
        return -1;
    Py_ssize_t entry = ends->at.len / 4, before = ends->ids.len;
    Chain chain = NEW_CHAIN;
    if (range_terms(end, 0, PyUnicode_GET_LENGTH(end), t, &ends->ids, pair, &chain, 1) < 0)
        return -1;
    if (push(&ends->at, before) < 0 || push(&ends->at, ends->ids.len - before) < 0 || push(&ends->at, chain.first) < 0
        || push(&ends->at, chain.last) < 0)
        return -1;
    PyObject *index = PyLong_FromSsize_t(entry);
    if (!index)
        return -1;
    int failed = PyDict_SetItem(ends->seen, end, index);
    Py_DECREF(index);
    return failed < 0 ? -1 : entry;
}

/* The terms of the document text + " " + end, as text_terms finds them, appended to ids */
static int
document_terms(PyObject *text, PyObject *end, const Table *t, Ids *ids, Buf *pair, Ends *ends)
{
    /* the end's entry first: making one reads the end through pair, which then holds the text's last word */
    Py_ssize_t entry = end_entry(ends, end, t, pair);
    if (entry < 0)
        return -1;
    Chain chain = NEW_CHAIN;
    if (range_terms(text, 0, PyUnicode_GET_LENGTH(text), t, ids, pair, &chain, 1) < 0)
        return -1;
    const int64_t *e = ends->at.items + 4 * entry;
    /* the pair joining the text's last word to the end's first: pairs only, from the chain */
    if (e[2] >= 0 && chain.previous >= 0 && range_terms(end, e[2], e[3], t, ids, pair, &chain, 0) < 0)
        return -1;
    for (Py_ssize_t k = 0; k < e[1]; k++)
        if (push(ids, ends->ids.items[e[0] + k]) < 0)
            return -1;
    return 0;
}

/* ids[0:n] in ascending order: Shell sort with Ciura's gaps, no call per comparison as qsort's,
 * and no quadratic worst case a page could choose */
static void
sort_ids(int64_t *ids, Py_ssize_t n)
{
    static const Py_ssize_t gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        Py_ssize_t gap = gaps[g];
        for (Py_ssize_t i = gap; i < n; i++) {
            int64_t v = ids[i];
            Py_ssize_t j = i;
            for (; j >= gap && ids[j - gap] > v; j -= gap)
                ids[j] = ids[j - gap];
            ids[j] = v;
        }
    }
}

/* obj as a C-contiguous float64 array of ndim dimensions; 0, or -1 with TypeError set */
static int
float_view(PyObject *obj, Py_buffer *view, const char *name, int ndim)
{
    if (typed_view(obj, view, name, 8, "d", 0) < 0)
        return -1;
    if (view->ndim != ndim) {
        PyErr_Format(PyExc_TypeError, "%s: a C-contiguous %d-D float64 array expected", name, ndim);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* decide(texts, table, idf, coef, intercept, logs[, ends]) -> float64 bytes (texts, classes), or None
 *
 * With ends (a list of str as long as texts), each document is texts[i] + " " + ends[i], each
 * distinct end read once (document_terms).
 *
 * WordModel.decision_function in one pass, its additions in its order: each text's terms (as
 * terms() finds them) sorted by column and counted; weight (1 + logs[count - 1]) * idf[column]
 * (logs[k] is numpy's log(k + 1): the same values numpy's log gives the counts); the weights
 * divided by the square root of the sum of their squares; per class 0.0 plus coef[c, column] *
 * weight, column after column, plus intercept[c]. None when a count is past logs: the caller's
 * numpy path then decides. */
static PyObject *
decide(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *list, *capsule, *objs[4], *end_list = Py_None;
    if (!PyArg_ParseTuple(args, "O!OOOOO|O", &PyList_Type, &list, &capsule, &objs[0], &objs[1], &objs[2], &objs[3],
                          &end_list))
        return NULL;
    const Table *t = PyCapsule_GetPointer(capsule, TABLE_CAPSULE);
    if (!t)
        return NULL;
    static const char *names[4] = {"idf", "coef", "intercept", "logs"};
    static const int dims[4] = {1, 2, 1, 1};
    Py_buffer b[4];
    int got = 0;
    PyObject *texts = NULL, *out = NULL, *result = NULL, *end_tuple = NULL;
    Ends ends = {NULL, {NULL, 0, 0}, {NULL, 0, 0}};
    Ids ids = {NULL, 0, 0};
    Buf pair = {NULL, 0, 0};
    double *weight = NULL;
    for (; got < 4; got++)
        if (float_view(objs[got], &b[got], names[got], dims[got]) < 0)
            goto done;
    const double *idf = b[0].buf, *coef = b[1].buf, *intercept = b[2].buf, *logs = b[3].buf;
    Py_ssize_t n_terms = b[0].shape[0], k = b[2].shape[0], n_logs = b[3].shape[0];
    if (b[1].shape[0] != k || b[1].shape[1] != n_terms || k < 1) {
        PyErr_SetString(PyExc_ValueError, "coef must be (classes, terms), as intercept and idf say");
        goto done;
    }
    texts = PyList_AsTuple(list);
    if (!texts)
        goto done;
    Py_ssize_t n = PyTuple_GET_SIZE(texts);
    if (end_list != Py_None) {
        if (!PyList_Check(end_list) || PyList_GET_SIZE(end_list) != n) {
            PyErr_SetString(PyExc_ValueError, "ends must be a list as long as texts");
            goto done;
        }
        end_tuple = PyList_AsTuple(end_list);
        ends.seen = end_tuple ? PyDict_New() : NULL;
        if (!ends.seen)
            goto done;
    }
    if (k > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(double) / (n ? n : 1)) {
        PyErr_NoMemory();
        goto done;
    }
    out = PyBytes_FromStringAndSize(NULL, n * k * (Py_ssize_t)sizeof(double));
    if (!out)
        goto done;
    double *scores = (double *)PyBytes_AS_STRING(out);
    Py_ssize_t cap_weight = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = text_at(texts, i);
        if (!text)
            goto done;
        ids.len = 0;
        if (end_tuple) {
            PyObject *end = text_at(end_tuple, i);
            if (!end || document_terms(text, end, t, &ids, &pair, &ends) < 0)
                goto done;
        } else if (text_terms(text, t, &ids, &pair) < 0)
            goto done;
        sort_ids(ids.items, ids.len);
        if (ids.len > cap_weight) {
            double *w = PyMem_Realloc(weight, (size_t)ids.len * sizeof(double));
            if (!w) {
                PyErr_NoMemory();
                goto done;
            }
            weight = w;
            cap_weight = ids.len;
        }
        /* the distinct columns in order, weight[u] for the u-th; ids.items[u] becomes its column */
        Py_ssize_t u = 0;
        double norm = 0.0;
        for (Py_ssize_t j = 0; j < ids.len;) {
            int64_t col = ids.items[j];
            Py_ssize_t count = 0;
            while (j < ids.len && ids.items[j] == col)
                j++, count++;
            if (col < 0 || col >= n_terms) {
                PyErr_SetString(PyExc_ValueError, "a term's column is past the model's terms");
                goto done;
            }
            if (count > n_logs) { /* a count the table does not hold: numpy decides */
                result = Py_None;
                Py_INCREF(result);
                goto done;
            }
            double w = (1.0 + logs[count - 1]) * idf[col];
            norm += w * w;
            weight[u] = w;
            ids.items[u++] = col;
        }
        norm = sqrt(norm);
        for (Py_ssize_t c = 0; c < k; c++) {
            double acc = 0.0;
            const double *row = coef + c * n_terms;
            for (Py_ssize_t j = 0; j < u; j++)
                acc += row[ids.items[j]] * (weight[j] / norm);
            scores[i * k + c] = acc + intercept[c];
        }
    }
    result = out;
    out = NULL;
done:
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&b[i]);
    Py_XDECREF(texts);
    Py_XDECREF(out);
    Py_XDECREF(end_tuple);
    Py_XDECREF(ends.seen);
    PyMem_Free(ends.ids.items);
    PyMem_Free(ends.at.items);
    PyMem_Free(ids.items);
    PyMem_Free(pair.data);
    PyMem_Free(weight);
    return result;
}

static PyObject *
terms(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *list, *capsule;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &list, &capsule))
        return NULL;
    if (!PyCapsule_CheckExact(capsule)) {
        PyErr_SetString(PyExc_TypeError, "terms() reads a compiled index (compile_index)");
        return NULL;
    }
    const Table *t = PyCapsule_GetPointer(capsule, TABLE_CAPSULE);
    if (!t)
        return NULL;
    PyObject *texts = PyList_AsTuple(list); /* our own: nothing run while scanning can change it */
    if (!texts)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(texts);
    Ids ids = {NULL, 0, 0};
    Buf pair = {NULL, 0, 0};
    PyObject *result = NULL, *found = NULL;
    PyObject *counts = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int64_t));
    if (!counts)
        goto done;
    int64_t *count = (int64_t *)PyBytes_AS_STRING(counts);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = text_at(texts, i);
        Py_ssize_t before = ids.len;
        if (!text || text_terms(text, t, &ids, &pair) < 0)
            goto done;
        count[i] = (int64_t)(ids.len - before);
    }
    found = PyBytes_FromStringAndSize((const char *)ids.items, ids.len * (Py_ssize_t)sizeof(int64_t));
    if (found)
        result = Py_BuildValue("(OO)", found, counts);
done:
    Py_XDECREF(found);
    Py_XDECREF(counts);
    Py_DECREF(texts);
    PyMem_Free(ids.items);
    PyMem_Free(pair.data);
    return result;
}

static PyMethodDef methods[] = {
    {"terms", terms, METH_VARARGS,
     "terms(texts, index) -> (ids, counts): the words and word pairs found (index: compile_index's), as int64 bytes"},
    {"decide", decide, METH_VARARGS,
     "decide(texts, table, idf, coef, intercept, logs[, ends]) -> float64 bytes (texts, classes): the word model's "
     "decision values (of texts[i] + ' ' + ends[i] with ends)"},
    {"compile_index", compile_index, METH_VARARGS, "compile_index(index) -> a table terms() reads without making a str per word"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_terms", "The word models' term lookup and scores in C.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__terms(void)
{
    scan_init();
    return PyModule_Create(&module);
}
