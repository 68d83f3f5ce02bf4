/*
 * fuzz_http.c: libFuzzer target for the parts of an HTTP response the task module handles
 * itself (libcurl parses the protocol): header lines as libcurl hands them over (status
 * lines, continuation blocks, names and values split at ':'), the size limit on headers, and
 * turning the headers and the body into the result values of http:invoke and lambda:invoke
 * (lowercased/array headers, JSON bodies by Content-Type), plus the form encoder on the body
 * when it is JSON.
 *
 * Input: header lines separated by '\n' up to an empty line, then the body.
 * Invariants checked: the status is a non-negative number, every header has a name without
 * ':', the values build and print as JSON.
 *
 * Build: cmake -S . -B build-fuzz -DSX_FUZZ=ON -DCMAKE_C_COMPILER=clang
 * Run:   build-fuzz/bin/fuzz_http -max_total_time=60 WORKDIR tests/fuzz/corpus/http
 */
#include <stdlib.h>
#include <string.h>

#include "task/tk_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    tk_req_t *q = sx_calloc(1, sizeof(*q));
    sx_arena_t *a = sx_arena_new(0);
    q->cap = 1 << 20;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        bool blank = n <= 2 && (p[0] == '\n' || p[0] == '\r');
        if (tk_req_header_line(q, p, n) == 0 && !q->too_big)
            abort();
        p += n;
        if (blank)
            break;
    }
    if (q->status < 0)
        abort();
    for (uint32_t i = 0; i < q->nhdrs; i++)
        if (strchr(q->hdrs[i].name, ':') != NULL || q->hdrs[i].name[0] == '\0')
            abort();
    bool json = tk_ctype_json(tk_req_hdr(q, "content-type"));
    const val_t *body = tk_body_val(a, p, (size_t)(end - p), json);
    sx_sbuf_t out = SX_SBUF_INIT;
    val_json_print(&out, tk_hdrs_val(a, q, true, true));
    val_json_print(&out, tk_hdrs_val(a, q, false, false));
    val_json_print(&out, body);
    tk_form_add(&out, NULL, body, (tk_arrfmt_t)(size & 3));
    sx_sbuf_fini(&out);
    sx_arena_free(a);
    tk_req_discard(q);
    return 0;
}
