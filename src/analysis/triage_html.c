/* The HTML triage report (triage_html.h). Everything the page shows comes
 * from the same JSON `kdx triage --json` prints, so the page and the JSON
 * summary cannot disagree; the browser test compares them. */
#include "analysis/triage_html.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fmt.h"
#include "base/util.h"

#define TOP_BUCKETS 10

static void put_escaped(FILE *fp, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&#39;", fp); break;
        default: fputc(*s, fp);
        }
    }
}

static const char *str_field(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

/* The record of the dump at path, NULL when there is none. */
static json_t *record_of(json_t *records, const char *path)
{
    size_t i;
    json_t *r;
    json_array_foreach(records, i, r)
        if (!strcmp(str_field(r, "dump"), path))
            return r;
    return NULL;
}

/* "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)" for a bug check,
 * "exception c0000005" for a user dump. */
static void put_what(FILE *fp, json_t *rec)
{
    json_t *fields = json_object_get(rec, "fields");
    const char *code = str_field(fields, "BUGCHECK_CODE");
    const char *name = str_field(rec, "bugcheck_name");
    if (*code && *name) {
        put_escaped(fp, name);
        fputs(" (", fp);
        put_escaped(fp, code);
        fputc(')', fp);
    } else if (*code) {
        fputs("bug check 0x", fp);
        put_escaped(fp, code);
    } else if (*str_field(fields, "EXCEPTION_CODE_STR")) {
        fputs("exception ", fp);
        put_escaped(fp, str_field(fields, "EXCEPTION_CODE_STR"));
    }
}

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2430;background:#fff}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}"
    "#counts{display:flex;gap:16px}#counts div{border:1px solid #c9d3e0;border-radius:6px;padding:8px 14px}"
    "#counts b{display:block;font-size:22px}"
    "table{border-collapse:collapse}th,td{border:1px solid #c9d3e0;padding:4px 8px;text-align:left}"
    "td{white-space:nowrap}"
    "th{background:#e8eef7;cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:' \\25B2'}"
    "th[aria-sort=descending]::after{content:' \\25BC'}td.num{text-align:right}"
    "pre{background:#f5f7fa;border:1px solid #c9d3e0;padding:8px;overflow:auto;font-size:12px}"
    "svg text{font:11px system-ui,sans-serif;fill:#1d2430}.bar{fill:#3b6fb6}.day{fill:#c0504d}"
    ".failures li{color:#8a1c1c}";

/* Clicking a header sorts by that column (numbers as numbers), again to reverse. */
static const char script[] =
    "document.querySelectorAll('#buckets th').forEach(function(th,col){"
    "th.addEventListener('click',function(){"
    "var tb=document.querySelector('#buckets tbody'),rows=Array.from(tb.rows),"
    "asc=th.getAttribute('aria-sort')!=='ascending',num=th.dataset.type==='num';"
    "document.querySelectorAll('#buckets th').forEach(function(h){h.removeAttribute('aria-sort')});"
    "th.setAttribute('aria-sort',asc?'ascending':'descending');"
    "rows.sort(function(a,b){var x=a.cells[col].textContent,y=b.cells[col].textContent;"
    "var c=num?(+x)-(+y):x.localeCompare(y);return asc?c:-c});"
    "rows.forEach(function(r){tb.appendChild(r)});});});";

static void put_counts(FILE *fp, size_t dumps, size_t failed, size_t buckets)
{
    fprintf(fp,
            "<section id=\"counts\"><div><b id=\"n-dumps\">%zu</b>dumps</div><div><b id=\"n-analyzed\">%zu</b>"
            "analyzed</div><div><b id=\"n-failed\">%zu</b>failed</div><div><b id=\"n-buckets\">%zu</b>buckets"
            "</div></section>\n",
            dumps, dumps - failed, failed, buckets);
}

/* Horizontal bars, one per bucket among the top ones, scaled to the largest. */
static void put_bar_chart(FILE *fp, json_t *buckets)
{
    size_t n = json_array_size(buckets) < TOP_BUCKETS ? json_array_size(buckets) : TOP_BUCKETS;
    json_int_t max = 1;
    for (size_t i = 0; i < n; i++)
        max = KDX_MAX(max, json_integer_value(json_object_get(json_array_get(buckets, i), "count")));
    fprintf(fp, "<h2>Top buckets</h2>\n<svg id=\"bars\" width=\"760\" height=\"%zu\" role=\"img\" "
                "aria-label=\"bar chart of the top buckets\">\n", n * 24 + 8);
    for (size_t i = 0; i < n; i++) {
        json_t *b = json_array_get(buckets, i);
        json_int_t c = json_integer_value(json_object_get(b, "count"));
        double w = 300.0 * (double)c / (double)max;
        fprintf(fp, "<text x=\"0\" y=\"%zu\">", i * 24 + 18);
        put_escaped(fp, str_field(b, "bucket"));
        fprintf(fp, "</text><rect class=\"bar\" x=\"420\" y=\"%zu\" width=\"%.1f\" height=\"18\"><title>%lld</title>"
                    "</rect><text x=\"%.1f\" y=\"%zu\">%lld</text>\n",
                i * 24 + 4, w < 1 ? 1 : w, (long long)c, 426 + w, i * 24 + 18, (long long)c);
    }
    fputs("</svg>\n", fp);
}

typedef struct day_count {
    int64_t day; /* days since 1970-01-01 (UTC) */
    int count;
} day_count;

static int cmp_day(const void *a, const void *b)
{
    const day_count *x = a, *y = b;
    return x->day < y->day ? -1 : x->day > y->day;
}

/* Crashes per UTC day from the dumps' own times, each analyzed dump once. */
static size_t count_days(json_t *records, day_count **out, size_t *untimed)
{
    KDX_VEC(day_count) days = {0};
    size_t i;
    json_t *r;
    *untimed = 0;
    json_array_foreach(records, i, r) {
        if (json_object_get(r, "error"))
            continue;
        json_int_t ft = json_integer_value(json_object_get(r, "dump_time"));
        if (ft <= 0) {
            ++*untimed;
            continue;
        }
        int64_t day = kdx_filetime_to_unix((uint64_t)ft) / 86400;
        size_t k = 0;
        while (k < days.len && days.items[k].day != day)
            k++;
        if (k == days.len)
            KDX_VEC_PUSH(days, ((day_count){day, 0}));
        days.items[k].count++;
    }
    if (days.len)
        kdx_sort(days.items, days.len, sizeof *days.items, cmp_day);
    *out = days.items;
    return days.len;
}

static void format_day(int64_t day, char *buf, size_t len)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d", &tm);
}

/* A bar per day with crashes, placed in proportion on the span from the
 * first day to the last. */
static void put_timeline(FILE *fp, json_t *records)
{
    day_count *days;
    size_t untimed, n = count_days(records, &days, &untimed);
    fputs("<h2>Crashes per day</h2>\n", fp);
    int max = 1;
    for (size_t i = 0; i < n; i++)
        max = KDX_MAX(max, days[i].count);
    fputs("<svg id=\"timeline\" width=\"760\" height=\"150\" role=\"img\" aria-label=\"crashes per day\">\n"
          "<line x1=\"40\" y1=\"120\" x2=\"740\" y2=\"120\" stroke=\"#1d2430\"/>\n", fp);
    double span = n ? (double)(days[n - 1].day - days[0].day) : 0;
    char d[16];
    for (size_t i = 0; i < n; i++) {
        double x = 40 + (span > 0 ? 690.0 * (double)(days[i].day - days[0].day) / span : 345);
        double h = 100.0 * days[i].count / max;
        format_day(days[i].day, d, sizeof d);
        fprintf(fp, "<rect class=\"day\" x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"%.1f\" data-day=\"%s\" "
                    "data-count=\"%d\"><title>%s: %d</title></rect>\n",
                x, 120 - h, h, d, days[i].count, d, days[i].count);
    }
    if (n) {
        format_day(days[0].day, d, sizeof d);
        fprintf(fp, "<text x=\"40\" y=\"138\">%s</text>", d);
        format_day(days[n - 1].day, d, sizeof d);
        fprintf(fp, "<text x=\"740\" y=\"138\" text-anchor=\"end\">%s</text>", d);
        fprintf(fp, "<text x=\"0\" y=\"24\">%d</text>", max);
    }
    fputs("\n</svg>\n", fp);
    if (untimed)
        fprintf(fp, "<p>%zu analyzed dump(s) record no time and are not on the timeline.</p>\n", untimed);
    free(days);
}

static void put_bucket_row(FILE *fp, json_t *b, json_t *rec, size_t i)
{
    fputs("<tr><td>", fp);
    put_escaped(fp, str_field(b, "bucket"));
    fprintf(fp, "</td><td class=\"num\">%lld</td><td>", (long long)json_integer_value(json_object_get(b, "count")));
    put_escaped(fp, str_field(b, "first_seen"));
    fputs("</td><td>", fp);
    put_escaped(fp, str_field(b, "last_seen"));
    fputs("</td><td>", fp);
    put_what(fp, rec);
    fputs("</td><td>", fp);
    put_escaped(fp, str_field(rec, "faulting_module"));
    fputs("</td><td>", fp);
    put_escaped(fp, str_field(b, "example"));
    fprintf(fp, "</td><td><a href=\"#dump-%zu\">!analyze -v</a></td></tr>\n", i);
}

static void put_bucket_table(FILE *fp, json_t *buckets, json_t *records)
{
    fputs("<h2>Buckets</h2>\n<table id=\"buckets\"><thead><tr><th>Bucket</th><th data-type=\"num\">Count</th>"
          "<th>First seen (UTC)</th><th>Last seen (UTC)</th><th>Bug check / exception</th><th>Module</th>"
          "<th>Example dump</th><th>Analysis</th></tr></thead>\n<tbody>\n", fp);
    size_t i;
    json_t *b;
    json_array_foreach(buckets, i, b)
        put_bucket_row(fp, b, record_of(records, str_field(b, "example")), i);
    fputs("</tbody></table>\n", fp);
}

static void put_failures(FILE *fp, json_t *failures)
{
    if (!json_array_size(failures))
        return;
    fputs("<h2>Dumps that could not be analyzed</h2>\n<ul class=\"failures\">\n", fp);
    size_t i;
    json_t *f;
    json_array_foreach(failures, i, f) {
        fputs("<li>", fp);
        put_escaped(fp, json_string_value(f));
        fputs("</li>\n", fp);
    }
    fputs("</ul>\n", fp);
}

/* Each bucket's example dump with its `!analyze -v` text. */
static void put_analyses(FILE *fp, json_t *buckets, json_t *records)
{
    fputs("<h2>Analyses of the example dumps</h2>\n", fp);
    size_t i;
    json_t *b;
    json_array_foreach(buckets, i, b) {
        json_t *rec = record_of(records, str_field(b, "example"));
        fprintf(fp, "<section class=\"analysis\" id=\"dump-%zu\"><h3>", i);
        put_escaped(fp, str_field(b, "example"));
        fputs("</h3><pre>", fp);
        const char *text = str_field(rec, "analyze_text");
        put_escaped(fp, *text ? text : "(the analysis text was not produced)");
        fputs("</pre></section>\n", fp);
    }
}

kdx_status kdx_triage_html_write(const char *path, json_t *summary, json_t *records, kdx_err *err)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return kdx_err_set(err, KDX_E_IO, "%s: cannot write the HTML report: %s", path, strerror(errno));
    json_t *buckets = json_object_get(summary, "summary");
    json_t *failures = json_object_get(summary, "failures");
    fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<title>kdx triage report</title>\n<style>%s</style></head>\n<body>\n"
                "<h1>kdx triage report</h1>\n",
            style);
    put_counts(fp, json_array_size(records), json_array_size(failures), json_array_size(buckets));
    put_bar_chart(fp, buckets);
    put_timeline(fp, records);
    put_bucket_table(fp, buckets, records);
    put_failures(fp, failures);
    put_analyses(fp, buckets, records);
    fprintf(fp, "<script>%s</script>\n</body></html>\n", script);
    if (fclose(fp) != 0)
        return kdx_err_set(err, KDX_E_IO, "%s: writing the HTML report failed: %s", path, strerror(errno));
    return KDX_OK;
}
