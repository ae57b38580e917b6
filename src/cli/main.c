/* main.c: the dispatcher.  It finds the subcommand in the table and runs it
 * in a fresh context (cli.h); the row's flags say what ks_cli_setup resolves
 * for it.  Everything else lives in src/cli/cmd_*.c and the libraries. */
#include <gsl/gsl_errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "cli.h"

/* query needs the database only to run (not to list or show); threshold
 * loads the key itself, only to set k, and opens the database read or write
 * as it is showing or setting. */
static const ks_cmd commands[] = {
    {"keygen", cmd_keygen, 0, "create a new pseudonymisation key file"},
    {"key", cmd_key, 0, "split the key among custodians, join it back, destroy it"},
    {"rekey", cmd_rekey, 0, "move a database to a new key epoch (old key refused afterwards)"},
    {"import", cmd_import, KS_CMD_NEEDS_DB | KS_CMD_NEEDS_KEY,
     "import case-record CSV files into a pseudonymised database"},
    {"validate", cmd_validate, 0, "check case-record CSV files without writing anything"},
    {"query", cmd_query, KS_CMD_NEEDS_DB, "run library or ad-hoc SQL queries with disclosure control"},
    {"threshold", cmd_threshold, KS_CMD_NEEDS_DB, "show or set the suppression threshold k (setting needs the key)"},
    {"report", cmd_report, KS_CMD_NEEDS_DB | KS_CMD_OPENS_DB, "write a period's trend report (HTML, Markdown or text)"},
    {"analyze", cmd_analyze, KS_CMD_NEEDS_DB | KS_CMD_OPENS_DB,
     "statistics: crosstab, logit, trend, co-occurrence, survival, partners"},
    {"directory", cmd_directory, KS_CMD_NEEDS_DB | KS_CMD_OPENS_DB,
     "the consultation-window guide for anyone: build the site, look up windows"},
    {"audit", cmd_audit, KS_CMD_NEEDS_DB, "what was done to the database with its key: imports, thresholds, rekeys, the key"},
};

/* Runs one command in its own context. */
static int run(const ks_cmd *cmd, int argc, char **argv)
{
    ks_cli_ctx ctx;
    ks_cli_ctx_init(&ctx, cmd);
    int status = cmd->fn(&ctx, argc, argv);
    ks_cli_ctx_release(&ctx);
    return status;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: kasane <command> [options] [args]\n"
                 "       kasane --version | --help\n\n"
                 "kasane turns welfare coordinators' case records into anonymised evidence.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < KS_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'kasane <command> --help' for a command's options.\n\n%s", ks_cli_exit_help);
}

/* `kasane help CMD`: exactly what `kasane CMD --help` prints. */
static int help_command(int argc, char **argv)
{
    const char *name = argv[2];
    if (argc > 3) {
        fprintf(stderr, "kasane help: takes one command name\nTry 'kasane --help'.\n");
        return KS_EXIT_USAGE;
    }
    if (strcmp(name, "help") == 0) {
        usage(stdout);
        return KS_EXIT_OK;
    }
    for (size_t i = 0; i < KS_ARRAY_LEN(commands); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            char opt[] = "--help";
            char *args[] = {argv[2], opt, NULL};
            return run(&commands[i], 2, args);
        }
    }
    fprintf(stderr, "kasane help: '%s' is not a kasane command\nTry 'kasane --help'.\n", name);
    return KS_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    /* Every file kasane creates (database, -wal, -shm, reports, keys) is
     * private to its owner from the first byte. */
    umask(077);
    /* Before SQLite is first used: no global memory statistics (a mutex on
     * every allocation; kasane never reads them) and multi-thread mode (each
     * connection is used by one thread at a time, so SQLite need not lock
     * it).  Failure leaves SQLite's safe defaults. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    /* GSL's default error handler aborts the program (a failed convergence
     * deep in a quantile function ended `analyze cooccur` with SIGABRT).
     * Off once for the whole program: every GSL call site checks the status
     * it returns and turns it into a kasane error. */
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return KS_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 && argc > 2)
        return help_command(argc, argv);
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return KS_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("kasane %s\n", KASANE_VERSION);
        return KS_EXIT_OK;
    }
    for (size_t i = 0; i < KS_ARRAY_LEN(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return run(&commands[i], argc - 1, argv + 1);
    fprintf(stderr, "kasane: '%s' is not a kasane command; see 'kasane --help'\n", name);
    return KS_EXIT_USAGE;
}
