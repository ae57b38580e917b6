/* cli.h: what the subcommands share — the command table's row type and the
 * flags on it, the context a command runs in (the shared options, and what
 * ks_cli_setup resolved and opened for it), option specs that give both
 * getopt_long's table and the "Options:" part of --help, error reporting at
 * the top.
 *
 * Ownership: the context owns the key, the database connection and the
 * getopt table; ks_cli_ctx_release (main.c, after the command returns) frees
 * them.  Errors: every function here prints its own message and gives the
 * exit status; commands return it as it is. */
#ifndef KASANE_CLI_H
#define KASANE_CLI_H

#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>

#include "output.h"
#include "pseudo.h"
#include "util.h"

/* What ks_cli_setup resolves for a command (ks_cmd.flags). */
enum {
    KS_CMD_NEEDS_DB = 1 << 0,  /* a database path: --db FILE, else $KASANE_DB */
    KS_CMD_NEEDS_KEY = 1 << 1, /* the key, loaded: --key FILE, else $KASANE_KEY */
    KS_CMD_OPENS_DB = 1 << 2,  /* the database opened read-only (ks_analysis_open) in --lang */
};

typedef struct ks_cli_ctx ks_cli_ctx;

typedef struct ks_cmd {
    const char *name;                                  /* "import" */
    int (*fn)(ks_cli_ctx *ctx, int argc, char **argv); /* returns a KS_EXIT_* status */
    unsigned flags;                                    /* KS_CMD_*: what ks_cli_setup does for it */
    const char *summary;                               /* one line for `kasane --help` */
} ks_cmd;

/* One row of a command's option spec.  A row without a name is text printed
 * as it is in --help (a heading, a paragraph). */
typedef struct ks_cli_opt {
    const char *name; /* long name without "--"; NULL for a text row */
    int id;           /* what ks_cli_getopt returns; a letter is also the short option (-q) */
    const char *arg;  /* its argument's name in --help ("FILE"); NULL: takes none */
    const char *help; /* wrapped to the help column; "" shares the next row's line, NULL hides it */
} ks_cli_opt;

/* A command's --help and options: usage lines (generated from a command's
 * table of sub-verbs, may be NULL), usage (hand-written), list (generated,
 * may be NULL), the option rows, more (hand-written, may be NULL), then the
 * exit-status paragraph.  The --format row (KS_OPT_FORMAT) lists the
 * writer table's rows (write.h) under its help, the default marked. */
typedef struct ks_cli_spec {
    void (*usage_lines)(FILE *out); /* printed first: query's "usage: ..." lines; NULL: none */
    const char *usage;              /* usage lines (unless usage_lines) and description, ending in a blank line */
    void (*list)(FILE *out);        /* printed after usage: analyze's analyses; NULL: none */
    const ks_cli_opt *opts;         /* the options, in --help order */
    size_t n_opts;                  /* rows in opts */
    const char *more;               /* paragraphs after the options; NULL: none */
    const char *format_default;     /* --format's default for --help, NULL: "table" */
} ks_cli_spec;

/* Option ids handled by ks_cli_getopt itself (beside output.h's KS_OPT_*
 * and 'h'); commands' own ids are below these. */
enum { KS_CLI_OPT_DB = 900, KS_CLI_OPT_KEY };

/* Rows every command may use. */
/* clang-format off */
#define KS_CLI_TEXT(s) {NULL, 0, NULL, (s)}
#define KS_CLI_OPT_DB_ROW {"db", KS_CLI_OPT_DB, "FILE", "the database (default $KASANE_DB)"}
#define KS_CLI_OPT_HELP_ROW {"help", 'h', NULL, "this text"}
/* output.h's options (ks_output_option parses them into ctx->out), with
 * their heading and note. */
#define KS_CLI_OUTPUT_ROWS                                                                        \
    KS_CLI_TEXT("\nOutput:\n"),                                                                   \
    {"format", KS_OPT_FORMAT, "MODE", "the output format"},                                       \
    {"out", KS_OPT_OUT, "FILE", "write to FILE (atomically, mode 0600) instead of stdout"},       \
    {"lang", KS_OPT_LANG, "ja|en", "labels in Japanese (default) or English"},                    \
    {"bom", KS_OPT_BOM, NULL, "csv: start with a UTF-8 byte-order mark (for Excel)"},             \
    {"comments", KS_OPT_COMMENTS, NULL, "csv/tsv: append the footer as '# ' lines"},              \
    KS_CLI_TEXT("Counts below the database's threshold k print as <k (or x where a secondary\n"   \
                "cell is hidden to protect it); shares of hidden counts are hidden too.\n")
/* clang-format on */

/* Where a command runs: filled by ks_cli_getopt (the shared options) and
 * ks_cli_setup (what the command's flags ask for). */
struct ks_cli_ctx {
    const ks_cmd *cmd;       /* the command table's row */
    const char *db_opt;      /* --db as given, NULL if absent */
    const char *key_opt;     /* --key as given, NULL if absent */
    ks_output out;           /* --format, --out, --lang, --bom, --comments */
    const char *db_path;     /* after setup (KS_CMD_NEEDS_DB): --db or $KASANE_DB */
    ks_key *key;             /* after setup (KS_CMD_NEEDS_KEY): the loaded key, owned */
    sqlite3 *db;             /* after setup (KS_CMD_OPENS_DB): read-only connection, owned */
    int exit;                /* the status to return after KS_CLI_EXIT */
    struct option *longopts; /* getopt_long's table, built from the spec on the first call */
    char *shortopts;         /* getopt_long's short options, likewise */
};

void ks_cli_ctx_init(ks_cli_ctx *ctx, const ks_cmd *cmd);
void ks_cli_ctx_release(ks_cli_ctx *ctx);

/* ks_cli_getopt's results besides an option id. */
enum { KS_CLI_DONE = -1, KS_CLI_EXIT = -2 };

/* getopt_long over spec's options: returns the next option's id for the
 * command to handle (its argument in optarg), KS_CLI_DONE after the last
 * (optind is the first argument), or KS_CLI_EXIT when the command must
 * return ctx->exit now (--help printed; a usage error printed).  --db, --key,
 * --help and the output options are handled here. */
int ks_cli_getopt(ks_cli_ctx *ctx, const ks_cli_spec *spec, int argc, char **argv);

/* Resolves, loads and opens what ctx->cmd->flags say, in that order, each
 * with its one message: returns KS_EXIT_OK or the status of the error it
 * printed.  A command calls it once, after its own argument checks. */
int ks_cli_setup(ks_cli_ctx *ctx);

/* Prints spec's --help to stdout. */
void ks_cli_help(const ks_cli_spec *spec);

/* Two-column help lists ("  LEFT  help"): the column for lefts at most
 * `widest` wide (the widest of those up to KS_CLI_HELP_LEFT_MAX; a wider
 * LEFT has its help on the next line), and one item, its help wrapped at 80
 * columns. */
enum { KS_CLI_HELP_LEFT_MAX = 24 };
int ks_cli_help_column(size_t widest);
void ks_cli_help_item(FILE *out, int col, const char *left, const char *help);

/* Prints "kasane: error: <msg>" and returns the exit status for err->code. */
int ks_cli_fail(const ks_error *err);

/* Prints "kasane CMD: <msg>\nTry 'kasane CMD --help'." and returns KS_EXIT_USAGE. */
int ks_cli_usage_error(const char *cmd, const char *fmt, ...) KS_PRINTF(2, 3);

/* The database path: the option if given, else $KASANE_DB, else NULL. */
const char *ks_cli_db_path(const char *opt);
/* The key path: the option if given, else $KASANE_KEY, else NULL. */
const char *ks_cli_key_path(const char *opt);

/* The exit-status paragraph every --help ends with. */
extern const char ks_cli_exit_help[];

#endif
