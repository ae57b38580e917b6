/* cmd_directory.c: `kasane directory build | lookup` -- the consultation-window
 * guide (guide.h).  build writes the public site, its HSDS 3.0 JSON and CSV
 * into a fresh directory and swaps it in whole; lookup prints the windows
 * that fit one choice through the usual output modes. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codes.h"
#include "commands.h"
#include "db.h"
#include "guide.h"
#include "guide_site.h"
#include "guide_write.h"
#include "publish.h"
#include "report.h"
#include "text.h"

enum { O_PROFILE = 300, O_PERIOD, O_TODAY, O_STAFF, O_PROBLEM, O_AGE, O_HOUSEHOLD,
       O_DISTRICT, O_OPEN_NOW, O_AT, O_OPEN_ON };

static const ks_cli_opt opts[] = {
    KS_CLI_TEXT("Both:\n"),
    {"profile", O_PROFILE, "P", "the windows' records from profile P (default: the database's)"},
    {"period", O_PERIOD, "P",
     "the cases of whole months P, as the report takes it: FY2025, 2025, 2025Q3, FY2025Q3, 2025-10, "
     "2024-04..2026-03 (default: every case)"},
    {"today", O_TODAY, "DATE", "the build date (the records' 12-month check, the holiday list)"},
    KS_CLI_TEXT("\nbuild:\n"),
    {"staff-report", O_STAFF, "FILE", "write what was left out and why to FILE (staff only; not inside DIR)"},
    KS_CLI_TEXT("\nlookup:\n"),
    {"problem", O_PROBLEM, "CODE", "the problem (code or Japanese label; required)"},
    {"age", O_AGE, "AGE", "an age (52), a 5-year band (50-54) or an age group (40-64)"},
    {"household", O_HOUSEHOLD, "TYPE", "household type (single, couple, parent_child, ... or 単身, ...)"},
    {"district", O_DISTRICT, "NAME", "district (name or code)"},
    {"open-now", O_OPEN_NOW, NULL, "only windows open now (or at --at)"},
    {"at", O_AT, "YYYY-MM-DDTHH:MM", "the clock for --open-now (Japan time; default: now)"},
    {"open-on", O_OPEN_ON, "DATE", "only windows open at some time on DATE (YYYY-MM-DD; holidays and 12/29-1/3 count)"},
    KS_CLI_TEXT("\nOutput:\n"),
    {"out", KS_OPT_OUT, "DIR|FILE",
     "build: the site's directory (created, or replaced when it holds an earlier build; required); lookup: "
     "write to FILE (atomically, mode 0600) instead of stdout"},
    {"lang", KS_OPT_LANG, "ja|en", "the site's language / lookup's labels: Japanese (default) or English"},
    {"format", KS_OPT_FORMAT, "MODE", "lookup: the output format"},
    {"bom", KS_OPT_BOM, NULL, "lookup, csv: start with a UTF-8 byte-order mark (for Excel)"},
    {"comments", KS_OPT_COMMENTS, NULL, "lookup, csv/tsv: append the footer as '# ' lines"},
    KS_CLI_OPT_DB_ROW,
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec spec = {
    .usage = "usage: kasane directory build --out DIR [--lang ja|en] [--profile P] [--period P]\n"
             "                              [--staff-report FILE] [--db FILE]\n"
             "       kasane directory lookup --problem CODE [--age A] [--household T] [--district D]\n"
             "                               [--open-now [--at YYYY-MM-DDTHH:MM] | --open-on DATE] [--format F] [--db FILE]\n\n"
             "The consultation-window guide: which windows and agencies fit which problems\n"
             "and attributes, from the profile's window records and the case data, for\n"
             "anyone to look up.  build writes a static site (index.html, how.html, assets/),\n"
             "Open Referral HSDS 3.0 JSON (hsds/) and CSV for Excel (windows.csv) that work\n"
             "from a USB stick or any web server; lookup prints the same answer here.\n\n"
             "It is the one output meant for the public, so it is anonymous, not\n"
             "pseudonymous: every count goes through the cell key method and is shown only\n"
             "as a band (5-9, 10-19, 20-49, 50-99, 100+ cases), a combination only when it\n"
             "holds at least k distinct persons, shares as classes and rates to 5 points\n"
             "(docs/directory.md).  What was left out is for staff: --staff-report.\n\n",
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
};

typedef struct dir_opts {
    ks_guide_opts g;       /* profile, period, today */
    const char *staff;     /* build: --staff-report */
    const char *problem;   /* lookup: --problem */
    const char *age;       /* lookup: --age */
    const char *household; /* lookup: --household */
    const char *district;  /* lookup: --district */
    bool open_now;         /* lookup: --open-now */
    const char *at;        /* lookup: --at */
    const char *open_on;   /* lookup: --open-on */
    char from[KS_DATE_ISO_SIZE]; /* --period's first day */
    char to[KS_DATE_ISO_SIZE];   /* --period's last day */
} dir_opts;

static int dir_option(int c, dir_opts *o)
{
    switch (c) {
    case O_PROFILE: o->g.profile = optarg; break;
    case O_PERIOD: {
        /* whole months only: a period cut to the day would date the cases
         * at its edges, and one day more is the differencing attack
         * docs/directory.md describes */
        ks_period per;
        ks_error err = {0};
        if (ks_period_parse(optarg, &per, &err))
            return ks_cli_usage_error("directory", "%s", err.msg);
        ks_date_format((ks_date){(int16_t)(per.first / 12), (int8_t)(per.first % 12 + 1), 1}, o->from);
        ks_date last = ks_date_from_days(
            ks_date_days((ks_date){(int16_t)((per.last + 1) / 12), (int8_t)((per.last + 1) % 12 + 1), 1}) - 1);
        ks_date_format(last, o->to);
        o->g.from = o->from;
        o->g.to = o->to;
        break;
    }
    case O_TODAY: o->g.today = optarg; break;
    case O_STAFF: o->staff = optarg; break;
    case O_PROBLEM: o->problem = optarg; break;
    case O_AGE: o->age = optarg; break;
    case O_HOUSEHOLD: o->household = optarg; break;
    case O_DISTRICT: o->district = optarg; break;
    case O_OPEN_NOW: o->open_now = true; break;
    case O_AT: o->at = optarg; break;
    case O_OPEN_ON: o->open_on = optarg; break;
    default: break;
    }
    return KS_EXIT_OK;
}

/* ---- build ------------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Removes a directory tree this command wrote. */
static int remove_tree(const char *dir)
{
    return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The marker that says a directory holds a build (and may be replaced). */
static const char marker[] = ".kasane-directory";

static bool is_earlier_build(const char *dir)
{
    ks_buf path;
    ks_buf_init(&path);
    ks_buf_addf(&path, "%s/%s", dir, marker);
    bool yes = access(path.buf, F_OK) == 0;
    ks_buf_release(&path);
    return yes;
}

/* Writes the marker, the site, HSDS and the CSV into `tmp`. */
static int write_all(const ks_guide *g, const char *tmp, const char *lang, ks_error *err)
{
    ks_buf path;
    ks_buf_init(&path);
    ks_buf_addf(&path, "%s/%s", tmp, marker);
    FILE *f = fopen(path.buf, "w");
    int rc = 0;
    if (!f || fprintf(f, "kasane %s directory build\n", KASANE_VERSION) < 0 || fclose(f) != 0)
        rc = ks_error_set(err, KS_EIO, "%s: %s", path.buf, strerror(errno));
    ks_buf_reset(&path);
    ks_buf_addf(&path, "%s/windows.csv", tmp);
    if (rc == 0 && (rc = ks_guide_write_site(g, tmp, lang, err)) == 0 && (rc = ks_guide_write_hsds(g, tmp, err)) == 0)
        rc = ks_guide_write_csv(g, path.buf, lang, err);
    ks_buf_release(&path);
    return rc;
}

/* Builds into a fresh sibling directory and renames it into place, so a
 * reader (or the city's web server) never sees half a site; an existing
 * DIR is replaced only when it holds an earlier build. */
static int build_into(const ks_guide *g, const char *dir, const char *lang, ks_error *err)
{
    struct stat st;
    bool exists = stat(dir, &st) == 0;
    if (exists && (!S_ISDIR(st.st_mode) || !is_earlier_build(dir)))
        return ks_error_set(err, KS_EUSAGE, "%s exists and does not hold an earlier `kasane directory build`", dir);
    char tmp[4096], old[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", dir);
    if (!mkdtemp(tmp))
        return ks_error_set(err, KS_EIO, "%s: %s", tmp, strerror(errno));
    chmod(tmp, 0755); /* a public site: readable by the web server */
    int rc = write_all(g, tmp, lang, err);
    if (rc == 0 && exists) {
        snprintf(old, sizeof old, "%s.old-XXXXXX", dir);
        if (!mkdtemp(old) || rmdir(old) != 0 || rename(dir, old) != 0)
            rc = ks_error_set(err, KS_EIO, "%s: cannot move the earlier build aside: %s", dir, strerror(errno));
    }
    if (rc == 0 && rename(tmp, dir) != 0) {
        rc = ks_error_set(err, KS_EIO, "%s: %s", dir, strerror(errno));
        if (exists)
            rename(old, dir); /* put the earlier build back */
    }
    if (rc)
        remove_tree(tmp);
    else if (exists)
        remove_tree(old);
    return rc;
}

/* --staff-report must not land in the public directory. */
static bool inside(const char *file, const char *dir)
{
    char *rf = realpath(file, NULL), *rd = realpath(dir, NULL);
    bool in = false;
    if (!rf) {
        /* the file does not exist yet: its directory decides */
        char *copy = ks_strdup(file), *slash = strrchr(copy, '/');
        if (slash)
            *slash = '\0';
        rf = realpath(slash ? copy : ".", NULL);
        free(copy);
    }
    if (rf && rd) {
        size_t n = strlen(rd);
        in = strncmp(rf, rd, n) == 0 && (rf[n] == '/' || rf[n] == '\0');
    }
    free(rf);
    free(rd);
    return in;
}

/* The staff report: one row per thing left out, and why. */
static int staff_report(ks_cli_ctx *ctx, const ks_guide *g, const char *path, ks_error *err)
{
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "window", "window", KS_COL_TEXT, NULL);
    ks_table_add_column(t, "what", "what", KS_COL_TEXT, NULL);
    ks_table_add_column(t, "why", "why", KS_COL_TEXT, NULL);
    for (size_t i = 0; i < g->nomitted; i++) {
        size_t row = ks_table_add_row(t);
        ks_table_set_text(t, row, 0, g->omitted[i].window, NULL);
        ks_table_set_text(t, row, 1, g->omitted[i].what, NULL);
        ks_table_set_text(t, row, 2, g->omitted[i].why, NULL);
    }
    ks_policy pol;
    int rc = ks_policy_load(ctx->db, &pol, err);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    ks_result *r = ks_result_new(&pol);
    ks_policy_release(&pol);
    const char *note = "for staff only: never publish (the combinations named here hold 1 to k-1 persons)";
    ks_output o = ctx->out;
    o.out_path = path;
    if (!o.mode || strcmp(o.mode, "table") == 0)
        o.mode = "tsv";
    if ((rc = ks_result_add(r, "omitted", "left out of the guide", t, NULL, &note, 1, NULL, err)) == 0)
        rc = ks_publish(r, &o, 0, err);
    ks_result_free(r);
    ks_table_free(t);
    return rc;
}

static int verb_build(ks_cli_ctx *ctx, const dir_opts *o)
{
    const char *out_dir = ctx->out.out_path; /* --out: a directory here */
    if (!out_dir)
        return ks_cli_usage_error("directory", "build needs --out DIR");
    if (o->staff && inside(o->staff, out_dir))
        return ks_cli_usage_error("directory", "--staff-report must not be inside the public directory %s",
                                  out_dir);
    int status = ks_cli_setup(ctx);
    if (status != KS_EXIT_OK)
        return status;
    ks_error err = {0};
    ks_guide *g = NULL;
    const char *lang = ctx->out.lang == KS_LANG_EN ? "en" : "ja";
    if (ks_guide_build(ctx->db, &o->g, &g, &err) || build_into(g, out_dir, lang, &err) ||
        (o->staff && staff_report(ctx, g, o->staff, &err)))
        status = ks_cli_fail(&err);
    else
        fprintf(stderr,
                "kasane directory: wrote %s (%zu windows); left out: %zu windows without evidence or record, "
                "about %zu combinations under the persons rule, %zu records not assured in 12 months%s\n",
                out_dir, g->nwindows, g->n_omitted_windows, g->n_omitted_combos, g->n_unassured,
                o->staff ? "" : " (details: --staff-report FILE)");
    ks_guide_free(g);
    return status;
}

/* ---- lookup ----------------------------------------------------------------- */

/* A code of `kind` by code or label (folded as every label lookup is). */
static int code_id(ks_code_kind kind, const char *text)
{
    ks_buf f;
    ks_buf_init(&f);
    int id = ks_text_fold_label(text, strlen(text), &f) == 0 ? ks_code_lookup(kind, f.buf, f.len) : 0;
    ks_buf_release(&f);
    return id;
}

static int district_id(const ks_guide *g, const char *text)
{
    ks_buf f;
    ks_buf_init(&f);
    int id = ks_text_fold_label(text, strlen(text), &f) == 0 ? ks_profile_district(g->profile, f.buf, f.len) : 0;
    ks_buf_release(&f);
    return id;
}

/* --at, or now in Japan (JST has no daylight saving). */
static int parse_at(const char *at, ks_guide_query *q)
{
    if (!at) {
        q->at_date = ks_date_jst(time(NULL), &q->at_minute);
        return 0;
    }
    int hh, mm;
    char rest;
    if (strlen(at) < 16 || at[10] != 'T' || ks_date_parse(at, 10, &q->at_date) != KS_DATE_OK ||
        sscanf(at + 11, "%2d:%2d%c", &hh, &mm, &rest) != 2 || hh > 23 || mm > 59)
        return -1;
    q->at_minute = hh * 60 + mm;
    return 0;
}

static int make_query(const ks_guide *g, const dir_opts *o, ks_guide_query *q)
{
    *q = (ks_guide_query){.age_group = -1, .open_now = o->open_now};
    if (!o->problem)
        return ks_cli_usage_error("directory", "lookup needs --problem CODE");
    if (!(q->problem_id = code_id(KS_CODE_PROBLEM, o->problem)))
        return ks_cli_usage_error("directory", "unknown problem '%s'", o->problem);
    if (o->age && (q->age_group = ks_guide_age_parse(o->age)) < 0)
        return ks_cli_usage_error("directory", "--age takes an age, a band like 50-54 or a group like 40-64: %s",
                                  o->age);
    if (o->household && !(q->household = code_id(KS_CODE_HOUSEHOLD, o->household)))
        return ks_cli_usage_error("directory", "unknown household type '%s'", o->household);
    if (o->district && !(q->district = district_id(g, o->district)))
        return ks_cli_usage_error("directory", "unknown district '%s'", o->district);
    if (parse_at(o->at, q))
        return ks_cli_usage_error("directory", "--at takes YYYY-MM-DDTHH:MM: %s", o->at);
    if (o->open_on) {
        if (o->open_now)
            return ks_cli_usage_error("directory", "--open-now and --open-on exclude each other");
        if (strlen(o->open_on) != 10 || ks_date_parse(o->open_on, 10, &q->at_date) != KS_DATE_OK)
            return ks_cli_usage_error("directory", "--open-on takes YYYY-MM-DD: %s", o->open_on);
        q->open_on = true;
    }
    return KS_EXIT_OK;
}

/* A band's words; kasane-weak's exact count where it set one (weaken.h). */
static void add_band(ks_buf *b, ks_guide_band band, int64_t exact, int k, const char *lang)
{
    if (exact)
        ks_buf_addf(b, "%lld", (long long)exact);
    else
        ks_buf_adds(b, ks_guide_band_label(band, k, lang));
}

/* The evidence's attributes with the problem: "40〜64歳 10〜19件; 単身 5〜9件". */
static char *attrs_text(const ks_guide *g, const ks_guide_problem *p, const char *lang)
{
    ks_buf b;
    ks_buf_init(&b);
    for (size_t i = 0; i < p->nattrs; i++) {
        const ks_guide_attr *a = &p->attrs[i];
        static const char *const dims[] = {"age", "household", "district"};
        ks_buf_addf(&b, "%s%s:%s=", i ? "; " : "", dims[a->dim], a->code);
        add_band(&b, a->band, a->exact, g->k, lang);
    }
    return ks_buf_detach(&b, NULL);
}

enum { L_CODE, L_RANK, L_NAME, L_CASES, L_SHARE, L_RATE, L_MATCHED, L_WITH, L_HOURS, L_PHONE, L_ATTRS };

static ks_table *lookup_table(bool en)
{
    static const char *const cols[][3] = {
        {"code", "コード", "code"},         {"rank", "順位", "rank"},         {"name", "窓口・機関", "window"},
        {"cases", "件数(帯)", "cases (band)"}, {"share", "関与の割合", "share"}, {"good_rate", "良好率", "good outcomes"},
        {"matched", "一致", "matched"},     {"with", "よく一緒に関わる", "usually works with"},
        {"hours", "受付時間", "hours"},     {"phone", "電話", "phone"},         {"attrs", "実績のある属性", "attributes"}};
    ks_table *t = ks_table_new();
    for (size_t j = 0; j < KS_ARRAY_LEN(cols); j++)
        ks_table_add_column(t, cols[j][0], cols[j][en ? 2 : 1], KS_COL_TEXT, NULL);
    return t;
}

/* the buffer's text, "" when empty (after ks_buf_reset too) */
static const char *bstr(const ks_buf *b)
{
    return b->len ? b->buf : "";
}

static void lookup_row(ks_table *t, const ks_guide *g, const ks_guide_hit *h, size_t rank, const char *lang)
{
    bool en = strcmp(lang, "en") == 0;
    const ks_guide_window *w = &g->windows[h->window];
    size_t row = ks_table_add_row(t);
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_addf(&b, "%zu", rank);
    ks_table_set_text(t, row, L_RANK, bstr(&b), NULL);
    ks_table_set_text(t, row, L_CODE, w->partner->code, NULL);
    ks_table_set_text(t, row, L_NAME, en ? w->partner->name_en : w->partner->name_ja, NULL);
    ks_buf_reset(&b);
    add_band(&b, h->problem->band, h->problem->exact, g->k, lang);
    ks_table_set_text(t, row, L_CASES, bstr(&b), NULL);
    ks_table_set_text(t, row, L_SHARE, ks_guide_share_label(h->problem->share, lang), NULL);
    ks_buf_reset(&b);
    if (h->problem->has_rate)
        ks_buf_addf(&b, en ? "about %d%% (95%% CI %d-%d%%)" : "約%d%%（95%%信頼区間 %d〜%d%%）", h->problem->rate_pct,
                    h->problem->rate_lo_pct, h->problem->rate_hi_pct);
    ks_table_set_text(t, row, L_RATE, bstr(&b), NULL);
    ks_buf_reset(&b);
    ks_buf_addf(&b, "%d", h->matched);
    ks_table_set_text(t, row, L_MATCHED, bstr(&b), NULL);
    ks_buf_reset(&b);
    for (size_t i = 0; i < w->nwith; i++) {
        const ks_partner *p = g->windows[w->with[i]].partner;
        ks_buf_addf(&b, "%s%s", i ? "、" : "", en ? p->name_en : p->name_ja);
    }
    ks_table_set_text(t, row, L_WITH, bstr(&b), NULL);
    char *hours = w->rec ? ks_hours_text(&w->rec->hours, lang) : NULL;
    ks_table_set_text(t, row, L_HOURS, hours ? hours : "", NULL);
    free(hours);
    ks_table_set_text(t, row, L_PHONE, w->rec ? w->rec->phone : "", NULL);
    char *attrs = attrs_text(g, h->problem, lang);
    ks_table_set_text(t, row, L_ATTRS, attrs, NULL);
    free(attrs);
    ks_buf_release(&b);
}

static int print_lookup(ks_cli_ctx *ctx, const ks_guide *g, const ks_guide_hit *hits, size_t n, ks_error *err)
{
    const char *lang = ctx->out.lang == KS_LANG_EN ? "en" : "ja";
    ks_table *t = lookup_table(ctx->out.lang == KS_LANG_EN);
    for (size_t i = 0; i < n; i++)
        lookup_row(t, g, &hits[i], i + 1, lang);
    char note[512];
    snprintf(note, sizeof note,
             ctx->out.lang == KS_LANG_EN
                 ? "cases %s to %s; counts as bands through the cell key method, a combination only with %d or more "
                   "persons (docs/directory.md)"
                 : "%s〜%sの相談; 件数は攪乱後の帯で表示、組み合わせは%d人以上のときだけ表示 (docs/directory.md)",
             g->period_from, g->period_to, g->k);
    const char *notes[1] = {note};
    ks_policy pol;
    int rc = ks_policy_load(ctx->db, &pol, err);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    ks_result *r = ks_result_new(&pol);
    ks_policy_release(&pol);
    if ((rc = ks_result_add(r, "windows", ctx->out.lang == KS_LANG_EN ? "Windows that fit" : "合う窓口", t, NULL,
                            notes, 1, NULL, err)) == 0)
        rc = ks_publish(r, &ctx->out, 0, err);
    ks_result_free(r);
    ks_table_free(t);
    return rc;
}

static int verb_lookup(ks_cli_ctx *ctx, const dir_opts *o)
{
    int status = ks_cli_setup(ctx);
    if (status != KS_EXIT_OK)
        return status;
    ks_error err = {0};
    ks_guide *g = NULL;
    ks_guide_hit *hits = NULL;
    size_t n = 0;
    ks_guide_query q;
    if (ks_guide_build(ctx->db, &o->g, &g, &err))
        status = ks_cli_fail(&err);
    else if ((status = make_query(g, o, &q)) == KS_EXIT_OK &&
             (ks_guide_lookup(g, &q, &hits, &n, &err) || print_lookup(ctx, g, hits, n, &err) ||
              ks_close_stdout(&err)))
        status = ks_cli_fail(&err);
    free(hits);
    ks_guide_free(g);
    return status;
}

int cmd_directory(ks_cli_ctx *ctx, int argc, char **argv)
{
    dir_opts o = {0};
    int c = KS_CLI_DONE, status = KS_EXIT_OK;
    while (status == KS_EXIT_OK && (c = ks_cli_getopt(ctx, &spec, argc, argv)) >= 0)
        status = dir_option(c, &o);
    /* the build date: --today, else $KASANE_BUILD_DATE (reproducible
     * builds, tests), else today in Japan */
    if (!o.g.today)
        o.g.today = getenv("KASANE_BUILD_DATE");
    if (status == KS_EXIT_OK && c == KS_CLI_EXIT)
        status = ctx->exit;
    else if (status == KS_EXIT_OK) {
        const char *verb = optind < argc ? argv[optind] : NULL;
        if (verb && optind + 1 < argc)
            status = ks_cli_usage_error("directory", "unexpected argument '%s'", argv[optind + 1]);
        else if (verb && strcmp(verb, "build") == 0)
            status = verb_build(ctx, &o);
        else if (verb && strcmp(verb, "lookup") == 0)
            status = verb_lookup(ctx, &o);
        else
            status = ks_cli_usage_error("directory", "%s: say build or lookup", verb ? verb : "no verb");
    }
    return status;
}
