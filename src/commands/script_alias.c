/* Aliases as WinDbg replaces them ("Using Aliases", "${ } (Alias
 * Interpreter)"): fixed-name aliases $u0..$u9 anywhere in the text first,
 * then user-named aliases and .foreach variables where they stand alone
 * (between blanks, ';' or quotes), and ${Name} tokens with their
 * /v /d /f /n switches. A line that begins with as, aS, ad or al gets no
 * user-named replacement, so the alias commands keep working. Each
 * replacement is done once: an alias's value is not scanned again. */
#include <stdlib.h>
#include <string.h>

#include "commands/script.h"

/* An alias name stands alone between white space, ';' and quotes; braces
 * and parentheses do not separate it ("Using Aliases"), which is what
 * makes `.block{.echo myAlias}` wait for the block to be entered. */
static bool is_delimiter(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';' || c == '"';
}

static bool name_equals(const char *name, const char *text, size_t len)
{
    return strlen(name) == len && memcmp(name, text, len) == 0;
}

const char *kdx_alias_lookup(const kdx_script *sc, const char *name, size_t len)
{
    for (size_t i = sc->vars.len; i-- > 0;) /* a loop variable hides an alias of its name */
        if (name_equals(sc->vars.items[i].name, name, len))
            return sc->vars.items[i].value;
    for (size_t i = 0; i < sc->aliases.len; i++)
        if (name_equals(sc->aliases.items[i].name, name, len))
            return sc->aliases.items[i].value;
    return NULL;
}

void kdx_alias_set(kdx_script *sc, const char *name, const char *value)
{
    size_t i = 0;
    while (i < sc->aliases.len && strcmp(sc->aliases.items[i].name, name) < 0)
        i++;
    if (i < sc->aliases.len && !strcmp(sc->aliases.items[i].name, name)) {
        free(sc->aliases.items[i].value);
        sc->aliases.items[i].value = kdx_strdup(value);
        return;
    }
    kdx_alias a = {kdx_strdup(name), kdx_strdup(value)};
    KDX_VEC_PUSH(sc->aliases, a);
    memmove(&sc->aliases.items[i + 1], &sc->aliases.items[i],
            (sc->aliases.len - 1 - i) * sizeof sc->aliases.items[0]);
    sc->aliases.items[i] = a;
}

bool kdx_alias_remove(kdx_script *sc, const char *name)
{
    for (size_t i = 0; i < sc->aliases.len; i++) {
        if (strcmp(sc->aliases.items[i].name, name) != 0)
            continue;
        free(sc->aliases.items[i].name);
        free(sc->aliases.items[i].value);
        memmove(&sc->aliases.items[i], &sc->aliases.items[i + 1],
                (sc->aliases.len - 1 - i) * sizeof sc->aliases.items[0]);
        sc->aliases.len--;
        return true;
    }
    return false;
}

void kdx_alias_remove_all(kdx_script *sc)
{
    while (sc->aliases.len)
        kdx_alias_remove(sc, sc->aliases.items[0].name);
}

void kdx_script_push_var(kdx_script *sc, const char *name, const char *value)
{
    kdx_alias v = {kdx_strdup(name), kdx_strdup(value)};
    KDX_VEC_PUSH(sc->vars, v);
}

void kdx_script_pop_var(kdx_script *sc)
{
    if (!sc->vars.len)
        return;
    sc->vars.len--;
    free(sc->vars.items[sc->vars.len].name);
    free(sc->vars.items[sc->vars.len].value);
}

void kdx_script_free_aliases(kdx_script *sc)
{
    kdx_alias_remove_all(sc);
    KDX_VEC_FREE(sc->aliases);
    while (sc->vars.len)
        kdx_script_pop_var(sc);
    KDX_VEC_FREE(sc->vars);
    for (size_t i = 0; i < KDX_ARRAY_LEN(sc->fixed); i++) {
        free(sc->fixed[i]);
        sc->fixed[i] = NULL;
    }
}

/* $u0..$u9 are replaced wherever they appear, even inside other text. */
static char *replace_fixed(const kdx_script *sc, const char *text)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    for (const char *p = text; *p;) {
        if (p[0] == '$' && p[1] == 'u' && p[2] >= '0' && p[2] <= '9') {
            const char *v = sc->fixed[p[2] - '0'];
            kdx_sb_puts(&sb, v ? v : "");
            p += 3;
        } else {
            kdx_sb_putc(&sb, *p++);
        }
    }
    return kdx_sb_take(&sb);
}

/* Text that begins with one of the alias commands is left alone
 * ("Using Aliases"): otherwise `as x 1` would replace the x it defines. */
static bool begins_with_alias_command(const char *text)
{
    static const char *const cmds[] = {"as", "aS", "ad", "al"};
    for (size_t i = 0; i < KDX_ARRAY_LEN(cmds); i++)
        if (!strncmp(text, cmds[i], 2))
            return true;
    return false;
}

/* One ${...} token at p (on the '$'): appends its replacement and returns
 * the text after it, or NULL when p does not start a complete token. */
static const char *interpret(const kdx_script *sc, const char *p, kdx_strbuf *sb)
{
    const char *close = strchr(p + 2, '}');
    if (!close)
        return NULL;
    const char *name = p + 2;
    char sw = 0;
    if (name[0] == '/' && name[1] && name[2] == ':') {
        sw = name[1];
        if (!strchr("vdfn", sw))
            return NULL;
        name += 3;
    }
    size_t len = (size_t)(close - name);
    const char *value = sw == 'v' ? NULL : kdx_alias_lookup(sc, name, len);
    switch (sw) {
    case 'd':
        kdx_sb_puts(sb, value ? "1" : "0");
        break;
    case 'f':
        kdx_sb_puts(sb, value ? value : "");
        break;
    case 'n':
        if (value)
            kdx_sb_putn(sb, name, len);
        else
            kdx_sb_putn(sb, p, (size_t)(close + 1 - p));
        break;
    default: /* none, or /v: the literal token stays when nothing replaces it */
        if (value)
            kdx_sb_puts(sb, value);
        else
            kdx_sb_putn(sb, p, (size_t)(close + 1 - p));
        break;
    }
    return close + 1;
}

static char *replace_named(const kdx_script *sc, const char *text)
{
    kdx_strbuf sb;
    kdx_sb_init(&sb);
    kdx_sb_puts(&sb, "");
    const char *p = text;
    while (*p) {
        if (p[0] == '$' && p[1] == '{') {
            const char *after = interpret(sc, p, &sb);
            if (after) {
                p = after;
                continue;
            }
        }
        bool word_start = (p == text || is_delimiter(p[-1])) && !is_delimiter(*p);
        if (word_start) {
            size_t n = 0;
            while (p[n] && !is_delimiter(p[n]))
                n++;
            const char *value = kdx_alias_lookup(sc, p, n);
            if (value) {
                kdx_sb_puts(&sb, value);
                p += n;
                continue;
            }
        }
        kdx_sb_putc(&sb, *p++);
    }
    return kdx_sb_take(&sb);
}

char *kdx_alias_expand(const kdx_script *sc, const char *text)
{
    char *fixed = replace_fixed(sc, text);
    if (begins_with_alias_command(text))
        return fixed;
    char *out = replace_named(sc, fixed);
    free(fixed);
    return out;
}
