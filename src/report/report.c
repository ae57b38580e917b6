/* report.c: `kasane report` — gathers the cases once, has the sections build
 * every table, protect it (ks_suppress) and draw the charts from the
 * protected tables (report_trend.c, report_needs.c, report_outcomes.c, with
 * the helpers of report_table.c; report_internal.h), and returns them as one
 * result with its document for the caller to publish (publish.h: the audit
 * of all tables together, then the writer --format names).
 *
 * Data: one read of case_record (the columns the report needs, problem,
 * support and partner sets as the bit masks the importer stores), kept in
 * memory as a compact array; every figure is counted from it in C.  That is
 * one scan of the table instead of one per figure, which keeps a fiscal-year
 * report on a million cases within a few seconds, and it makes the tests'
 * SQL an independent check.
 *
 * Which cases count where:
 *   new cases      consult_date in the period (the unit of most sections)
 *   closed         status 終結 and closed_date in the period
 *   suspended      status 中断 and closed_date in the period
 *   ongoing at end consult_date <= period end and no closed_date up to it
 *   outcomes       cases closed (終結) in the period
 *   time to close  new cases of the period, followed to the database's last
 *                  date; 終結 is the event, 中断 and still open are censored
 *   households     households with a new case in the period, looking at all
 *                  their cases consulted up to the period end */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "publish.h"
#include "rkey.h"
#include "text.h"
#include "report_internal.h"

/* ---- reading the database ---------------------------------------------------- */

static int32_t month_day0(int month)
{
    ks_date d = {(int16_t)(month / 12), (int8_t)(month % 12 + 1), 1};
    return ks_date_days(d);
}

static void labels_release(labels *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->name[i]);
    free(l->name);
    free(l->field);
    free(l->kind);
    memset(l, 0, sizeof *l);
}

/* Reads "id, label_ja, label_en [, field, kind]" rows; English falls back to
 * Japanese where the profile has no English name. */
static int load_labels(sqlite3 *db, const char *sql, bool en, labels *l, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, sql, &st, err);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0);
        if (id < 0 || id >= 4096)
            continue;
        if ((size_t)id >= l->n) {
            size_t nn = (size_t)id + 1;
            l->name = ks_realloc(l->name, ks_mul(nn, sizeof *l->name));
            l->field = ks_realloc(l->field, ks_mul(nn, sizeof *l->field));
            l->kind = ks_realloc(l->kind, ks_mul(nn, sizeof *l->kind));
            for (size_t i = l->n; i < nn; i++) {
                l->name[i] = NULL;
                l->field[i] = 0;
                l->kind[i] = 0;
            }
            l->n = nn;
        }
        const char *ja = (const char *)sqlite3_column_text(st, 1);
        const char *e = (const char *)sqlite3_column_text(st, 2);
        const char *pick = en && e && *e ? e : ja;
        free(l->name[id]);
        l->name[id] = ks_strdup(pick ? pick : "?");
        if (sqlite3_column_count(st) > 3)
            l->field[id] = sqlite3_column_int(st, 3);
        if (sqlite3_column_count(st) > 4)
            l->kind[id] = sqlite3_column_int(st, 4);
    }
    if (step != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

static int32_t parse_days(const unsigned char *s)
{
    if (!s)
        return NO_DATE;
    int y = 0, m = 0, d = 0;
    for (int i = 0; i < 4; i++)
        y = y * 10 + (s[i] - '0');
    if (s[4] != '-')
        return NO_DATE;
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    ks_date dt = {(int16_t)y, (int8_t)m, (int8_t)d};
    return ks_date_days(dt);
}

/* One function: one statement's rows read column by column into the
 * report's case array, with the period bounds it derives on the way. */
static int load_cases(sqlite3 *db, rep *r, ks_error *err)
{
    static const char sql[] =
        "SELECT consult_date, closed_date, CASE WHEN minor THEN 0 WHEN age_band_id IS NULL THEN -1 ELSE max((age_band_id - 1) * 5, 18) END, ifnull(age_band_id, 0), ifnull(sex_id, 0), "
        "ifnull(household_type_id, 0), district_id, ifnull(intake_route_id, 0), ifnull(intake_agency_id, -1), "
        "ifnull(meeting_type_id, 0), status_id, ifnull(outcome_id, 0), main_problem_id, problem_mask, "
        "support_mask, partner_mask, ifnull(household_id, 0), person_id, problem_count, case_id FROM main.case_record";
    sqlite3_stmt *st = NULL;
    ks_rkeys *keys = NULL;
    /* under the cell key method every case's record key, summed into the
     * key of each cell it is counted in */
    int rc = r->ck ? ks_rkeys_load(db, "main", &keys, err) : 0;
    if (rc)
        return rc;
    if (r->ck && !keys)
        return ks_error_set(err, KS_ESAFETY, "the database has no record keys, so the report's counts cannot go "
                                             "through the cell key method; import again to give every case one");
    if ((rc = ks_db_prepare(db, sql, &st, err))) {
        ks_rkeys_free(keys);
        return rc;
    }
    size_t cap = 0;
    int step;
    int first = INT32_MAX;
    int32_t last = INT32_MIN;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *od = sqlite3_column_text(st, 0);
        if (!od || sqlite3_column_bytes(st, 0) < 10)
            continue;
        int32_t open = parse_days(od);
        int32_t close = sqlite3_column_bytes(st, 1) >= 10 ? parse_days(sqlite3_column_text(st, 1)) : NO_DATE;
        int month = ((od[0] - '0') * 1000 + (od[1] - '0') * 100 + (od[2] - '0') * 10 + (od[3] - '0')) * 12 +
                    (od[5] - '0') * 10 + (od[6] - '0') - 1;
        if (month < first)
            first = month;
        if (open > last)
            last = open;
        if (close != NO_DATE && close > last)
            last = close;
        int district = sqlite3_column_int(st, 6);
        if (open > r->p1 || (r->district && district != r->district))
            continue;
        if (r->n == cap) {
            cap = cap ? cap * 2 : 4096;
            r->c = ks_realloc(r->c, ks_mul(cap, sizeof *r->c));
        }
        rcase *c = &r->c[r->n++];
        c->open = open;
        c->close = close;
        c->month = month;
        int age = sqlite3_column_int(st, 2);
        c->age = (int16_t)(age < -1 || age > 150 ? -1 : age);
        c->age_band = (uint8_t)sqlite3_column_int(st, 3);
        c->sex = (uint8_t)sqlite3_column_int(st, 4);
        c->hh_type = (uint8_t)sqlite3_column_int(st, 5);
        c->district = (uint8_t)district;
        c->route = (uint8_t)sqlite3_column_int(st, 7);
        c->agency = (int16_t)sqlite3_column_int(st, 8);
        c->meeting = (uint8_t)sqlite3_column_int(st, 9);
        c->status = (uint8_t)sqlite3_column_int(st, 10);
        c->outcome = (uint8_t)sqlite3_column_int(st, 11);
        c->main = (uint8_t)sqlite3_column_int(st, 12);
        c->problems = (uint64_t)sqlite3_column_int64(st, 13);
        c->supports = (uint64_t)sqlite3_column_int64(st, 14);
        c->partners = (uint64_t)sqlite3_column_int64(st, 15);
        c->household = sqlite3_column_int64(st, 16);
        c->person = sqlite3_column_int64(st, 17);
        c->nprob = (uint8_t)sqlite3_column_int(st, 18);
        c->key = 0;
        if (keys && !ks_rkeys_get(keys, KS_RKEY_CASE, sqlite3_column_int64(st, 19), &c->key)) {
            rc = ks_error_set(err, KS_ESAFETY, "some cases have no record key, so their counts cannot go through "
                                               "the cell key method; import again to give every case one");
            break;
        }
        c->hkey = 0;
        if (keys && c->household && !ks_rkeys_get(keys, KS_RKEY_HOUSEHOLD, c->household, &c->hkey)) {
            rc = ks_error_set(err, KS_ESAFETY, "some households have no record key, so their counts cannot go "
                                               "through the cell key method; import again to give every one a key");
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    ks_rkeys_free(keys);
    r->data_first = first == INT32_MAX ? r->P.first : first;
    r->data_end = last == INT32_MIN ? r->p1 : last;
    return rc;
}

/* ---- 9. about ------------------------------------------------------------------ */

static void sec_about(rep *r)
{
    ks_doc_section *sec = ks_doc_section_add(r->doc, "about", L("9. この報告について", "9. About this report"));
    ks_buf b;
    ks_buf_init(&b);
    if (r->ck) {
        /* the method and the ptable's hash, so that an auditor can
         * reproduce every figure from the database */
        if (r->en)
            ks_buf_addf(&b, "Disclosure control: cell key method (ptable SHA-256 %s). Every count is published "
                            "perturbed: the true count plus a small noise fixed by the ptable and the sum of the "
                            "counted records' keys, so the same cases always give the same figure; no count from 1 "
                            "to %d is published. Every count and total is perturbed on its own, so parts may not add "
                            "up to the totals; shares, rates, lifts and trends are computed from the published "
                            "counts.",
                        r->ptable_sha, r->k - 1);
        else
            ks_buf_addf(&b, "秘匿の方法：セルキー法 (ptable SHA-256 %s)。すべての件数は、ptableと集計した記録のキーの合計で決まる"
                            "小さな撹乱を加えて公表しています（同じ相談の集まりからは常に同じ値）。1〜%d件の値は公表しません。"
                            "件数と合計はそれぞれ撹乱するため、内訳の計と合計は一致しない場合があります。割合・率・リフト・傾向は"
                            "公表した件数から計算しています。",
                        r->ptable_sha, r->k - 1);
        ks_doc_add(sec, KS_DOC_BULLET, b.buf, NULL, NULL);
        ks_buf_reset(&b);
    }
    if (!r->own_suppress) {
        /* cell key method alone: no suppression to describe */
    } else if (r->en)
        ks_buf_addf(&b, "Disclosure control: every count from 1 to %d is hidden (\"<%d\"); in tables with totals more "
                        "cells are hidden so that none can be worked out by subtraction (\"x\"); shares and rates of "
                        "hidden counts are hidden; charts show hidden values as hatched marks. Zeros are shown.",
                    r->k - 1, r->k);
    else
        ks_buf_addf(&b, "秘匿の方法：1〜%d件の数値は「<%d」として伏せ、合計のある表では引き算で求められないよう他のセルも伏せています（x）。"
                        "伏せた数値の割合・率も伏せ、図では斜線の印で示します。0件はそのまま表示します。",
                    r->k - 1, r->k);
    if (r->own_suppress)
        ks_doc_add(sec, KS_DOC_BULLET, b.buf, NULL, NULL);
    ks_doc_add(sec, KS_DOC_BULLET,
               L("新規相談＝相談日が期間内の相談。終結・中断＝終結日が期間内で状況が終結・中断のもの。"
                 "期末時点の継続中＝期間末日までに相談があり、その日までに終結日がないもの。",
                 "New cases: consultation date in the period. Closed/suspended: closing date in the period with status "
                 "closed/suspended. Open at period end: consulted by the period's last day with no closing date by "
                 "then."),
               NULL, NULL);
    ks_doc_add(sec, KS_DOC_BULLET,
               L("年度は4月〜翌年3月。主たる課題は記録の最初に書かれた課題です。",
                 "Fiscal years run April to March. The main problem is the first problem listed in the record."),
               NULL, NULL);
    ks_doc_add(sec, KS_DOC_BULLET,
               L("期間の差し引きで小さな集団が分かることがあるため、公表する表と期間は決まった組み合わせにしてください。",
                 "Subtracting one period or grouping from another can isolate small groups: publish a fixed set of "
                 "tables per period."),
               NULL, NULL);
    ks_buf_release(&b);
}

/* ---- the whole report -------------------------------------------------------------- */

static int find_district(sqlite3 *db, const char *name, int *id, ks_error *err)
{
    ks_buf want, got;
    ks_buf_init(&want);
    ks_buf_init(&got);
    int rc = 0;
    *id = 0;
    if (ks_text_fold_label(name, strlen(name), &want)) {
        rc = ks_error_set(err, KS_EUSAGE, "--district: not valid UTF-8");
        goto done;
    }
    sqlite3_stmt *st = NULL;
    if ((rc = ks_db_prepare(db, "SELECT district_id, code, label_ja, label_en FROM main.district ORDER BY district_id",
                            &st, err)))
        goto done;
    ks_buf names;
    ks_buf_init(&names);
    while (sqlite3_step(st) == SQLITE_ROW && !*id) {
        for (int c = 1; c <= 3 && !*id; c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            if (!v)
                continue;
            ks_buf_reset(&got);
            if (ks_text_fold_label(v, strlen(v), &got) == 0 && strcmp(got.buf, want.buf) == 0)
                *id = sqlite3_column_int(st, 0);
        }
        const char *ja = (const char *)sqlite3_column_text(st, 2);
        ks_buf_addf(&names, "%s%s", names.len ? ", " : "", ja ? ja : "");
    }
    sqlite3_finalize(st);
    if (!*id)
        rc = ks_error_set(err, KS_EUSAGE, "no district '%s' in this database (%s)", name, names.buf);
    ks_buf_release(&names);
done:
    ks_buf_release(&want);
    ks_buf_release(&got);
    return rc;
}

/* The code labels in the report's language, every case, and the trend
 * window: from the comparison period (or TREND_MONTHS back) to the
 * period's end, not before the data starts. */
static int load_data(sqlite3 *db, rep *r, ks_error *err)
{
    int rc;
    bool en = r->en;
    if ((rc = load_labels(db, "SELECT sex_id, label_ja, label_en FROM sex", en, &r->sex, err)) ||
        (rc = load_labels(db, "SELECT household_type_id, label_ja, label_en FROM household_type", en, &r->hh, err)) ||
        (rc = load_labels(db, "SELECT intake_route_id, label_ja, label_en FROM intake_route", en, &r->route, err)) ||
        (rc = load_labels(db, "SELECT outcome_id, label_ja, label_en FROM outcome", en, &r->outcome, err)) ||
        (rc = load_labels(db, "SELECT problem_id, label_ja, label_en, field_id FROM problem", en, &r->problem, err)) ||
        (rc = load_labels(db, "SELECT support_id, label_ja, label_en FROM support", en, &r->support, err)) ||
        (rc = load_labels(db, "SELECT field_id, label_ja, label_en FROM field", en, &r->field, err)) ||
        (rc = load_labels(db, "SELECT partner_kind_id, label_ja, label_en FROM partner_kind", en, &r->pkind, err)) ||
        (rc = load_labels(db, "SELECT partner_id, label_ja, label_en, ifnull(field_id, 0), ifnull(partner_kind_id, 0) "
                              "FROM partner", en, &r->partner, err)) ||
        (rc = load_labels(db, "SELECT district_id, label_ja, label_en FROM district", en, &r->district_l, err)) ||
        (rc = load_labels(db, "SELECT meeting_type_id, label_ja, label_en FROM meeting_type", en, &r->meeting, err)))
        return rc;
    if (r->route.n == 0)
        r->route.n = 1;
    if ((rc = load_cases(db, r, err)))
        return rc;
    r->W.last = r->P.last;
    r->W.first = r->P.last - (TREND_MONTHS - 1);
    if (r->C.first < r->W.first)
        r->W.first = r->C.first;
    int floor_m = r->data_first < r->P.first ? r->data_first : r->P.first;
    if (r->W.first < floor_m)
        r->W.first = floor_m;
    r->W.kind = KS_PERIOD_RANGE;
    return 0;
}

/* The document's head: title, the period line, and the meta lines; `last`
 * is the last import, NULL when unknown. */
static void doc_head(rep *r, const char *last)
{
    const ks_report_opts *o = r->o;
    ks_buf b;
    ks_buf_init(&b);
    ks_period_name(&b, r->P, o->lang);
    if (r->district) {
        ks_buf_adds(&b, L("　", " - "));
        ks_buf_adds(&b, ks_report_lab(&r->district_l, r->district));
    }
    ks_doc_head(r->doc, o->lang, L("相談記録の動向報告", "Case-record trend report"), b.buf);
    ks_buf_reset(&b);
    ks_period_name(&b, r->C, o->lang);
    ks_buf_addf(&b, r->en ? " (%s)" : "（%s）", ks_report_cmp_short(r));
    ks_doc_meta(r->doc, L("比較期間", "Compared with"), b.buf);
    ks_doc_meta(r->doc, L("地区", "District"), r->district ? ks_report_lab(&r->district_l, r->district) : L("全地区", "All districts"));
    ks_buf_reset(&b);
    ks_month_iso(&b, r->W.first);
    ks_buf_adds(&b, r->en ? " to " : "〜");
    ks_month_iso(&b, r->W.last);
    ks_doc_meta(r->doc, L("推移の表示期間", "Trend window"), b.buf);
    ks_doc_meta(r->doc, L("データ最終取込", "Last import"), last ? last : L("不明", "unknown"));
    ks_doc_meta(r->doc, L("対象", "Audience"),
             L("重層的支援体制推進会議・コーディネーター向け（集計値のみ）",
               "Coordination council and coordinators (aggregates only)"));

    ks_buf_release(&b);
}

/* The footer: period, last import, threshold, hidden cells, engine; and
 * the notes on the marks and on what the report holds. */
static void doc_footer(rep *r, const char *last)
{
    const ks_report_opts *o = r->o;
    ks_buf b;
    ks_buf_init(&b);
    ks_period_name(&b, r->P, o->lang);
    if (r->district)
        ks_buf_addf(&b, r->en ? " - %s" : "・%s", ks_report_lab(&r->district_l, r->district));
    if (r->en)
        ks_buf_addf(&b, " | last import %s | k = %d | %zu cells suppressed | kasane %s", last ? last : "unknown",
                    r->k, r->hidden, KASANE_VERSION);
    else
        ks_buf_addf(&b, "｜最終取込 %s｜秘匿基準 k = %d｜秘匿セル %zu｜kasane %s", last ? last : "不明", r->k,
                    r->hidden, KASANE_VERSION);
    ks_doc_footer(r->doc, b.buf);
    ks_buf_reset(&b);
    if (r->en)
        ks_buf_addf(&b, "<%d: a count from 1 to %d. x: hidden, a count below %d or a cell that would reveal one.", r->k,
                    r->k - 1, r->k);
    else
        ks_buf_addf(&b, "<%d：1〜%d件。x：秘匿（%d件未満、またはそれを逆算できるセル）。", r->k, r->k - 1, r->k);
    ks_doc_footer_note(r->doc, b.buf);
    ks_doc_footer_note(r->doc, L("この報告は仮名化された相談記録の集計値だけを含み、個人を特定する情報を含みません。",
                               "This report holds aggregates of pseudonymised case records only; no identifying data."));
    ks_buf_release(&b);

}

int ks_report_build(sqlite3 *db, const ks_report_opts *o, ks_result **out, ks_report_info *info, ks_error *err)
{
    rep r0;
    rep *r = &r0;
    memset(r, 0, sizeof *r);
    *out = NULL;
    r->o = o;
    r->en = o->lang == KS_LANG_EN;
    r->err = err;
    r->P = o->period;
    r->C = ks_period_compare(o->period, o->compare);
    r->p0 = month_day0(r->P.first);
    r->p1 = month_day0(r->P.last + 1) - 1;
    r->c0 = month_day0(r->C.first);
    r->c1 = month_day0(r->C.last + 1) - 1;
    r->headline = SIZE_MAX;
    ks_policy pol;
    int rc = ks_policy_load(db, &pol, err);
    if (rc)
        goto done;
    r->k = pol.k;
    r->res = ks_result_new(&pol);
    r->ck = ks_result_cellkey(r->res);
    r->own_suppress = ks_result_method(r->res) != KS_SDC_CELLKEY;
    r->ptable_sha = pol.ptable_sha256;
    r->doc = ks_result_doc(r->res);
    const char *last = pol.last_import && *pol.last_import ? pol.last_import : NULL;
    snprintf(r->mark, sizeof r->mark, "<%d", r->k);
    if (o->district && (rc = find_district(db, o->district, &r->district, err)))
        goto done;
    if ((rc = load_data(db, r, err)))
        goto done;
    doc_head(r, last);
    /* every section publishes ks_report_pub's values (r->pert: added as
     * perturbed under a cell-keyed method) */
    r->pert = true;
    if ((rc = ks_report_sec_headline(r)) || (rc = ks_report_sec_trend(r)) || (rc = ks_report_sec_who(r)) ||
        (rc = ks_report_sec_problems(r)) || (rc = ks_report_sec_support(r)) || (rc = ks_report_sec_outcomes(r)) ||
        (rc = ks_report_sec_km(r, &r->doc->sections[r->doc->nsections - 1])) || (rc = ks_report_sec_routes(r)) ||
        (rc = ks_report_sec_quality(r)))
        goto done;
    sec_about(r);
    doc_footer(r, last);
    if (info) {
        info->k = r->k;
        info->tables = r->ntables;
        info->suppressed = r->hidden;
        info->cases = (size_t)r->n_new;
    }
    /* the tables and the document, audited and written by the caller's
     * ks_publish */
    *out = r->res;
    r->res = NULL;
done:
    ks_result_free(r->res);
    ks_policy_release(&pol);
    free(r->c);
    free(r->month_hidden);
    labels *all[] = {&r->sex, &r->hh, &r->route, &r->outcome, &r->problem, &r->support,
                     &r->field, &r->partner, &r->pkind, &r->district_l, &r->meeting};
    for (size_t i = 0; i < KS_ARRAY_LEN(all); i++)
        labels_release(all[i]);
    return rc;
}
