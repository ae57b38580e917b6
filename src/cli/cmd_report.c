/* cmd_report.c: `kasane report --period P [options]` */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "cli.h"
#include "db.h"
#include "query.h"
#include "report.h"

static const char help[] =
    "usage: kasane report --period PERIOD [--compare last-year|previous] [--district NAME]\n"
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
    "  2025-04..2026-03   whole months, at most 120\n\n"
    "Options:\n"
    "  --period P         the period (required)\n"
    "  --compare C        last-year (default: the same months a year earlier) or\n"
    "                     previous (the months just before)\n"
    "  --district NAME    one district (code, Japanese or English name)\n"
    "  --lang ja|en       text and labels in Japanese (default) or English\n"
    "  --format F         html (default), md or txt\n"
    "  --out FILE         write FILE (atomically, mode 0600) instead of stdout\n"
    "  --db FILE          the database (default $KASANE_DB)\n"
    "  -h, --help         this text\n";

enum { O_PERIOD = 300, O_COMPARE, O_DISTRICT, O_LANG, O_FORMAT, O_OUT, O_DB };

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"period", required_argument, NULL, O_PERIOD},     {"compare", required_argument, NULL, O_COMPARE},
        {"district", required_argument, NULL, O_DISTRICT}, {"lang", required_argument, NULL, O_LANG},
        {"format", required_argument, NULL, O_FORMAT},     {"out", required_argument, NULL, O_OUT},
        {"db", required_argument, NULL, O_DB},             {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    ks_report_opts ro = {.compare = KS_REPORT_LAST_YEAR, .lang = KS_LANG_JA, .format = KS_REPORT_HTML};
    const char *period = NULL, *out_path = NULL, *db_opt = NULL;
    ks_error err = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
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
        case O_LANG:
            if (strcmp(optarg, "ja") == 0)
                ro.lang = KS_LANG_JA;
            else if (strcmp(optarg, "en") == 0)
                ro.lang = KS_LANG_EN;
            else
                return ks_cli_usage_error("report", "--lang takes ja or en");
            break;
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
        case O_DB: db_opt = optarg; break;
        case 'h': printf("%s\n%s", help, ks_cli_exit_help); return KS_EXIT_OK;
        default: return ks_cli_usage_error("report", "unknown option");
        }
    }
    if (optind != argc)
        return ks_cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
    if (!period)
        return ks_cli_usage_error("report", "--period is required (e.g. FY2025, 2025Q3, 2025-10)");
    if (ks_period_parse(period, &ro.period, &err))
        return ks_cli_usage_error("report", "%s", err.msg);
    const char *db_path = ks_cli_db_path(db_opt);
    if (!db_path)
        return ks_cli_usage_error("report", "no database: give --db FILE or set KASANE_DB");
    sqlite3 *db = NULL;
    ks_buf out;
    ks_buf_init(&out);
    int status = KS_EXIT_OK;
    if (ks_analysis_open(db_path, ro.lang, false, NULL, &db, &err) || ks_report_build(db, &ro, &out, NULL, &err)) {
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
    ks_db_close(db);
    ks_buf_release(&out);
    return status;
}
