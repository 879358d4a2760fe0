/* The word models' term lookup in C: each text's words and word pairs found in a vocabulary.
 *
 * terms(texts, index) -> (ids, counts): for each text of the list (already lower-cased), its
 * words are the runs of two or more word characters (what the regex (?u)\b\w\w+\b finds: a
 * word character is one Python's re counts as \w, alphanumeric or '_'), its pairs two
 * consecutive words joined by a space, as TfidfVectorizer makes them. ids (bytes of int64)
 * holds, text after text, the index value of each word and pair found in index; counts (bytes
 * of int64) how many of them each text has. Words and pairs not in index (or mapped to a
 * negative value) are skipped; a value that is not an int raises TypeError.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    int64_t *items;
    Py_ssize_t len, cap;
} Ids;

static int
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

/* 1 if key is in index (its value appended to ids), 0 if not, -1 on error */
static int
look_up(PyObject *index, PyObject *key, Ids *ids)
{
    PyObject *value = PyDict_GetItemWithError(index, key); /* borrowed */
    if (!value)
        return PyErr_Occurred() ? -1 : 0;
    if (!PyLong_CheckExact(value)) { /* no __index__ to run: Python code could change the texts */
        PyErr_SetString(PyExc_TypeError, "index values must be ints");
        return -1;
    }
    long long v = PyLong_AsLongLong(value);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < 0) /* not a column: missing, as the Python lookup has it */
        return 0;
    return push(ids, (int64_t)v) < 0 ? -1 : 1;
}

static PyObject *
pair(PyObject *a, PyObject *b)
{
    Py_ssize_t la = PyUnicode_GET_LENGTH(a), lb = PyUnicode_GET_LENGTH(b);
    Py_UCS4 ma = PyUnicode_MAX_CHAR_VALUE(a), mb = PyUnicode_MAX_CHAR_VALUE(b);
    PyObject *out = PyUnicode_New(la + 1 + lb, ma > mb ? ma : mb);
    if (!out)
        return NULL;
    if (PyUnicode_CopyCharacters(out, 0, a, 0, la) < 0 || PyUnicode_WriteChar(out, la, ' ') < 0
        || PyUnicode_CopyCharacters(out, la + 1, b, 0, lb) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

#define IS_WORD(ch) (Py_UNICODE_ISALNUM(ch) || (ch) == '_')

static PyObject *
terms(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *list, *index;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &list, &PyDict_Type, &index))
        return NULL;
    /* a tuple of our own: a key's __eq__ run by a lookup cannot change or free the texts walked */
    PyObject *texts = PyList_AsTuple(list);
    if (!texts)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(texts);
    PyObject *counts = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int64_t));
    if (!counts) {
        Py_DECREF(texts);
        return NULL;
    }
    int64_t *count = (int64_t *)PyBytes_AS_STRING(counts);
    Ids ids = {NULL, 0, 0};
    PyObject *previous = NULL, *word = NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyTuple_GET_ITEM(texts, i);
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "texts[%zd] is not a str", i);
            goto fail;
        }
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t length = PyUnicode_GET_LENGTH(text), at = 0, before = ids.len;
        while (at < length) {
            while (at < length && !IS_WORD(PyUnicode_READ(kind, data, at)))
                at++;
            Py_ssize_t start = at;
            while (at < length && IS_WORD(PyUnicode_READ(kind, data, at)))
                at++;
            if (at - start < 2)
                continue;
            word = PyUnicode_Substring(text, start, at);
            if (!word || look_up(index, word, &ids) < 0)
                goto fail;
            if (previous) {
                PyObject *both = pair(previous, word);
                int found = both ? look_up(index, both, &ids) : -1;
                Py_XDECREF(both);
                if (found < 0)
                    goto fail;
                Py_DECREF(previous);
            }
            previous = word;
            word = NULL;
        }
        Py_CLEAR(previous);
        count[i] = (int64_t)(ids.len - before);
    }
    Py_DECREF(texts);
    PyObject *found = PyBytes_FromStringAndSize((const char *)ids.items, ids.len * (Py_ssize_t)sizeof(int64_t));
    PyMem_Free(ids.items);
    if (!found) {
        Py_DECREF(counts);
        return NULL;
    }
    return Py_BuildValue("(NN)", found, counts);

fail:
    Py_XDECREF(word);
    Py_XDECREF(previous);
    PyMem_Free(ids.items);
    Py_DECREF(counts);
    Py_DECREF(texts);
    return NULL;
}

static PyMethodDef methods[] = {
    {"terms", terms, METH_VARARGS, "terms(texts, index) -> (ids, counts): the words and word pairs found, as int64 bytes"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_terms", "The word models' term lookup in C.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__terms(void)
{
    return PyModule_Create(&module);
}
