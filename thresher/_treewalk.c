/* The boosted trees' walk in C: each (tree, row) pair goes down its tree to a leaf, and the
 * leaves' values are summed.
 *
 * pack(feature, threshold, child, missing_left, roots, tree_depth, value) checks a model's trees
 * once and copies them into a capsule of 16-byte nodes (a step reads one cache line, not four
 * arrays): a split node's column and NaN side, threshold and left child; a leaf is its own child
 * reading column 0 against +inf, so that every step is the same few operations.
 * walk_sum(packed, X, baseline, out) fills out[r, c] with baseline[c] plus the leaf values of trees
 * c, c + k, c + 2k... (k outputs) added one by one in tree order, as TreeEnsemble._raw_rows' numpy
 * path adds them. Each row goes down a tree as the numpy walk takes it (thresher/tree_ensemble.py):
 * right when x > threshold, a NaN where missing_left says, at most tree_depth[t] steps. Rows go in
 * groups of LANES, each group down every tree before the next (its rows stay in the cache).
 * pack refuses trees whose indices could leave their arrays or cycle, and walk_sum an X narrower
 * than the columns the splits read, so no array, however wrong, is read out of bounds.
 * The GIL is released while walking: threads labeling pages run their walks side by side.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "_buffer.h"

#define LANES 16 /* rows walked side by side (16 measured faster than 4, 8 or 32) */
#define NAN_RIGHT 0x80000000u /* a split's column word: this bit set sends a NaN right */
#define CAPSULE "thresher._treewalk.packed"

typedef struct {
    double threshold; /* go right when x > threshold (a leaf: +inf) */
    uint32_t column;  /* the column read, NAN_RIGHT or'ed in (a leaf: 0) */
    int32_t child;    /* the left child; the right one is child + 1 (a leaf: itself) */
} Node;

typedef struct {
    Node *nodes;
    int32_t *roots, *depth;
    double *value;
    Py_ssize_t n_nodes, n_trees, n_columns; /* n_columns: the columns the splits read */
} Packed;

static void
free_packed(Packed *p)
{
    if (!p)
        return;
    PyMem_Free(p->nodes);
    PyMem_Free(p->roots);
    PyMem_Free(p->depth);
    PyMem_Free(p->value);
    PyMem_Free(p);
}

static void
capsule_free(PyObject *capsule)
{
    free_packed(PyCapsule_GetPointer(capsule, CAPSULE));
}

/* The nodes checked and packed; NULL with an exception set when an index is out of range */
static Packed *
pack_views(Py_buffer *b)
{
    const int32_t *feature = b[0].buf, *child = b[2].buf, *roots = b[4].buf, *depth = b[5].buf;
    const double *threshold = b[1].buf, *value = b[6].buf;
    const uint8_t *missing_left = b[3].buf;
    Py_ssize_t n = b[0].len / 4, trees = b[4].len / 4;
    if (b[1].len / 8 != n || b[2].len / 4 != n || b[3].len != n || b[6].len / 8 != n || b[5].len / 4 != trees) {
        PyErr_SetString(PyExc_ValueError, "node or tree arrays differ in length");
        return NULL;
    }
    if (n > INT32_MAX - 2) {
        PyErr_SetString(PyExc_ValueError, "too many nodes");
        return NULL;
    }
    Packed *p = PyMem_Calloc(1, sizeof(Packed));
    if (!p)
        return (Packed *)PyErr_NoMemory();
    p->n_nodes = n;
    p->n_trees = trees;
    p->nodes = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Node));
    p->roots = PyMem_Malloc((size_t)(trees ? trees : 1) * sizeof(int32_t));
    p->depth = PyMem_Malloc((size_t)(trees ? trees : 1) * sizeof(int32_t));
    p->value = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(double));
    if (!p->nodes || !p->roots || !p->depth || !p->value) {
        free_packed(p);
        return (Packed *)PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Node *nd = &p->nodes[i];
        if (child[i] == i) { /* a leaf */
            nd->threshold = INFINITY;
            nd->column = 0;
            nd->child = (int32_t)i;
        } else if (child[i] > i && child[i] < n - 1 && feature[i] >= 0) {
            /* children after their parent, so no walk can cycle */
            nd->threshold = threshold[i];
            nd->column = (uint32_t)feature[i] | (missing_left[i] ? 0u : NAN_RIGHT);
            nd->child = child[i];
            if (feature[i] >= p->n_columns)
                p->n_columns = (Py_ssize_t)feature[i] + 1;
        } else {
            PyErr_SetString(PyExc_ValueError, "a node index is out of range");
            free_packed(p);
            return NULL;
        }
        p->value[i] = value[i];
    }
    for (Py_ssize_t t = 0; t < trees; t++) {
        if (roots[t] < 0 || roots[t] >= n || depth[t] < 0) {
            PyErr_SetString(PyExc_ValueError, "a root index or tree depth is out of range");
            free_packed(p);
            return NULL;
        }
        p->roots[t] = roots[t];
        p->depth[t] = depth[t];
    }
    return p;
}

static PyObject *
pack(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *objs[7];
    if (!PyArg_ParseTuple(args, "OOOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5], &objs[6]))
        return NULL;
    static const char *names[7] = {"feature", "threshold", "child", "missing_left", "roots", "tree_depth", "value"};
    static const Py_ssize_t sizes[7] = {4, 8, 4, 1, 4, 4, 8};
    static const char *formats[7] = {"il", "d", "il", "?Bb", "il", "il", "d"};
    Py_buffer b[7];
    int got = 0;
    Packed *p = NULL;
    for (; got < 7; got++)
        if (typed_view(objs[got], &b[got], names[got], sizes[got], formats[got], 0) < 0)
            break;
    if (got == 7)
        p = pack_views(b);
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&b[i]);
    if (!p)
        return NULL;
    PyObject *capsule = PyCapsule_New(p, CAPSULE, capsule_free);
    if (!capsule)
        free_packed(p);
    return capsule;
}

/* Rows r0..r0+lanes-1 down every tree in order, each tree's leaf value added to their sums as it is
 * reached (X: rows of `stride` doubles, at least p->n_columns of them; out: rows of k sums) */
static inline __attribute__((always_inline)) void
walk_rows_impl(const Packed *p, const double *X, Py_ssize_t r0, int lanes, Py_ssize_t stride, double *out,
               Py_ssize_t k, int may_nan)
{
    const Node *nodes = p->nodes;
    const double *x[LANES];
    for (int j = 0; j < lanes; j++)
        x[j] = X + (r0 + j) * stride;
    for (Py_ssize_t t = 0; t < p->n_trees; t++) {
        int32_t root = p->roots[t], steps = p->depth[t];
        int32_t node[LANES];
        for (int j = 0; j < lanes; j++)
            node[j] = root;
        /* the lanes go down together, one level at a time: their steps do not wait on each other,
         * and each side is chosen without a branch (a mispredicted one cost more than the step) */
        for (int32_t s = 0; s < steps; s++) {
            int moving = 0;
            for (int j = 0; j < lanes; j++) {
                const Node *nd = &nodes[node[j]];
                uint32_t column = nd->column;
                double v = x[j][column & ~NAN_RIGHT];
                int right = may_nan ? (v > nd->threshold) | ((isnan(v) != 0) & (int)(column >> 31)) : v > nd->threshold;
                int32_t next = nd->child + right; /* a leaf: itself */
                moving |= next != node[j];
                node[j] = next;
            }
            if (!moving)
                break; /* every lane is at its leaf */
        }
        Py_ssize_t c = t % k;
        for (int j = 0; j < lanes; j++)
            out[(r0 + j) * k + c] += p->value[node[j]]; /* a node reached through checked children */
    }
}

/* walk_rows_impl for an X that may hold NaN, and for one that holds none (no NaN test a step) */
static void
walk_rows(const Packed *p, const double *X, Py_ssize_t r0, int lanes, Py_ssize_t stride, double *out, Py_ssize_t k)
{
    walk_rows_impl(p, X, r0, lanes, stride, out, k, 1);
}

static void
walk_rows_finite(const Packed *p, const double *X, Py_ssize_t r0, int lanes, Py_ssize_t stride, double *out,
                 Py_ssize_t k)
{
    if (lanes == LANES) /* a full group: the lane loops of a known length */
        walk_rows_impl(p, X, r0, LANES, stride, out, k, 0);
    else
        walk_rows_impl(p, X, r0, lanes, stride, out, k, 0);
}

static PyObject *
walk_sum(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *capsule, *objs[3], *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOO", &capsule, &objs[0], &objs[1], &objs[2]))
        return NULL;
    const Packed *p = PyCapsule_GetPointer(capsule, CAPSULE);
    if (!p)
        return NULL;
    static const char *names[3] = {"X", "baseline", "out"};
    Py_buffer b[3];
    int got = 0;
    for (; got < 3; got++)
        if (typed_view(objs[got], &b[got], names[got], 8, "d", got == 2) < 0)
            goto done;
    if (b[0].ndim != 2) {
        PyErr_SetString(PyExc_ValueError, "X must be (rows, columns)");
        goto done;
    }
    Py_ssize_t n_rows = b[0].shape[0], n_columns = b[0].shape[1], k = b[1].len / 8;
    if (n_columns < p->n_columns) {
        PyErr_SetString(PyExc_ValueError, "a split reads a column X lacks");
        goto done;
    }
    if (k < 1 || p->n_trees % k || b[2].ndim != 2 || b[2].shape[0] != n_rows || b[2].shape[1] != k) {
        PyErr_SetString(PyExc_ValueError, "baseline (outputs) or out (rows, outputs) do not match the trees");
        goto done;
    }
    const double *X = b[0].buf, *baseline = b[1].buf;
    double *out = b[2].buf;
    static const double zero = 0.0;
    Py_ssize_t stride = n_columns;
    if (n_columns == 0) { /* trees of leaves only read column 0: a zero row stands for each */
        X = &zero;
        stride = 0;
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < n_rows; r++)
        for (Py_ssize_t c = 0; c < k; c++)
            out[r * k + c] = baseline[c];
    int any_nan = 0;
    for (Py_ssize_t i = 0; i < n_rows * stride; i++)
        any_nan |= isnan(X[i]) != 0;
    for (Py_ssize_t r0 = 0; r0 < n_rows; r0 += LANES)
        (any_nan ? walk_rows : walk_rows_finite)(p, X, r0, n_rows - r0 < LANES ? (int)(n_rows - r0) : LANES, stride,
                                                 out, k);
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&b[i]);
    return result;
}

/* out[i] = 1 / (1 + exp(-x[i])), libm's exp, as tree_ensemble.expit computes it with math.exp (which
 * calls the same exp; its OverflowError is the inf this gives, and 1 / (1 + inf) is expit's 0) */
static PyObject *
expit(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *objs[2], *result = NULL;
    if (!PyArg_ParseTuple(args, "OO", &objs[0], &objs[1]))
        return NULL;
    static const char *names[2] = {"x", "out"};
    Py_buffer b[2];
    int got = 0;
    for (; got < 2; got++)
        if (typed_view(objs[got], &b[got], names[got], 8, "d", got == 1) < 0)
            goto done;
    if (b[0].len != b[1].len) {
        PyErr_SetString(PyExc_ValueError, "x and out differ in length");
        goto done;
    }
    const double *x = b[0].buf;
    double *out = b[1].buf;
    for (Py_ssize_t i = 0; i < b[0].len / 8; i++)
        out[i] = 1.0 / (1.0 + exp(-x[i]));
    result = Py_NewRef(Py_None);
done:
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&b[i]);
    return result;
}

static PyMethodDef methods[] = {
    {"pack", pack, METH_VARARGS,
     "pack(feature, threshold, child, missing_left, roots, tree_depth, value): the trees, checked, as walk_sum reads them"},
    {"walk_sum", walk_sum, METH_VARARGS,
     "walk_sum(packed, X, baseline, out): baseline plus leaf values, per row and output"},
    {"expit", expit, METH_VARARGS, "expit(x, out): out = 1 / (1 + exp(-x)), with libm's exp (math.exp's)"},
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
