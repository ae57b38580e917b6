/* cmd_keygen.c: `kasane keygen -o FILE` */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "cli.h"
#include "pseudo.h"

static const char help[] =
    "usage: kasane keygen -o FILE\n\n"
    "Writes a fresh 32-byte pseudonymisation key (libsodium's CSPRNG) to FILE with\n"
    "mode 0600 and prints its fingerprint.  The key itself is never printed.\n"
    "An existing FILE is never overwritten.\n\n"
    "Keep the key apart from the database: whoever holds both can test guesses of\n"
    "identifiers against the pseudonyms.  Losing it means later imports can no\n"
    "longer link to the people already in the database.\n\n"
    "Options:\n"
    "  -o, --output FILE   where to write the key\n"
    "  -h, --help          this text\n\n";

int cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'h': printf("%s%s", help, ks_cli_exit_help); return KS_EXIT_OK;
        default: return ks_cli_usage_error("keygen", "unknown option");
        }
    }
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
