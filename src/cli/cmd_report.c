/* cmd_report.c: `kasane report --period P [options]` */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db.h"
#include "query.h"
#include "report.h"

enum { O_PERIOD = 300, O_COMPARE, O_DISTRICT };

/* --lang, --format, --out, --bom and --comments are output.h's
 * (ks_output_option parses them into ctx->out): the report is published
 * like any result, through the writer table, html by default. */
static const ks_cli_opt opts[] = {
    KS_CLI_TEXT("Options:\n"),
    {"period", O_PERIOD, "P", "the period (required)"},
    {"compare", O_COMPARE, "C",
     "last-year (default: the same months a year earlier) or previous (the months just before)"},
    {"district", O_DISTRICT, "NAME", "one district (code, Japanese or English name)"},
    {"lang", KS_OPT_LANG, "ja|en", "text and labels in Japanese (default) or English"},
    {"format", KS_OPT_FORMAT, "F", "the output format"},
    {"out", KS_OPT_OUT, "FILE", "write FILE (atomically, mode 0600) instead of stdout"},
    {"bom", KS_OPT_BOM, NULL, "csv: start with a UTF-8 byte-order mark (for Excel)"},
    {"comments", KS_OPT_COMMENTS, NULL, "csv/tsv: append each table's footer as '# ' lines"},
    KS_CLI_OPT_DB_ROW,
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec spec = {
    .usage = "usage: kasane report --period PERIOD [--compare last-year|previous] [--district NAME]\n"
             "                     [--lang ja|en] [--format F] [--out FILE] [--db FILE]\n\n"
             "Writes a trend summary of one period for coordinators and the coordination\n"
             "council (重層的支援体制推進会議): new, closed, suspended and open cases with\n"
             "their change, monthly trends with tests, who consults, problems and how they\n"
             "combine, compound households, supports and partners, outcomes and time to\n"
             "closure, intake routes, and data quality.\n\n"
             "HTML is one self-contained file (inline CSS and SVG charts, no script, no\n"
             "network) that prints on A4; Markdown and text carry the same tables; table,\n"
             "csv, tsv and json write the tables alone, one after another (with --out\n"
             "FILE, each to FILE.NAME.EXT).  Every number goes through the same\n"
             "disclosure control as `kasane query`: counts below the database's threshold\n"
             "k print as <k, cells that would reveal them as x, and charts show them as\n"
             "hatched marks.  The same database and options give a byte-identical file.\n\n"
             "Periods (fiscal years run April to March):\n"
             "  2025-10            a month\n"
             "  2025Q3             a calendar quarter (July to September 2025)\n"
             "  FY2025Q3           a fiscal quarter (October to December 2025)\n"
             "  FY2025             a fiscal year (April 2025 to March 2026)\n"
             "  2025               a calendar year\n"
             "  2025-04..2026-03   whole months, at most 120\n\n",
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
    .format_default = "html",
};

int cmd_report(ks_cli_ctx *ctx, int argc, char **argv)
{
    ks_report_opts ro = {.compare = KS_REPORT_LAST_YEAR};
    const char *period = NULL;
    ks_error err = {0};
    ctx->out.mode = "html";
    int c;
    while ((c = ks_cli_getopt(ctx, &spec, argc, argv)) >= 0) {
        switch (c) {
        case O_PERIOD: period = optarg; break;
        case O_COMPARE:
            if (strcmp(optarg, "last-year") == 0)
                ro.compare = KS_REPORT_LAST_YEAR;
            else if (strcmp(optarg, "previous") == 0)
                ro.compare = KS_REPORT_PREVIOUS;
            else
                return ks_cli_usage_error("report", "--compare takes last-year or previous");
            break;
        case O_DISTRICT: ro.district = optarg; break;
        default: break;
        }
    }
    if (c == KS_CLI_EXIT)
        return ctx->exit;
    ro.lang = ctx->out.lang;
    if (optind != argc)
        return ks_cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
    if (!period)
        return ks_cli_usage_error("report", "--period is required (e.g. FY2025, 2025Q3, 2025-10)");
    if (ks_period_parse(period, &ro.period, &err))
        return ks_cli_usage_error("report", "%s", err.msg);
    int status = ks_cli_setup(ctx); /* the database, opened in --lang */
    if (status != KS_EXIT_OK)
        return status;
    ks_result *res = NULL;
    if (ks_report_build(ctx->db, &ro, &res, NULL, &err))
        return err.code == KS_EUSAGE ? ks_cli_usage_error("report", "%s", err.msg) : ks_cli_fail(&err);
    /* several tables: the tables way heads each, or gives each its file */
    if (ks_publish(res, &ctx->out, 1, &err) || ks_close_stdout(&err))
        status = ks_cli_fail(&err);
    ks_result_free(res);
    return status;
}
