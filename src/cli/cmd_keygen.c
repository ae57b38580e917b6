/* cmd_keygen.c: `kasane keygen -o FILE` */
#include <stdio.h>

#include "commands.h"
#include "pseudo.h"

static const ks_cli_opt opts[] = {
    KS_CLI_TEXT("Options:\n"),
    {"output", 'o', "FILE", "where to write the key"},
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec spec = {
    .usage = "usage: kasane keygen -o FILE\n\n"
             "Writes a fresh 32-byte pseudonymisation key (libsodium's CSPRNG) to FILE with\n"
             "mode 0600 and prints its fingerprint.  The key itself is never printed.\n"
             "An existing FILE is never overwritten.\n\n"
             "Keep the key apart from the database: whoever holds both can test guesses of\n"
             "identifiers against the pseudonyms.  Losing it means later imports can no\n"
             "longer link to the people already in the database.\n\n",
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
};

int cmd_keygen(ks_cli_ctx *ctx, int argc, char **argv)
{
    const char *out = NULL;
    int c;
    while ((c = ks_cli_getopt(ctx, &spec, argc, argv)) >= 0)
        if (c == 'o')
            out = optarg;
    if (c == KS_CLI_EXIT)
        return ctx->exit;
    if (!out || optind != argc)
        return ks_cli_usage_error("keygen", "need exactly '-o FILE'");
    ks_error err = {0};
    char fp[KS_FINGERPRINT_HEX];
    if (ks_crypto_init(&err) || ks_key_generate(out, fp, &err))
        return ks_cli_fail(&err);
    printf("wrote key '%s' (mode 0600)\nfingerprint %s\n", out, fp);
    if (ks_close_stdout(&err))
        return ks_cli_fail(&err);
    return KS_EXIT_OK;
}
