#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "commands/command.h"

int kdx_cli_parse(int argc, char **argv, kdx_cli_options *o)
{
    memset(o, 0, sizeof *o);
    if (argc >= 2 && argv[1][0] != '-')
        return KDX_CLI_SUBCOMMAND;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "-?"))
            return KDX_CLI_HELP;
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        if (!strcmp(a, "-z"))
            slot = &o->dump;
        else if (!strcmp(a, "-c"))
            slot = &o->commands;
        else if (!strcmp(a, "-y"))
            slot = &o->sympath;
        else if (!strcmp(a, "-i"))
            slot = &o->imagepath;
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "kdx: %s '%s'\n", slot ? "missing value after" : "unknown option", a);
            return KDX_CLI_BAD;
        }
        *slot = argv[++i];
    }
    if (!o->dump) {
        fprintf(stderr, "kdx: no file to open (use -z FILE)\n");
        return KDX_CLI_BAD;
    }
    return KDX_CLI_OK;
}

/* Applies -y / -i (or the environment) through the same commands a user would type. */
static void apply_paths(kdx_session *s, const kdx_cli_options *o)
{
    if (o->imagepath) {
        free(s->image_path);
        s->image_path = kdx_strdup(o->imagepath);
    }
    if (o->sympath) {
        char *cmd = kdx_asprintf(".sympath %s", o->sympath);
        FILE *saved = s->out;
        FILE *null = fopen("/dev/null", "w");
        if (null)
            s->out = null;
        kdx_execute(s, cmd);
        if (null) {
            s->out = saved;
            fclose(null);
        }
        free(cmd);
    }
}

int kdx_cli_run(const kdx_cli_options *o, FILE *out, void (*prompt)(kdx_session *))
{
    kdx_session *s = kdx_session_new(out);
    s->json = o->json;
    kdx_err err = {0};
    apply_paths(s, o);
    if (kdx_session_open(s, o->dump, &err) != KDX_OK) {
        fprintf(stderr, "kdx: %s\n", err.msg);
        kdx_session_free(s);
        return 1;
    }
    if (o->commands) {
        s->echo_commands = !o->json;
        kdx_execute(s, o->commands);
        s->echo_commands = false;
    }
    if (!s->quit && prompt)
        prompt(s);
    kdx_session_free(s);
    return 0;
}

int kdx_cli_subcommand(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "kdx: unknown subcommand '%s'\n", argv[1]);
    return 2;
}
