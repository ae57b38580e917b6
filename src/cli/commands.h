/* commands.h: one function per subcommand, one file each (src/cli/cmd_NAME.c).
 * To add a command: write src/cli/cmd_NAME.c with
 * `int cmd_NAME(ks_cli_ctx *, int, char **)`, declare it here and add a row
 * (with the KS_CMD_* flags of what it needs) to the table in main.c. */
#ifndef KASANE_COMMANDS_H
#define KASANE_COMMANDS_H

#include "cli.h"

int cmd_keygen(ks_cli_ctx *ctx, int argc, char **argv);
int cmd_key(ks_cli_ctx *ctx, int argc, char **argv);
int cmd_import(ks_cli_ctx *ctx, int argc, char **argv);
int cmd_validate(ks_cli_ctx *ctx, int argc, char **argv);
int cmd_query(ks_cli_ctx *ctx, int argc, char **argv);
int cmd_threshold(ks_cli_ctx *ctx, int argc, char **argv);
int cmd_report(ks_cli_ctx *ctx, int argc, char **argv);
int cmd_analyze(ks_cli_ctx *ctx, int argc, char **argv);
int cmd_directory(ks_cli_ctx *ctx, int argc, char **argv);
int cmd_audit(ks_cli_ctx *ctx, int argc, char **argv);
int cmd_rekey(ks_cli_ctx *ctx, int argc, char **argv);
/* `kasane key destroy` (cmd_key_destroy.c), a verb of `kasane key` */
int cmd_key_destroy(ks_cli_ctx *ctx, int argc, char **argv);
/* the body of import and validate (validating = 1: no database, no key) */
int cmd_import_common(ks_cli_ctx *ctx, int argc, char **argv, int validating);

#endif
