/* The boosted trees' walk in C: each (tree, row) pair goes down its tree to a leaf.
 *
 * walk(feature, threshold, child, missing_left, roots, tree_depth, X, out) fills out[t, r]
 * with the leaf node that row r of X reaches in tree t, exactly as TreeEnsemble's numpy walk
 * does (thresher/tree_ensemble.py): right when x > threshold, a NaN where missing_left says,
 * at most tree_depth[t] steps, a leaf being a node that reads the column past X's last.
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

static PyObject *
walk(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *objs[8];
    if (!PyArg_ParseTuple(args, "OOOOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &objs[6], &objs[7]))
        return NULL;
    static const char *names[8] = {"feature", "threshold", "child", "missing_left", "roots", "tree_depth", "X",
                                   "out"};
    static const Py_ssize_t sizes[8] = {4, 8, 4, 1, 4, 4, 8, 4};
    static const char *formats[8] = {"il", "d", "il", "?Bb", "il", "il", "d", "il"};
    Py_buffer b[8];
    int got = 0;
    for (; got < 8; got++)
        if (view(objs[got], &b[got], names[got], sizes[got], formats[got], got == 7) < 0)
            goto fail;

    const int32_t *feature = b[0].buf, *child = b[2].buf, *roots = b[4].buf, *depth = b[5].buf;
    const double *threshold = b[1].buf, *X = b[6].buf;
    const uint8_t *missing_left = b[3].buf;
    int32_t *out = b[7].buf;
    Py_ssize_t n_nodes = b[0].len / 4, n_trees = b[4].len / 4;
    if (b[1].len / 8 != n_nodes || b[2].len / 4 != n_nodes || b[3].len != n_nodes || b[5].len / 4 != n_trees) {
        PyErr_SetString(PyExc_ValueError, "node or tree arrays differ in length");
        goto fail;
    }
    if (b[6].ndim != 2 || b[7].ndim != 2 || b[7].shape[0] != n_trees || b[7].shape[1] != b[6].shape[0]) {
        PyErr_SetString(PyExc_ValueError, "X must be (rows, columns) and out (trees, rows)");
        goto fail;
    }
    Py_ssize_t n_rows = b[6].shape[0], n_columns = b[6].shape[1];
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t t = 0; t < n_trees && !bad; t++) {
        int32_t root = roots[t], steps = depth[t];
        if (root < 0 || root >= n_nodes) {
            bad = 1;
            break;
        }
        int32_t *leaf = out + t * n_rows;
        /* LANES rows go down together, one level at a time: their steps do not wait on each other,
         * and each side is chosen without a branch (a mispredicted one cost more than the step) */
        for (Py_ssize_t r0 = 0; r0 < n_rows && !bad; r0 += LANES) {
            int lanes = n_rows - r0 < LANES ? (int)(n_rows - r0) : LANES;
            int32_t node[LANES];
            const double *x[LANES], zero = 0.0;
            for (int k = 0; k < lanes; k++) {
                node[k] = root;
                x[k] = X + (r0 + k) * n_columns;
            }
            for (int32_t s = 0; s < steps && !bad; s++) {
                int moving = 0;
                for (int k = 0; k < lanes; k++) {
                    int32_t nd = node[k], f = feature[nd], c = child[nd];
                    /* a leaf reads the column past X's last and is its own child: it stays */
                    int leaf = f >= n_columns && c == nd;
                    bad |= !leaf && (f < 0 || f >= n_columns); /* a split reading a column X lacks */
                    const double *at = leaf || f < 0 || f >= n_columns ? &zero : x[k] + f; /* never past X */
                    double v = *at;
                    int right = !leaf && ((v > threshold[nd]) | (isnan(v) & !missing_left[nd]));
                    int64_t next = (int64_t)c + right;
                    bad |= next < 0 || next >= n_nodes;
                    node[k] = bad ? nd : (int32_t)next;
                    moving |= !leaf;
                }
                if (!moving)
                    break; /* every lane is at its leaf */
            }
            for (int k = 0; k < lanes; k++)
                leaf[r0 + k] = node[k];
        }
    }
    Py_END_ALLOW_THREADS
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "a tree index is out of range, or a split reads a column X lacks");
        goto fail;
    }
    for (int i = 0; i < 8; i++)
        PyBuffer_Release(&b[i]);
    Py_RETURN_NONE;

fail:
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&b[i]);
    return NULL;
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_VARARGS,
     "walk(feature, threshold, child, missing_left, roots, tree_depth, X, out): each tree's leaf per row"},
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
