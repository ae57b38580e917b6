/* cli.c: what the subcommands share — options from a spec, --help from the
 * same spec, the setup a command's flags ask for, errors at the top. */
#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "db.h"
#include "write.h"

const char ks_cli_exit_help[] = "Exit status:\n"
                                "  0  success\n"
                                "  1  data errors (rows rejected, file invalid, --strict refused the import)\n"
                                "  2  usage error (bad option, missing file)\n"
                                "  3  refused for safety (key file permissions or size, wrong key, row-level output)\n"
                                "  4  environment error (I/O, database, out of memory)\n";

/* Help lines end by this column; the help column leaves at least
 * HELP_LEFT_MIN for the left (as most --help texts had it). */
enum { HELP_WIDTH = 80, HELP_LEFT_MIN = 17 };

int ks_cli_fail(const ks_error *err)
{
    ks_errorf("%s", err->msg[0] ? err->msg : "unknown failure");
    return ks_exit_code(err->code ? err->code : KS_EIO);
}

int ks_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kasane %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'kasane %s --help'.\n", cmd);
    va_end(ap);
    return KS_EXIT_USAGE;
}

const char *ks_cli_db_path(const char *opt)
{
    if (opt) /* --db "" names no file: a usage error, not a database called ".importing" */
        return *opt ? opt : NULL;
    const char *env = getenv("KASANE_DB");
    return env && *env ? env : NULL;
}

const char *ks_cli_key_path(const char *opt)
{
    if (opt)
        return opt;
    const char *env = getenv("KASANE_KEY");
    return env && *env ? env : NULL;
}

void ks_cli_ctx_init(ks_cli_ctx *ctx, const ks_cmd *cmd)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->cmd = cmd;
    ks_output_init(&ctx->out);
}

void ks_cli_ctx_release(ks_cli_ctx *ctx)
{
    ks_db_close(ctx->db);
    ks_key_free(ctx->key);
    free(ctx->longopts);
    free(ctx->shortopts);
    memset(ctx, 0, sizeof *ctx);
}

/* A row's id doubles as its short option when it is a letter. */
static int short_name(const ks_cli_opt *o) { return o->id > 0 && o->id < 128 && isalpha(o->id) ? o->id : 0; }

/* getopt_long's two tables from the spec's named rows. */
static void build_getopt(ks_cli_ctx *ctx, const ks_cli_spec *spec)
{
    size_t n = 0, s = 0;
    ctx->longopts = ks_calloc(ks_add(spec->n_opts, 1), sizeof *ctx->longopts);
    ctx->shortopts = ks_calloc(ks_add(ks_mul(spec->n_opts, 2), 1), 1);
    for (size_t i = 0; i < spec->n_opts; i++) {
        const ks_cli_opt *o = &spec->opts[i];
        if (!o->name)
            continue;
        ctx->longopts[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->id};
        if (short_name(o)) {
            ctx->shortopts[s++] = (char)o->id;
            if (o->arg)
                ctx->shortopts[s++] = ':';
        }
    }
}

int ks_cli_getopt(ks_cli_ctx *ctx, const ks_cli_spec *spec, int argc, char **argv)
{
    const char *name = ctx->cmd->name;
    if (!ctx->longopts) {
        build_getopt(ctx, spec);
        optind = 1;
    }
    for (;;) {
        int c = getopt_long(argc, argv, ctx->shortopts, ctx->longopts, NULL);
        switch (c) {
        case -1: return KS_CLI_DONE;
        case KS_CLI_OPT_DB: ctx->db_opt = optarg; continue;
        case KS_CLI_OPT_KEY: ctx->key_opt = optarg; continue;
        case 'h':
            ks_cli_help(spec);
            ctx->exit = KS_EXIT_OK;
            return KS_CLI_EXIT;
        case '?': ctx->exit = ks_cli_usage_error(name, "unknown option"); return KS_CLI_EXIT;
        default: break;
        }
        ks_error err = {0};
        int r = ks_output_option(&ctx->out, c, optarg, &err);
        if (r < 0) {
            ctx->exit = ks_cli_usage_error(name, "%s", err.msg);
            return KS_CLI_EXIT;
        }
        if (r == 0)
            return c;
    }
}

int ks_cli_setup(ks_cli_ctx *ctx)
{
    const char *name = ctx->cmd->name;
    unsigned flags = ctx->cmd->flags;
    ks_error err = {0};
    if ((flags & KS_CMD_NEEDS_DB) && !(ctx->db_path = ks_cli_db_path(ctx->db_opt)))
        return ks_cli_usage_error(name, "no database: give --db FILE or set KASANE_DB");
    if (flags & KS_CMD_NEEDS_KEY) {
        const char *key_path = ks_cli_key_path(ctx->key_opt);
        if (!key_path)
            return ks_cli_usage_error(name, "no key: give --key FILE or set KASANE_KEY "
                                            "(create one with 'kasane keygen -o FILE')");
        if (ks_crypto_init(&err) || !(ctx->key = ks_key_load(key_path, &err)))
            return ks_cli_fail(&err);
    }
    if ((flags & KS_CMD_OPENS_DB) && ks_analysis_open(ctx->db_path, ctx->out.lang, false, NULL, &ctx->db, &err))
        return err.code == KS_EUSAGE ? ks_cli_usage_error(name, "%s", err.msg) : ks_cli_fail(&err);
    return KS_EXIT_OK;
}

/* Terminal columns of UTF-8 text: help text is ASCII and Japanese, whose
 * characters take two. */
static size_t text_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80)
            w++;
        else if ((b & 0xC0) != 0x80)
            w += 2;
    }
    return w;
}

int ks_cli_help_column(size_t widest)
{
    if (widest < HELP_LEFT_MIN)
        widest = HELP_LEFT_MIN;
    if (widest > KS_CLI_HELP_LEFT_MAX)
        widest = KS_CLI_HELP_LEFT_MAX;
    return (int)widest + 4;
}

void ks_cli_help_item(FILE *out, int col, const char *left, const char *help)
{
    size_t at = 2 + text_width(left, strlen(left)), c = (size_t)col;
    fprintf(out, "  %s", left);
    if (at + 2 > c) {
        fputc('\n', out);
        at = 0;
    }
    fprintf(out, "%*s", (int)(c - at), "");
    at = c;
    /* word by word, keeping the spaces between words on one line (two
     * after a full stop stay two) */
    for (const char *p = help; *p;) {
        size_t gap = strspn(p, " ");
        const char *word = p + gap;
        size_t len = strcspn(word, " ");
        if (!len)
            break;
        size_t w = text_width(word, len);
        if (at > c && at + gap + w > HELP_WIDTH) {
            fprintf(out, "\n%*s", col, "");
            at = c;
        } else if (at > c) {
            fprintf(out, "%.*s", (int)gap, p);
            at += gap;
        }
        fwrite(word, 1, len, out);
        at += w;
        p = word + len;
    }
    fputc('\n', out);
}

/* An option as --help shows it: "-q, --quiet", "--db FILE". */
static void option_left(ks_buf *b, const ks_cli_opt *o)
{
    if (b->len)
        ks_buf_addc(b, ' ');
    if (short_name(o))
        ks_buf_addf(b, "-%c, ", o->id);
    ks_buf_addf(b, "--%s", o->name);
    if (o->arg)
        ks_buf_addf(b, " %s", o->arg);
}

/* The column for the spec's option lines: from the widest line's left. */
static int options_column(const ks_cli_spec *spec)
{
    ks_buf left;
    ks_buf_init(&left);
    size_t widest = 0;
    for (size_t i = 0; i < spec->n_opts; i++) {
        const ks_cli_opt *o = &spec->opts[i];
        if (!o->name || !o->help)
            continue;
        option_left(&left, o);
        if (*o->help) {
            if (left.len <= KS_CLI_HELP_LEFT_MAX && left.len > widest)
                widest = left.len;
            ks_buf_reset(&left);
        }
    }
    ks_buf_release(&left);
    return ks_cli_help_column(widest);
}

/* The --format row: its help with the default, then the writer table's
 * rows, one a line, in the help column. */
static void format_help(const ks_cli_spec *spec, int col, const char *left, const char *help)
{
    const char *dflt = spec->format_default ? spec->format_default : "table";
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_addf(&b, "%s (default %s):", help, dflt);
    ks_cli_help_item(stdout, col, left, b.buf);
    ks_buf_release(&b);
    size_t n;
    const ks_writer *w = ks_writers(&n);
    for (size_t i = 0; i < n; i++) {
        printf("%*s%-9s %s", col, "", w[i].name, w[i].desc);
        if (w[i].alias)
            printf(" (also %s)", w[i].alias);
        putchar('\n');
    }
}

void ks_cli_help(const ks_cli_spec *spec)
{
    int col = options_column(spec);
    ks_buf left;
    ks_buf_init(&left);
    if (spec->usage_lines)
        spec->usage_lines(stdout);
    fputs(spec->usage, stdout);
    if (spec->list)
        spec->list(stdout);
    for (size_t i = 0; i < spec->n_opts; i++) {
        const ks_cli_opt *o = &spec->opts[i];
        if (!o->name) {
            fputs(o->help, stdout);
            continue;
        }
        if (!o->help)
            continue;
        option_left(&left, o);
        if (*o->help) {
            if (o->id == KS_OPT_FORMAT)
                format_help(spec, col, left.buf, o->help);
            else
                ks_cli_help_item(stdout, col, left.buf, o->help);
            ks_buf_reset(&left);
        }
    }
    ks_buf_release(&left);
    if (spec->more)
        printf("\n%s", spec->more);
    printf("\n%s", ks_cli_exit_help);
}
