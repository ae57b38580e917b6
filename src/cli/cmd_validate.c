/* cmd_validate.c: `kasane validate` — the import's checks, writing nothing.
 * It shares its body with cmd_import.c so that the two can never disagree
 * about what a valid row is. */
#include "commands.h"

int cmd_validate(ks_cli_ctx *ctx, int argc, char **argv) { return cmd_import_common(ctx, argc, argv, 1); }
