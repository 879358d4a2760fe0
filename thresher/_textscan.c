/* The decoder's scan of a page's UTF-8 for characters no page can mean, in C.
 *
 * scan(data) -> flags, data the UTF-8 of a page's text (bytes-like):
 *   1: a C0 control that clean_characters drops or turns into a line break (all but \t \n \r),
 *   2: U+FFFE or U+FFFF (their UTF-8 is EF BF BE and EF BF BF, a sequence no other character's
 *      bytes hold),
 *   4: a control that decoding's _control_share counts (as 1, but for \f).
 * One pass, 16 bytes at a time, finds whether any such control or any 0xEF is there at all (most
 * pages hold neither); only then are those bytes read one by one. decoding.py's
 * translate and "in" checks are the reference (tests/test_decoding.py holds them equal).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define NOT_TEXT 1
#define NONCHARACTER 2
#define CONTROL 4

/* 16 bytes at a time (GCC and Clang vector extensions, any target): a byte below 0x20 that is not
 * tab, newline or return, and a 0xEF, or'ed into acc_bad and acc_ef */
typedef unsigned char v16 __attribute__((vector_size(16)));

static int
any_lane(v16 v)
{
    uint64_t a, b;
    memcpy(&a, &v, 8);
    memcpy(&b, (const char *)&v + 8, 8);
    return (a | b) != 0;
}

static PyObject *
scan(PyObject *self, PyObject *arg)
{
    (void)self;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_C_CONTIGUOUS) < 0)
        return NULL;
    const unsigned char *p = view.buf;
    Py_ssize_t n = view.len, i = 0;
    v16 acc_bad = {0}, acc_ef = {0};
    for (; i + 16 <= n; i += 16) {
        v16 x;
        memcpy(&x, p + i, 16);
        acc_bad |= (v16)(x < 0x20) & ~(v16)((x == '\t') | (x == '\n') | (x == '\r'));
        acc_ef |= (v16)(x == 0xEF);
    }
    int bad = any_lane(acc_bad), ef = any_lane(acc_ef);
    for (; i < n; i++) {
        bad |= p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r';
        ef |= p[i] == 0xEF;
    }
    long flags = 0;
    if (bad) /* rare: which controls */
        for (i = 0; i < n; i++) {
            unsigned char c = p[i];
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                flags |= NOT_TEXT;
                if (c != '\f')
                    flags |= CONTROL;
            }
        }
    if (ef)
        for (const unsigned char *at = p; (at = memchr(at, 0xEF, (size_t)(p + n - at))) != NULL; at++)
            if (p + n - at >= 3 && at[1] == 0xBF && (at[2] == 0xBE || at[2] == 0xBF)) {
                flags |= NONCHARACTER;
                break;
            }
    PyBuffer_Release(&view);
    return PyLong_FromLong(flags);
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_O, "scan(data) -> flags: 1 a C0 control but tab, newline, return; 2 U+FFFE or U+FFFF; 4 as 1, but for form feed"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_textscan", "The decoder's scan for characters no page can mean.", -1, methods, NULL, NULL,
    NULL, NULL,
};

PyMODINIT_FUNC
PyInit__textscan(void)
{
    return PyModule_Create(&module);
}
