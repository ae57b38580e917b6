/* test_row_memo.c: the normaliser's memo (row.c) changes nothing.
 *
 * A normaliser remembers how it resolved code, district and partner values.
 * The reference here is a fresh normaliser for every row, whose memo is empty,
 * so every value takes the slow path (decode, fold, look up).  One long-lived
 * normaliser, which answers repeated values from its memo, must give the same
 * record or the same reject (line, column, field, reason) for every row, the
 * same data-quality counters, the same unlisted-partner count and the same
 * --list-unlisted names with the same counts.  Rows are drawn at random (fixed
 * seed) from pools of spellings: listed and unlisted, full-width, padded with
 * ASCII and ideographic spaces (more distinct spellings than the memo keeps
 * per field), 不明, invalid bytes, NUL bytes, empty values; in UTF-8 and in
 * CP932. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "import.h"
#include "profile.h"
#include "test.h"

static uint64_t rng_state = 0x2545F4914F6CDD1Du;

static uint64_t rnd(void) { return ks_test_rand64(&rng_state); } /* fixed seed: failures reproduce */

static size_t rnd_below(size_t n) { return (size_t)(rnd() % n); }

#define POOL(...) ((const char *const[]){__VA_ARGS__, NULL})

/* pools of values per field (file-scope compound literals: static storage);
 * "" is an empty value, "\x01" stands for a NUL byte.  Record ids are
 * unique per row and the three lists are made of tokens, below. */
static const char *const *const pools[KS_F_COUNT] = {
    [KS_F_RESIDENT_ID] = POOL("123456789012", "", "１２３", "98765 4321", "\xE3\x81"),
    [KS_F_NAME] = POOL("山田　太郎", "山田太郎", "ﾔﾏﾀﾞ", "", "Taro"),
    [KS_F_NAME_KANA] = POOL("ヤマダ　タロウ", "", "\xFF", "ｶﾅ"),
    [KS_F_BIRTH_DATE] = POOL("1970/6/3", "S45.1.2", "１９８０-０１-０２", "1950-01-01", "2030-01-01", "x"),
    [KS_F_ADDRESS] = POOL("三鷹市中原1丁目", "", "a\x01" "b"),
    [KS_F_PHONE] = POOL("0422-00-0000", ""),
    [KS_F_HOUSEHOLD_ID] = POOL("S-1", "", "Ｓ－１"),
    [KS_F_SEX] = POOL("男", "女", "M", "f", "男性", "ｍ", "不明", "unknown", "Unknown", "UNKNOWN",
                       "不詳", "U", "x", "zz", "", "\xC0\xAF", "Male", "ＦＥＭＡＬＥ", "男\x01"),
    [KS_F_HOUSEHOLD_TYPE] = POOL("単身", "single", "ひとり親", "Single Parent", "親と子", "謎", ""),
    [KS_F_DISTRICT] = POOL("東部", "東部住区", "Tobu", "ｔｏｂｕ", "西部地区", "nowhere", "",
                            "新川中原", "井の頭", "\xED\xA0\x80"),
    [KS_F_CONSULT_DATE] = POOL("2020/4/22", "R2.4.1", "令和2年4月1日", "2020/2/30", ""),
    [KS_F_CLOSED_DATE] = POOL("", "2021/1/17", "2019/1/1", "H32.1.1"),
    [KS_F_INTAKE_ROUTE] = POOL("本人", "family", "neighbor", "近隣住民", "アウトリーチ", "?", ""),
    [KS_F_INTAKE_AGENCY] = POOL("地域包括支援センター", "包括", "houkatsu", "Foo Center", "ｂａｒ",
                                "", "高齢者支援課", "\xF4\x90\x80\x80"),
    [KS_F_CONSENT] = POOL("あり", "なし", "yes", "No", "有", "無し", "同意あり", "不明", "", "maybe"),
    [KS_F_MEETING] = POOL("なし", "支援会議", "重層的支援会議", "無", "", "?"),
    [KS_F_STATUS] = POOL("継続", "終結", "中断", "ongoing", "CLOSED", "", "不明"),
    [KS_F_OUTCOME] = POOL("解決", "不明", "unknown", "改善", "", "転出", "?"),
    [KS_F_NOTES] = POOL("本人より相談。", "", "　", " \t", "ok\xE3", "n\x01"),
};

static const char *const problem_tokens[] = {
    "介護", "障がい", "障害", "精神保健", "子育て", "生活困窮", "債務・家計", "dv", "DV", "ＤＶ",
    "8050問題", "ひきこもり", "引きこもり", "その他", "Health", "謎の課題", " ", "",
};
static const char *const support_tokens[] = {
    "相談対応", "つなぎ", "多機関協働", "プラン作成", "制度申請支援", "consultation", "Multi_Agency",
    "訪問", "見守り", "unknown support", "",
};
static const char *const partner_tokens[] = {
    "地域包括支援センター", "包括", "保健所", "生活福祉課", "社会福祉協議会", "Foo Center", "ｆｏｏ center",
    "あいうセンター", "医療機関", "民生委員", "", " ",
};
static const char *const separators[] = {";", "、", "／", ",", "/", " ; ", "　、"};
static const char *const pads[] = {"", " ", "\xE3\x80\x80", "\t"};

/* Appends v with NUL stand-ins replaced, and random padding on either side
 * (which multiplies the distinct spellings beyond the memo's per-field cap). */
static void add_value(ks_buf *b, const char *v, int pad)
{
    if (pad && *v) {
        for (size_t k = rnd_below(6); k > 0; k--)
            ks_buf_adds(b, pads[rnd_below(4)]);
    }
    for (const char *p = v; *p; p++)
        ks_buf_addc(b, *p == '\x01' ? '\0' : *p);
    if (pad && *v) {
        for (size_t k = rnd_below(6); k > 0; k--)
            ks_buf_adds(b, pads[rnd_below(4)]);
    }
}

static void add_list(ks_buf *b, const char *const *tokens, size_t ntokens)
{
    size_t k = rnd_below(6);
    for (size_t i = 0; i < k; i++) {
        if (i)
            ks_buf_adds(b, separators[rnd_below(sizeof separators / sizeof *separators)]);
        add_value(b, tokens[rnd_below(ntokens)], rnd_below(3) == 0);
    }
}

typedef struct row {
    ks_buf text;                 /* the fields, back to back */
    size_t off[KS_F_COUNT];      /* where each starts */
    size_t len[KS_F_COUNT];      /* its length */
    ks_csv_field f[KS_F_COUNT];  /* pointing into text */
    ks_csv_record rec;           /* the record handed to the normaliser */
} row;

/* Builds row i; with cp932, converts every field that has a CP932 form. */
static void make_row(row *r, size_t i, int cp932)
{
    ks_buf_reset(&r->text);
    ks_buf tmp;
    ks_buf_init(&tmp);
    for (int f = 0; f < KS_F_COUNT; f++) {
        ks_buf_reset(&tmp);
        if (f == KS_F_RECORD_ID) {
            ks_buf_addf(&tmp, "R%zu", i);
        } else if (f == KS_F_PROBLEMS) {
            add_list(&tmp, problem_tokens, sizeof problem_tokens / sizeof *problem_tokens);
        } else if (f == KS_F_SUPPORTS) {
            add_list(&tmp, support_tokens, sizeof support_tokens / sizeof *support_tokens);
        } else if (f == KS_F_PARTNERS) {
            add_list(&tmp, partner_tokens, sizeof partner_tokens / sizeof *partner_tokens);
        } else {
            size_t n = 0;
            while (pools[f][n])
                n++;
            /* mostly the common values, as in real files */
            size_t pick = rnd_below(8) ? rnd_below(n < 2 ? n : 2) : rnd_below(n);
            add_value(&tmp, pools[f][pick], rnd_below(4) == 0);
        }
        r->off[f] = r->text.len;
        if (cp932) {
            size_t before = r->text.len;
            if (ks_utf8_to_cp932(tmp.buf, tmp.len, &r->text) < 0) {
                r->text.len = before; /* no CP932 form (or invalid): keep the bytes */
                ks_buf_add(&r->text, tmp.buf, tmp.len);
            }
        } else {
            ks_buf_add(&r->text, tmp.buf, tmp.len);
        }
        r->len[f] = r->text.len - r->off[f];
        ks_buf_addc(&r->text, '\0');
    }
    for (int f = 0; f < KS_F_COUNT; f++) {
        r->f[f].data = r->text.buf + r->off[f];
        r->f[f].len = r->len[f];
    }
    r->rec.fields = r->f;
    r->rec.nfields = KS_F_COUNT;
    r->rec.line = i + 2;
    r->rec.end_offset = 0;
    ks_buf_release(&tmp);
}

static void run(ks_encoding enc, size_t nrows)
{
    ks_error err;
    ks_profile *prof = ks_profile_load("mitaka", &err);
    ks_decoder *dec = ks_decoder_new(enc, &err);
    KS_CHECK(prof != NULL && dec != NULL);
    if (!prof || !dec)
        return;
    ks_header h;
    memset(&h, 0, sizeof h);
    for (int f = 0; f < KS_F_COUNT; f++)
        h.col[f] = f;
    h.ncols = KS_F_COUNT;

    ks_name_tally t_memo, t_fresh;
    memset(&t_memo, 0, sizeof t_memo);
    memset(&t_fresh, 0, sizeof t_fresh);
    ks_normaliser *memo = ks_normaliser_new(&h, dec, NULL, prof, NULL);
    ks_normaliser_tally(memo, &t_memo);
    ks_quality q_fresh;
    memset(&q_fresh, 0, sizeof q_fresh);
    uint64_t unlisted_fresh = 0;

    row r;
    memset(&r, 0, sizeof r);
    ks_buf_init(&r.text);
    int mismatches = 0, accepted = 0, rejected = 0;
    for (int pass = 0; pass < 2; pass++) {
        rng_state = 0x2545F4914F6CDD1Du + (uint64_t)enc; /* the same rows both passes */
        for (size_t i = 0; i < nrows; i++) {
            make_row(&r, i, enc == KS_ENC_CP932);
            ks_record a, b;
            ks_reject ra, rb;
            memset(&ra, 0, sizeof ra);
            memset(&rb, 0, sizeof rb);
            int got = ks_normalise(memo, &r.rec, 0, &a, NULL, &ra);
            ks_normaliser *fresh = ks_normaliser_new(&h, dec, NULL, prof, NULL);
            if (pass == 0)
                ks_normaliser_tally(fresh, &t_fresh);
            int want = ks_normalise(fresh, &r.rec, 0, &b, NULL, &rb);
            if (pass == 0) {
                const ks_quality *q = ks_normaliser_quality(fresh);
                for (int f = 0; f < KS_F_COUNT; f++) {
                    q_fresh.empty[f] += q->empty[f];
                    q_fresh.unknown[f] += q->unknown[f];
                }
                unlisted_fresh += ks_normaliser_unlisted(fresh, NULL);
            }
            ks_normaliser_free(fresh);
            int same = got == want;
            if (same && want == 0)
                same = memcmp(&a, &b, sizeof a) == 0; /* zeroed first, padding included */
            else if (same)
                same = ra.line == rb.line && ra.column == rb.column && ra.field == rb.field &&
                       ra.reason == rb.reason;
            if (!same && mismatches++ < 5)
                fprintf(stderr, "%s row %zu pass %d: memo %d/%s, fresh %d/%s\n", ks_encoding_name(enc), i,
                        pass, got, got ? ks_reason_code(ra.reason) : "-", want,
                        want ? ks_reason_code(rb.reason) : "-");
            if (pass == 0) {
                accepted += want == 0;
                rejected += want != 0;
            }
        }
        if (pass == 0) {
            /* counters of the first pass: the long-lived one saw each row once */
            const ks_quality *q = ks_normaliser_quality(memo);
            KS_CHECK(memcmp(q, &q_fresh, sizeof q_fresh) == 0);
            KS_CHECK_INT(ks_normaliser_unlisted(memo, NULL), unlisted_fresh);
            KS_CHECK_INT(t_memo.n, t_fresh.n);
            int tally_same = t_memo.n == t_fresh.n && t_memo.others == t_fresh.others;
            for (size_t k = 0; tally_same && k < t_memo.n; k++)
                tally_same = strcmp(t_memo.name[k], t_fresh.name[k]) == 0 && t_memo.count[k] == t_fresh.count[k];
            KS_CHECK(tally_same);
        }
    }
    KS_CHECK_INT(mismatches, 0);
    /* the pools must give both outcomes in quantity, and unlisted names */
    KS_CHECK(accepted > (int)nrows / 20);
    KS_CHECK(rejected > (int)nrows / 20);
    KS_CHECK(unlisted_fresh > 0);
    KS_CHECK(t_fresh.n > 0);

    ks_buf_release(&r.text);
    ks_normaliser_free(memo);
    ks_name_tally_release(&t_memo);
    ks_name_tally_release(&t_fresh);
    ks_decoder_free(dec);
    ks_profile_free(prof);
}

int main(void)
{
    run(KS_ENC_UTF8, 20000);
    run(KS_ENC_CP932, 5000);
    return ks_test_report();
}
