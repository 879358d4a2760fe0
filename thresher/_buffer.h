/* What Thresher's C extensions share: a growable byte buffer, the FNV-1a hash of bytes, and a typed
 * view of an array argument. */
#ifndef THRESHER_BUFFER_H
#define THRESHER_BUFFER_H

#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    char *data;
    Py_ssize_t len, cap;
} Buf;

/* Room for need bytes and a terminating NUL; 0, or -1 with MemoryError set */
static inline int
buf_reserve(Buf *b, Py_ssize_t need)
{
    if (need < 0 || need > PY_SSIZE_T_MAX - 1) {
        PyErr_NoMemory();
        return -1;
    }
    if (need + 1 <= b->cap)
        return 0;
    Py_ssize_t cap = b->cap ? b->cap : 256;
    while (cap < need + 1)
        cap = cap > PY_SSIZE_T_MAX / 2 ? need + 1 : cap * 2;
    char *data = PyMem_Realloc(b->data, (size_t)cap);
    if (!data) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

/* s[0:n] appended, NUL-terminated */
static inline int
buf_put(Buf *b, const char *s, Py_ssize_t n)
{
    if (n > PY_SSIZE_T_MAX - 1 - b->len || buf_reserve(b, b->len + n) < 0) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        return -1;
    }
    memcpy(b->data + b->len, s, (size_t)n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

#define FNV_BASIS 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

/* FNV-1a over s[0:n]: not keyed, so only for keys a page does not choose, or with a probe bound */
static inline uint64_t
fnv1a(const char *s, Py_ssize_t n)
{
    uint64_t h = FNV_BASIS;
    for (Py_ssize_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
    return h;
}

/* obj's buffer, C-contiguous, of items of itemsize bytes whose struct format is one of the characters
 * in formats (a byte-order prefix allowed); writable when asked. 0, or -1 with TypeError (naming the
 * argument) or the buffer protocol's error set */
static inline int
typed_view(PyObject *obj, Py_buffer *buf, const char *name, Py_ssize_t itemsize, const char *formats, int writable)
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

#endif
