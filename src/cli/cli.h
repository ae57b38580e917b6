/* cli.h: what the subcommands share — the command table's row type, the
 * options every database command takes, error reporting at the top. */
#ifndef KASANE_CLI_H
#define KASANE_CLI_H

#include "util.h"

typedef struct ks_cmd {
    const char *name;                      /* "import" */
    int (*fn)(int argc, char **argv);      /* returns a KS_EXIT_* status */
    const char *summary;                   /* one line for `kasane --help` */
} ks_cmd;

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
