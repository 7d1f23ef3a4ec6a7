/* libFuzzer target for the expression evaluators: every input is evaluated
 * as MASM (radix 16 and 10) and as C++, and the results formatted the way
 * `?` and `??` print them. No target is open, so names fail cleanly; the
 * parsers must never crash, hang or recurse without bound. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"
#include "target/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    FILE *null = fopen("/dev/null", "w");
    kdx_session *s = kdx_session_new(null);
    uint64_t v;
    const char *end;
    kdx_err err;
    char buf[128];
    for (unsigned radix = 10; radix <= 16; radix += 6) {
        s->radix = radix;
        if (kdx_expr_eval(s, text, &v, &end, &err) == KDX_OK) {
            kdx_expr_format_evaluate(s, v, buf, sizeof buf);
            (void)kdx_expr_eval_all(s, text, &v, &err);
        }
    }
    kdx_expr_value tv;
    if (kdx_expr_eval_cpp(s, text, &tv, &end, &err) == KDX_OK)
        kdx_expr_print_value(s, &tv);
    s->expr_syntax = KDX_EXPR_CPP;
    (void)kdx_expr_eval(s, text, &v, &end, &err);
    kdx_session_free(s);
    if (null)
        fclose(null);
    free(text);
    return 0;
}
