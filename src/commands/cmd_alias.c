/* Command family: aliases, as Microsoft's debugger documentation defines
 * them ("as, aS (Set Alias)", "ad (Delete Alias)", "al (List Aliases)",
 * "Using Aliases"): user-named aliases set from text, an expression, an
 * environment variable, target memory, a file or command output, and the
 * fixed-name aliases $u0..$u9 set with `r $.u0=...`. Replacement itself is
 * in script_alias.c. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/script.h"
#include "expr/expr.h"

/* Files larger than this are refused rather than turned into one alias. */
#define MAX_ALIAS_FILE (16u << 20)

typedef enum {
    SET_TEXT,   /* no switch */
    SET_ENV,    /* /e */
    SET_MEMORY, /* /ma /mu /msa /msu */
    SET_EXPR,   /* /x */
    SET_FILE,   /* /f */
    SET_OUTPUT  /* /c */
} set_source;

typedef struct alias_request {
    set_source source;
    kdx_tstring string_kind; /* SET_MEMORY */
    bool phrase;             /* aS: a quoted phrase loses its quotes */
    char *name;
    const char *rest;        /* the text after the name */
} alias_request;

static const struct {
    const char *sw;
    set_source source;
    kdx_tstring kind;
} switches[] = {
    {"/e", SET_ENV, 0},
    {"/ma", SET_MEMORY, KDX_TSTR_ASCII},
    {"/mu", SET_MEMORY, KDX_TSTR_UTF16},
    {"/msa", SET_MEMORY, KDX_TSTR_ANSI},
    {"/msu", SET_MEMORY, KDX_TSTR_UNICODE},
    {"/x", SET_EXPR, 0},
    {"/f", SET_FILE, 0},
    {"/c", SET_OUTPUT, 0},
};

/* Names may not contain blanks nor begin with an alias command's name. */
static bool valid_name(const char *name)
{
    static const char *const reserved[] = {"al", "as", "aS", "ad"};
    for (size_t i = 0; i < KDX_ARRAY_LEN(reserved); i++)
        if (!strncmp(name, reserved[i], 2))
            return false;
    return *name != 0;
}

/* "${/v:Name}" names the alias Name: the token keeps a name from being
 * replaced while the line is read ("Using Aliases", script example). */
static char *alias_name(const char *p, size_t n)
{
    if (n > 6 && !strncmp(p, "${/v:", 5) && p[n - 1] == '}')
        return kdx_strndup(p + 5, n - 6);
    return kdx_strndup(p, n);
}

static bool parse_request(const char *cmd, const char *args, alias_request *r)
{
    memset(r, 0, sizeof *r);
    r->phrase = cmd[1] == 'S';
    const char *p = kdx_skip_ws(args);
    if (*p == '/') {
        size_t n = 0;
        while (p[n] && !isspace((unsigned char)p[n]))
            n++;
        size_t i = 0;
        while (i < KDX_ARRAY_LEN(switches) &&
               !(strlen(switches[i].sw) == n && !strncmp(p, switches[i].sw, n)))
            i++;
        if (i == KDX_ARRAY_LEN(switches))
            return false;
        r->source = switches[i].source;
        r->string_kind = switches[i].kind;
        p = kdx_skip_ws(p + n);
    }
    size_t n = 0;
    while (p[n] && !isspace((unsigned char)p[n]))
        n++;
    if (!n || !isspace((unsigned char)p[n]))
        return false;
    r->name = alias_name(p, n);
    r->rest = kdx_skip_ws(p + n);
    if (!valid_name(r->name) || !*r->rest) {
        free(r->name);
        r->name = NULL;
        return false;
    }
    return true;
}

/* aS "Phrase" keeps what is between the quotes. */
static char *phrase_text(const char *rest)
{
    size_t n = strlen(rest);
    if (n >= 2 && rest[0] == '"' && rest[n - 1] == '"')
        return kdx_strndup(rest + 1, n - 2);
    return kdx_strdup(rest);
}

/* The alias value the request asks for; NULL after printing why not. */
static char *request_value(kdx_session *s, const alias_request *r)
{
    kdx_err err = {0};
    uint64_t v;
    char *value = NULL;
    switch (r->source) {
    case SET_TEXT:
        return r->phrase ? phrase_text(r->rest) : kdx_strdup(r->rest);
    case SET_ENV: {
        const char *e = getenv(r->rest);
        if (e)
            return kdx_strdup(e);
        kdx_err_set(&err, KDX_E_NOT_FOUND, "Environment variable '%s' is not set", r->rest);
        break;
    }
    case SET_EXPR:
        if (kdx_expr_eval_all(s, r->rest, &v, &err) == KDX_OK)
            return kdx_asprintf("0x%" PRIx64, v);
        break;
    case SET_MEMORY:
        if (kdx_expr_eval_all(s, r->rest, &v, &err) == KDX_OK &&
            kdx_script_read_string(s, v, r->string_kind, &value, &err) == KDX_OK)
            return value;
        break;
    case SET_FILE:
        if ((value = kdx_script_read_file(r->rest, MAX_ALIAS_FILE, &err)))
            return value;
        break;
    case SET_OUTPUT: {
        int rc;
        char *cmds = r->phrase ? phrase_text(r->rest) : kdx_strdup(r->rest);
        value = kdx_script_capture(s, cmds, &rc);
        free(cmds);
        if (rc == 0)
            return value;
        kdx_print(s, "%s", value); /* the commands' own error */
        free(value);
        return NULL;
    }
    }
    kdx_print_err(s, &err);
    return NULL;
}

static int cmd_as(kdx_session *s, const char *cmd, const char *args)
{
    alias_request r;
    if (!parse_request(cmd, args, &r)) {
        return kdx_script_syntax_error(s, cmd, args);
    }
    char *value = request_value(s, &r);
    if (value)
        kdx_alias_set(kdx_script_get(s), r.name, value);
    free(value);
    free(r.name);
    return value ? 0 : 1;
}

static int cmd_ad(kdx_session *s, const char *cmd, const char *args)
{
    kdx_script *sc = kdx_script_get(s);
    const char *p = kdx_skip_ws(args);
    bool quiet = !strncmp(p, "/q", 2) && (isspace((unsigned char)p[2]) || !p[2]);
    if (quiet)
        p = kdx_skip_ws(p + 2);
    if (!*p) {
        return kdx_script_syntax_error(s, cmd, args);
    }
    if (!strcmp(p, "*")) { /* every alias, even one named "*" */
        kdx_alias_remove_all(sc);
        return 0;
    }
    if (kdx_alias_remove(sc, p) || quiet)
        return 0;
    kdx_print(s, "No alias named '%s'\n", p);
    return 1;
}

/* al: the header and columns of the documentation's "Using Aliases" example. */
static int cmd_al(kdx_session *s, const char *cmd, const char *args)
{
    kdx_script *sc = kdx_script_get(s);
    if (*args) {
        return kdx_script_syntax_error(s, cmd, args);
    }
    if (!sc->aliases.len) {
        kdx_print(s, "No aliases\n");
        return 0;
    }
    kdx_print(s, "  Alias            Value  \n -------          ------- \n");
    for (size_t i = 0; i < sc->aliases.len; i++)
        kdx_print(s, " %-16s %s\n", sc->aliases.items[i].name, sc->aliases.items[i].value);
    return 0;
}

bool kdx_script_is_fixed_alias_assignment(const char *args)
{
    return args[0] == '$' && args[1] == '.' && tolower((unsigned char)args[2]) == 'u' &&
           isdigit((unsigned char)args[3]);
}

int kdx_script_set_fixed_alias(kdx_session *s, const char *args)
{
    const char *eq = kdx_skip_ws(args + 4);
    if (*eq != '=') {
        kdx_print(s, "$u%c is a fixed-name alias: set it with r $.u%c=TEXT; it cannot be displayed.\n",
                  args[3], args[3]);
        return 1;
    }
    kdx_script *sc = kdx_script_get(s);
    char *value = kdx_strdup(kdx_skip_ws(eq + 1)); /* leading and trailing blanks are dropped */
    kdx_rtrim(value);
    int i = args[3] - '0';
    free(sc->fixed[i]);
    sc->fixed[i] = value;
    return 0;
}

const kdx_command kdx_cmds_alias[] = {
    {"as", cmd_as, "set an alias: as NAME TEXT, aS NAME \"PHRASE\", "
                   "as /x|/e|/ma|/mu|/msa|/msu|/c NAME ..., aS /f NAME FILE", 0},
    {"ad", cmd_ad, "delete an alias: ad [/q] NAME, ad *", 0},
    {"al", cmd_al, "list the user-named aliases", 0},
    {0}};
