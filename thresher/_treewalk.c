/* The boosted trees' walk in C: each (tree, row) pair goes down its tree to a leaf, and the
 * leaves' values are summed.
 *
 * walk_sum(feature, threshold, child, missing_left, roots, tree_depth, X, value, baseline, out)
 * fills out[r, c] with baseline[c] plus the leaf values of trees c, c + k, c + 2k... (k outputs)
 * added one by one in tree order, as TreeEnsemble._raw_rows' numpy path adds them. Each row goes
 * down a tree as the numpy walk takes it (thresher/tree_ensemble.py): right when x > threshold, a
 * NaN where missing_left says, at most tree_depth[t] steps, a leaf being a node that reads the
 * column past X's last.
 * Every index is checked against its array, so no array, however wrong, reads out of bounds.
 * The GIL is released while walking: threads labeling pages run their walks side by side.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define LANES 8 /* rows walked side by side */

static int
view(PyObject *obj, Py_buffer *buf, const char *name, Py_ssize_t itemsize, const char *formats, int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, buf, flags) < 0)
        return -1;
    const char *format = buf->format ? buf->format : "B";
    if (format[0] == '<' || format[0] == '=' || format[0] == '@')
        format++;
    if (buf->itemsize != itemsize || strlen(format) != 1 || !strchr(formats, format[0])) {
        PyErr_Format(PyExc_TypeError, "%s: expected items of %zd bytes (%s), got format %s",
                     name, itemsize, formats, buf->format ? buf->format : "B");
        PyBuffer_Release(buf);
        return -1;
    }
    return 0;
}

/* The arrays of a call, viewed and checked: node arrays of one length, X (rows, columns). */
typedef struct {
    Py_buffer b[10];
    int got;
    const int32_t *feature, *child, *roots, *depth;
    const double *threshold, *X;
    const uint8_t *missing_left;
    Py_ssize_t n_nodes, n_trees, n_rows, n_columns;
} Walk;

static void
release(Walk *w)
{
    for (int i = 0; i < w->got; i++)
        PyBuffer_Release(&w->b[i]);
}

static int
open_walk(Walk *w, PyObject **objs)
{
    static const char *names[7] = {"feature", "threshold", "child", "missing_left", "roots", "tree_depth", "X"};
    static const Py_ssize_t sizes[7] = {4, 8, 4, 1, 4, 4, 8};
    static const char *formats[7] = {"il", "d", "il", "?Bb", "il", "il", "d"};
    for (w->got = 0; w->got < 7; w->got++)
        if (view(objs[w->got], &w->b[w->got], names[w->got], sizes[w->got], formats[w->got], 0) < 0)
            return -1;
    w->feature = w->b[0].buf;
    w->threshold = w->b[1].buf;
    w->child = w->b[2].buf;
    w->missing_left = w->b[3].buf;
    w->roots = w->b[4].buf;
    w->depth = w->b[5].buf;
    w->X = w->b[6].buf;
    w->n_nodes = w->b[0].len / 4;
    w->n_trees = w->b[4].len / 4;
    if (w->b[1].len / 8 != w->n_nodes || w->b[2].len / 4 != w->n_nodes || w->b[3].len != w->n_nodes ||
        w->b[5].len / 4 != w->n_trees) {
        PyErr_SetString(PyExc_ValueError, "node or tree arrays differ in length");
        return -1;
    }
    if (w->b[6].ndim != 2) {
        PyErr_SetString(PyExc_ValueError, "X must be (rows, columns)");
        return -1;
    }
    w->n_rows = w->b[6].shape[0];
    w->n_columns = w->b[6].shape[1];
    return 0;
}

/* Tree t's leaf for every row, into leaf[0:n_rows]; 0, or 1 for an index out of range. */
static int
walk_tree(const Walk *w, Py_ssize_t t, int32_t *leaf)
{
    const int32_t *feature = w->feature, *child = w->child;
    const double *threshold = w->threshold;
    const uint8_t *missing_left = w->missing_left;
    Py_ssize_t n_nodes = w->n_nodes, n_rows = w->n_rows, n_columns = w->n_columns;
    int32_t root = w->roots[t], steps = w->depth[t];
    int bad = 0;
    if (root < 0 || root >= n_nodes)
        return 1;
    /* LANES rows go down together, one level at a time: their steps do not wait on each other,
     * and each side is chosen without a branch (a mispredicted one cost more than the step) */
    for (Py_ssize_t r0 = 0; r0 < n_rows && !bad; r0 += LANES) {
        int lanes = n_rows - r0 < LANES ? (int)(n_rows - r0) : LANES;
        int32_t node[LANES];
        const double *x[LANES], zero = 0.0;
        for (int k = 0; k < lanes; k++) {
            node[k] = root;
            x[k] = w->X + (r0 + k) * n_columns;
        }
        for (int32_t s = 0; s < steps && !bad; s++) {
            int moving = 0;
            for (int k = 0; k < lanes; k++) {
                int32_t nd = node[k], f = feature[nd], c = child[nd];
                /* a leaf reads the column past X's last and is its own child: it stays */
                int leaf_node = f >= n_columns && c == nd;
                bad |= !leaf_node && (f < 0 || f >= n_columns); /* a split reading a column X lacks */
                const double *at = leaf_node || f < 0 || f >= n_columns ? &zero : x[k] + f; /* never past X */
                double v = *at;
                int right = !leaf_node && ((v > threshold[nd]) | ((isnan(v) != 0) & !missing_left[nd]));
                int64_t next = (int64_t)c + right;
                bad |= next < 0 || next >= n_nodes;
                node[k] = bad ? nd : (int32_t)next;
                moving |= !leaf_node;
            }
            if (!moving)
                break; /* every lane is at its leaf */
        }
        for (int k = 0; k < lanes; k++)
            leaf[r0 + k] = node[k];
    }
    return bad;
}

/* The end of a call: its views released, then None, or the error of an index out of range */
static PyObject *
finish(Walk *w, int bad)
{
    release(w);
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "a tree index is out of range, or a split reads a column X lacks");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
walk_sum(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *objs[10];
    if (!PyArg_ParseTuple(args, "OOOOOOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5], &objs[6],
                          &objs[7], &objs[8], &objs[9]))
        return NULL;
    Walk w;
    memset(&w, 0, sizeof w);
    if (open_walk(&w, objs) < 0)
        goto fail;
    static const char *names[3] = {"value", "baseline", "out"};
    for (; w.got < 10; w.got++)
        if (view(objs[w.got], &w.b[w.got], names[w.got - 7], 8, "d", w.got == 9) < 0)
            goto fail;
    const double *value = w.b[7].buf, *baseline = w.b[8].buf;
    double *out = w.b[9].buf;
    Py_ssize_t k = w.b[8].len / 8;
    if (w.b[7].len / 8 != w.n_nodes || k < 1 || w.n_trees % k || w.b[9].ndim != 2 || w.b[9].shape[0] != w.n_rows ||
        w.b[9].shape[1] != k) {
        PyErr_SetString(PyExc_ValueError, "value, baseline (outputs) or out (rows, outputs) do not match the trees");
        goto fail;
    }
    int32_t *leaf = PyMem_Malloc((size_t)(w.n_rows ? w.n_rows : 1) * sizeof(int32_t));
    if (!leaf) {
        PyErr_NoMemory();
        goto fail;
    }
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < w.n_rows; r++)
        for (Py_ssize_t c = 0; c < k; c++)
            out[r * k + c] = baseline[c];
    for (Py_ssize_t t = 0; t < w.n_trees && !bad; t++) {
        bad = walk_tree(&w, t, leaf);
        Py_ssize_t c = t % k;
        for (Py_ssize_t r = 0; r < w.n_rows && !bad; r++)
            out[r * k + c] += value[leaf[r]]; /* leaf is a checked node index */
    }
    Py_END_ALLOW_THREADS
    PyMem_Free(leaf);
    return finish(&w, bad);
fail:
    release(&w);
    return NULL;
}

static PyMethodDef methods[] = {
    {"walk_sum", walk_sum, METH_VARARGS,
     "walk_sum(feature, threshold, child, missing_left, roots, tree_depth, X, value, baseline, out): baseline plus leaf values, per row and output"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_treewalk", "The boosted trees' walk in C.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__treewalk(void)
{
    return PyModule_Create(&module);
}
