/* `kdx --json`: the whole output on stdout is one JSON document, an array
 * with one element per command run, in order (docs/cli.md):
 *   {"command": "lm", "status": "ok", "result": {...}, "messages": [...]}
 *   {"command": "k", "status": "ok", "text": "...", "messages": [...]}
 * "result" is the command's own JSON (commands that support it print it with
 * kdx_print_json); any plain-text line a JSON command printed besides it, and
 * every diagnostic (kdx_print_diag: symbol-load errors and warnings), goes to
 * "messages". A command without JSON support gives its text in "text". */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"

typedef struct capture {
    char *buf;
    size_t len;
    FILE *fp;
} capture;

static bool capture_open(capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->fp = open_memstream(&c->buf, &c->len);
    return c->fp != NULL;
}

static void capture_close(capture *c)
{
    if (c->fp)
        fclose(c->fp);
    c->fp = NULL;
}

/* JSON strings must be UTF-8: bytes that are not (raw target data a command
 * printed) become U+FFFD. */
static json_t *utf8_string(const char *s, size_t n)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)s[i];
        size_t len = b < 0x80 ? 1 : (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = len && i + len <= n && (len == 1 || b >= 0xc2);
        for (size_t k = 1; ok && k < len; k++)
            ok = ((unsigned char)s[i + k] & 0xc0) == 0x80;
        if (ok && len == 1 && b == 0)
            ok = false;
        if (ok)
            kdx_sb_putn(&sb, s + i, len);
        else
            kdx_sb_puts(&sb, "\xef\xbf\xbd");
        i += ok ? len : 1;
    }
    char *text = kdx_sb_take(&sb);
    json_t *j = json_string(text);
    free(text);
    return j ? j : json_string("");
}

/* Appends each non-empty line of text to messages. */
static void add_lines(json_t *messages, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
            n--;
        if (n)
            json_array_append_new(messages, utf8_string(p, n));
        p += (nl ? (size_t)(nl - p) + 1 : n);
        if (!nl)
            break;
    }
}

static json_t *build_element(const char *command, int rc, const capture *out, const capture *diag,
                             const capture *json)
{
    json_t *el = json_object();
    json_object_set_new(el, "command", utf8_string(command, strlen(command)));
    json_object_set_new(el, "status", json_string(rc ? "error" : "ok"));
    json_t *messages = json_array();
    json_t *result = json->len ? json_loadb(json->buf, json->len, 0, NULL) : NULL;
    if (result) {
        json_object_set_new(el, "result", result);
        add_lines(messages, out->buf, out->len);
    } else {
        kdx_strbuf sb; /* a result that does not parse is shown as text, never dropped */
        kdx_sb_init(&sb);
        kdx_sb_putn(&sb, json->buf ? json->buf : "", json->len);
        kdx_sb_putn(&sb, out->buf ? out->buf : "", out->len);
        char *text = kdx_sb_take(&sb);
        json_object_set_new(el, "text", utf8_string(text ? text : "", text ? strlen(text) : 0));
        free(text);
    }
    add_lines(messages, diag->buf ? diag->buf : "", diag->len);
    json_object_set_new(el, "messages", messages);
    return el;
}

static void add_element(kdx_session *s, json_t *element)
{
    char *text = json_dumps(element, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputs(s->json_elements++ ? ",\n" : "[\n", s->out);
    fputs(text ? text : "{}", s->out);
    free(text);
    fflush(s->out);
}

int kdx_json_document_run(kdx_session *s, const char *command, int (*run)(kdx_session *, const char *))
{
    capture out, diag, json;
    bool opened[3] = {capture_open(&out), capture_open(&diag), capture_open(&json)};
    if (!opened[0] || !opened[1] || !opened[2]) {
        capture *all[3] = {&out, &diag, &json};
        for (int i = 0; i < 3; i++) {
            capture_close(all[i]);
            free(all[i]->buf);
        }
        return run(s, command); /* no memory for the capture: plain output */
    }
    FILE *saved_out = s->out, *saved_diag = s->diag, *saved_json = s->json_out;
    bool saved_echo = s->echo_commands;
    s->out = out.fp;
    s->diag = diag.fp;
    s->json_out = json.fp;
    s->echo_commands = false;
    int rc = run(s, command);
    s->out = saved_out;
    s->diag = saved_diag;
    s->json_out = saved_json;
    s->echo_commands = saved_echo;
    capture_close(&out);
    capture_close(&diag);
    capture_close(&json);
    json_t *el = build_element(command, rc, &out, &diag, &json);
    add_element(s, el);
    json_decref(el);
    free(out.buf);
    free(diag.buf);
    free(json.buf);
    return rc;
}

void kdx_json_document_begin(kdx_session *s)
{
    s->json = true;
    s->json_document = true;
    s->json_elements = 0;
}

void kdx_json_document_end(kdx_session *s)
{
    if (!s->json_document)
        return;
    fputs(s->json_elements ? "\n]\n" : "[]\n", s->out);
    fflush(s->out);
    s->json_document = false;
}

void kdx_json_document_open_failed(kdx_session *s, const char *path, const char *message)
{
    json_t *el = json_object();
    json_object_set_new(el, "open", utf8_string(path, strlen(path)));
    json_object_set_new(el, "status", json_string("error"));
    json_object_set_new(el, "error", utf8_string(message, strlen(message)));
    add_element(s, el);
    json_decref(el);
}
