/* Command family: expressions: ?, ??, .formats, n, .expr.
 * (`r $tN = expr` is the `r` command's; it calls kdx_expr_set_pseudo.) */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fmt.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/families.h"
#include "expr/expr.h"

static int cmd_evaluate(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    uint64_t v;
    kdx_err err;
    if (kdx_expr_eval_all(s, args, &v, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    char buf[96];
    kdx_expr_format_evaluate(s, v, buf, sizeof buf);
    kdx_print(s, "Evaluate expression: %s\n", buf);
    s->last_expression = v;
    return 0;
}

static int cmd_evaluate_cpp(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    kdx_expr_value v;
    kdx_err err;
    const char *end;
    if (kdx_expr_eval_cpp(s, args, &v, &end, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    end = kdx_skip_ws(end);
    if (*end) {
        kdx_err_set(&err, KDX_E_SYNTAX, "Syntax error at '%s'", end);
        return kdx_cmd_fail(s, &err);
    }
    kdx_expr_print_value(s, &v);
    return 0;
}

static void format_float_bits(uint32_t bits, char *buf, size_t len)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    kdx_expr_format_double(f, bits == 0xffc00000u, buf, len);
}

static void format_double_bits(uint64_t bits, char *buf, size_t len)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    kdx_expr_format_double(d, bits == 0xfff8000000000000ull, buf, len);
}

/* 32-bit values: a CRT time_t; 64-bit: a FILETIME (100 ns since 1601) in UTC. */
static void format_time(uint64_t v, bool is64, char *buf, size_t len)
{
    if (!is64) {
        /* 32-bit values: a CRT time stamp (seconds since 1970), no milliseconds. */
        time_t secs = (time_t)(uint32_t)v;
        struct tm tm;
        char date[64];
        if (!gmtime_r(&secs, &tm) || !strftime(date, sizeof date, "%a %b %e %H:%M:%S", &tm))
            snprintf(buf, len, "***** Invalid");
        else
            snprintf(buf, len, "%s %d", date, tm.tm_year + 1900);
        return;
    }
    char date[64];
    if (v > (uint64_t)INT64_MAX || !kdx_fmt_filetime(date, sizeof date, v, 0))
        snprintf(buf, len, "***** Invalid FILETIME");
    else
        snprintf(buf, len, "%s (UTC + 0:00)", date);
}

static int cmd_formats(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    uint64_t v;
    kdx_err err;
    if (kdx_expr_eval_all(s, args, &v, &err) != KDX_OK)
        return kdx_cmd_fail(s, &err);
    bool fits32 = (v >> 32) == 0 || ((v >> 32) == 0xffffffffu && (v & 0x80000000u));
    bool is64 = !(kdx_session_ptr_size(s) == 4 && fits32);
    if (!is64)
        v = (uint32_t)v;
    int nbytes = is64 ? 8 : 4;
    char hex[KDX_ADDR_BUF], text[128];
    kdx_print(s, "Evaluate expression:\n");
    if (is64) {
        kdx_print(s, "  Hex:     %s\n", kdx_fmt_u64(hex, v));
        kdx_print(s, "  Decimal: %" PRId64 "\n", (int64_t)v);
        kdx_print(s, "  Decimal (unsigned) : %" PRIu64 "\n", v);
        kdx_print(s, "  Octal:   %022" PRIo64 "\n", v);
    } else {
        kdx_print(s, "  Hex:     %08" PRIx32 "\n", (uint32_t)v);
        kdx_print(s, "  Decimal: %" PRId32 "\n", (int32_t)(uint32_t)v);
        kdx_print(s, "  Decimal (unsigned) : %" PRIu32 "\n", (uint32_t)v);
        kdx_print(s, "  Octal:   %011" PRIo32 "\n", (uint32_t)v);
    }
    kdx_print(s, "  Binary: ");
    for (int i = nbytes - 1; i >= 0; i--) {
        kdx_print(s, " ");
        for (int b = 7; b >= 0; b--)
            kdx_print(s, "%c", (v >> (i * 8 + b)) & 1 ? '1' : '0');
    }
    kdx_print(s, "\n  Chars:   ");
    for (int i = nbytes - 1; i >= 0; i--) {
        unsigned c = (unsigned)(v >> (i * 8)) & 0xff;
        kdx_print(s, "%c", c >= 0x20 && c < 0x7f ? (char)c : '.');
    }
    format_time(v, is64, text, sizeof text);
    kdx_print(s, "\n  Time:    %s\n", text);
    char lo[40], hi[40];
    format_float_bits((uint32_t)v, lo, sizeof lo);
    format_float_bits((uint32_t)(v >> 32), hi, sizeof hi);
    kdx_print(s, "  Float:   low %s high %s\n", lo, hi);
    format_double_bits(v, text, sizeof text);
    kdx_print(s, "  Double:  %s\n", text);
    return 0;
}

static int cmd_radix(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (*args) {
        char *end;
        unsigned long r = strtoul(args, &end, 10);
        if (*kdx_skip_ws(end) || (r != 8 && r != 10 && r != 16)) {
            kdx_err err;
            kdx_err_set(&err, KDX_E_ARG, "Radix must be 8, 10 or 16: '%s'", args);
            return kdx_cmd_fail(s, &err);
        }
        s->radix = (unsigned)r;
    }
    kdx_print(s, "base is %u\n", s->radix);
    return 0;
}

static const char *syntax_line(kdx_expr_syntax syn)
{
    return syn == KDX_EXPR_CPP ? "C++ - C++ source expressions"
                               : "MASM - Microsoft Assembler expressions";
}

static int cmd_expr_syntax(kdx_session *s, const char *cmd, const char *args)
{
    (void)cmd;
    if (kdx_starts_with(args, "/q")) {
        kdx_print(s, "Available expression evaluators:\n%s\n%s\n\n", syntax_line(KDX_EXPR_MASM),
                  syntax_line(KDX_EXPR_CPP));
    } else if (kdx_starts_with(args, "/s")) {
        const char *name = kdx_skip_ws(args + 2);
        char word[16] = {0};
        size_t n = 0;
        while (name[n] && name[n] != ' ' && n < sizeof word - 1) {
            word[n] = name[n];
            n++;
        }
        if (kdx_strcasecmp(word, "masm") == 0) {
            s->expr_syntax = KDX_EXPR_MASM;
        } else if (kdx_strcasecmp(word, "c++") == 0) {
            s->expr_syntax = KDX_EXPR_CPP;
        } else {
            kdx_err err;
            kdx_err_set(&err, KDX_E_ARG, "Unknown expression evaluator '%s' (MASM or C++)", word);
            return kdx_cmd_fail(s, &err);
        }
    } else if (*args) {
        return kdx_cmd_syntax_error(s, ".expr", args);
    }
    kdx_print(s, "Current expression evaluator: %s\n", syntax_line(s->expr_syntax));
    return 0;
}

const kdx_command kdx_cmds_expr[] = {
    {"?", cmd_evaluate, "evaluate an expression: ? EXPR", 0},
    {"??", cmd_evaluate_cpp, "evaluate a C++ expression and show its type: ?? EXPR", 0},
    {".formats", cmd_formats, "show a value in hex, decimal, octal, binary, chars, time, float",
     0},
    {"n", cmd_radix, "set or show the default number base: n [8|10|16]", 0},
    {".expr", cmd_expr_syntax, "choose the expression evaluator: .expr [/s masm|c++] [/q]", 0},
    {0}};
