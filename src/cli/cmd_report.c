/* cmd_report.c: `kasane report --period P [options]` */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db.h"
#include "query.h"
#include "report.h"

enum { O_PERIOD = 300, O_COMPARE, O_DISTRICT, O_FORMAT, O_OUT };

/* --lang is output.h's (ks_output_option parses it into ctx->out); --format
 * and --out are the report's own. */
static const ks_cli_opt opts[] = {
    KS_CLI_TEXT("Options:\n"),
    {"period", O_PERIOD, "P", "the period (required)"},
    {"compare", O_COMPARE, "C",
     "last-year (default: the same months a year earlier) or previous (the months just before)"},
    {"district", O_DISTRICT, "NAME", "one district (code, Japanese or English name)"},
    {"lang", KS_OPT_LANG, "ja|en", "text and labels in Japanese (default) or English"},
    {"format", O_FORMAT, "F", "html (default), md or txt"},
    {"out", O_OUT, "FILE", "write FILE (atomically, mode 0600) instead of stdout"},
    KS_CLI_OPT_DB_ROW,
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec spec = {
    .usage = "usage: kasane report --period PERIOD [--compare last-year|previous] [--district NAME]\n"
             "                     [--lang ja|en] [--format html|md|txt] [--out FILE] [--db FILE]\n\n"
             "Writes a trend summary of one period for coordinators and the coordination\n"
             "council (重層的支援体制推進会議): new, closed, suspended and open cases with\n"
             "their change, monthly trends with tests, who consults, problems and how they\n"
             "combine, compound households, supports and partners, outcomes and time to\n"
             "closure, intake routes, and data quality.\n\n"
             "HTML is one self-contained file (inline CSS and SVG charts, no script, no\n"
             "network) that prints on A4; Markdown and text carry the same tables.  Every\n"
             "number goes through the same disclosure control as `kasane query`: counts\n"
             "below the database's threshold k print as <k, cells that would reveal them as\n"
             "x, and charts show them as hatched marks.  The same database and options give\n"
             "a byte-identical file.\n\n"
             "Periods (fiscal years run April to March):\n"
             "  2025-10            a month\n"
             "  2025Q3             a calendar quarter (July to September 2025)\n"
             "  FY2025Q3           a fiscal quarter (October to December 2025)\n"
             "  FY2025             a fiscal year (April 2025 to March 2026)\n"
             "  2025               a calendar year\n"
             "  2025-04..2026-03   whole months, at most 120\n\n",
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
};

int cmd_report(ks_cli_ctx *ctx, int argc, char **argv)
{
    ks_report_opts ro = {.compare = KS_REPORT_LAST_YEAR, .format = KS_REPORT_HTML};
    const char *period = NULL, *out_path = NULL;
    ks_error err = {0};
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
        case O_FORMAT:
            if (strcmp(optarg, "html") == 0)
                ro.format = KS_REPORT_HTML;
            else if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0)
                ro.format = KS_REPORT_MD;
            else if (strcmp(optarg, "txt") == 0 || strcmp(optarg, "text") == 0)
                ro.format = KS_REPORT_TXT;
            else
                return ks_cli_usage_error("report", "--format takes html, md or txt");
            break;
        case O_OUT: out_path = optarg; break;
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
    ks_buf out;
    ks_buf_init(&out);
    if (ks_report_build(ctx->db, &ro, &out, NULL, &err)) {
        status = err.code == KS_EUSAGE ? ks_cli_usage_error("report", "%s", err.msg) : ks_cli_fail(&err);
        goto done;
    }
    if (out_path) {
        if (ks_write_file_atomic(out_path, out.buf, out.len, 0600, &err))
            status = ks_cli_fail(&err);
    } else if (fwrite(out.buf, 1, out.len, stdout) != out.len || ks_close_stdout(&err)) {
        if (!err.code)
            ks_error_set(&err, KS_EIO, "writing the report to stdout failed");
        status = ks_cli_fail(&err);
    }
done:
    ks_buf_release(&out);
    return status;
}
