/* gen.c: kasane-gen, the deterministic synthetic case-record generator.
 *
 * Writes coordinator case records in the import contract's CSV form
 * (/work/shared/spec/case-records.md) for the demo data set, the benchmark and
 * the tests.  Everything is invented, but shaped like a Mitaka coordinator's
 * spreadsheet so that the analyses have real structure to find: people come
 * back, households link 8050 / double-care / young-carer cases, problems
 * co-occur, partners follow the problem field, outcomes depend on problem
 * count, age and multi-agency work, and hikikomori grows faster than the rest.
 *
 * Determinism: all randomness comes from one xoshiro256** stream seeded with
 * splitmix64(seed), drawn in one fixed order; the CP932 output is the same
 * rows converted one record at a time, so a seed gives the same data in both
 * encodings.  Streaming: rows are written as they are made; the only state is
 * a bounded pool of recent people (returning clients) and a bounded queue of
 * scheduled cases (other household members, re-consultations). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "util.h"

/* ------------------------------------------------------------------------ */
/* Random numbers: splitmix64 to seed, xoshiro256** to draw. */

typedef struct gen_rng {
    uint64_t s[4]; /* xoshiro256** state, never all zero */
} gen_rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void rng_seed(gen_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Uniform in [0, n) by multiply-shift: no modulo, bias below 2^-32. */
static uint32_t rng_below(gen_rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform integer in [lo, hi]. */
static int rng_range(gen_rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static double rng_unit(gen_rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

static bool rng_chance(gen_rng *r, double p) { return rng_unit(r) < p; }

/* Index drawn from integer weights. */
static size_t rng_weighted(gen_rng *r, const int *w, size_t n)
{
    int total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    int x = (int)rng_below(r, (uint32_t)total);
    for (size_t i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* ------------------------------------------------------------------------ */
/* Civil dates as days since 1970-01-01 (H. Hinnant's algorithms). */

static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Completed years between birth and day. */
static int age_at(int32_t birth, int32_t day)
{
    int by, bm, bd, y, m, d;
    civil_from_days(birth, &by, &bm, &bd);
    civil_from_days(day, &y, &m, &d);
    int age = y - by;
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}

/* ------------------------------------------------------------------------ */
/* Code lists of the contract (Japanese label, English code). */

typedef struct gen_code {
    const char *ja; /* Japanese label */
    const char *en; /* English code */
} gen_code;

enum { P_CARE, P_DEMENTIA, P_DISABILITY, P_MENTAL, P_CHILD, P_SCHOOL, P_POVERTY, P_DEBT,
       P_HOUSING, P_EMPLOYMENT, P_HIKI, P_8050, P_DOUBLE, P_YOUNG_CARER, P_ABUSE, P_DV,
       P_ISOLATION, P_NEGLECT, P_FOREIGN, P_HEALTH, P_SUICIDE, P_OTHER, P_COUNT };

static const gen_code k_problems[P_COUNT] = {
    {"介護", "care"}, {"認知症", "dementia"}, {"障がい", "disability"},
    {"精神保健", "mental_health"}, {"子育て", "child"}, {"不登校", "school_refusal"},
    {"生活困窮", "poverty"}, {"債務・家計", "debt"}, {"住まい", "housing"},
    {"就労", "employment"}, {"ひきこもり", "hikikomori"}, {"8050問題", "8050"},
    {"ダブルケア", "double_care"}, {"ヤングケアラー", "young_carer"}, {"虐待", "abuse"},
    {"DV", "dv"}, {"社会的孤立", "isolation"}, {"セルフネグレクト", "self_neglect"},
    {"外国籍・言語", "foreign"}, {"健康・医療", "health"}, {"自殺念慮", "suicide_risk"},
    {"その他", "other"},
};

enum { S_CONSULT, S_INFO, S_VISIT, S_ACCOMPANY, S_REFERRAL, S_MULTI, S_PLAN, S_PARTICIPATION,
       S_SALON, S_APPLICATION, S_MONITORING, S_OTHER, S_COUNT };

static const gen_code k_supports[S_COUNT] = {
    {"相談対応", "consultation"}, {"情報提供", "information"}, {"訪問", "home_visit"},
    {"同行支援", "accompany"}, {"つなぎ", "referral"}, {"多機関協働", "multi_agency"},
    {"プラン作成", "plan"}, {"参加支援", "participation"}, {"相談サロン", "salon"},
    {"制度申請支援", "application"}, {"見守り", "monitoring"}, {"その他", "other"},
};

/* Mitaka's windows and agencies as datasets/profiles/mitaka/partners.csv
 * lists them (seed document 004), with an alias some coordinators write. */
enum { W_HOUKATSU, W_KIKAN, W_KODOMO_KATEI, W_SEIKATSU, W_SHAKYO, W_HATTATSU, W_HOKEN,
       W_TASEDAI_E, W_TASEDAI_W, W_KOUREI_KA, W_SHOUGAI_KA, W_FUKUSHI_KA, W_MINSEI, W_COORD,
       W_CARENET, W_HONOBONO, W_HELLOWORK, W_HOKENJO, W_IRYO, W_GAKKO, W_HIKI_DANTAI,
       W_CHIKATSU, W_UNLISTED, W_COUNT };

typedef struct gen_partner {
    const char *name;  /* name_ja in the profile */
    const char *alias; /* another way it is written, one of the profile's aliases */
} gen_partner;

static const gen_partner k_partners[W_UNLISTED] = {
    {"地域包括支援センター", "三鷹市地域包括支援センター"},
    {"基幹相談支援センター", "三鷹市基幹相談支援センター"},
    {"子ども家庭支援センター", "三鷹市子ども家庭支援センター"},
    {"生活・就労支援窓口", "生活就労支援窓口"},
    {"社会福祉協議会", "社協"},
    {"子ども発達支援センター", "三鷹市子ども発達支援センター"},
    {"総合保健センター", "三鷹市総合保健センター"},
    {"東多世代交流センター", "三鷹市東多世代交流センター"},
    {"西多世代交流センター", "三鷹市西多世代交流センター"},
    {"高齢者支援課", "三鷹市高齢者支援課"},
    {"障がい者支援課", "障害者支援課"},
    {"生活福祉課", "三鷹市生活福祉課"},
    {"民生委員", "民生・児童委員"},
    {"地域福祉コーディネーター", "三鷹市地域福祉コーディネーター"},
    {"地域ケアネットワーク", "地域ケアネット"},
    {"ほのぼのネット", "三鷹市ほのぼのネット"},
    {"ハローワーク", "公共職業安定所"},
    {"保健所", "保健所"},
    {"医療機関", "病院"},
    {"学校", "中学校"},
    {"ひきこもり支援団体", "ひきこもり支援団体"},
    {"地域活動支援センター", "三鷹市地域活動支援センター"},
};

/* Deliberately not in the profile: the importer must keep them as "unlisted". */
static const char *const k_unlisted[] = {
    "NPO法人ひだまりの会", "こころの相談室あおぞら", "むさしの法律相談所",
    "みたかフードパントリー",
};

enum { SEX_M, SEX_F };
enum { HH_SINGLE, HH_COUPLE, HH_PARENT_CHILD, HH_SINGLE_PARENT, HH_THREE_GEN, HH_OTHER,
       HH_COUNT };
static const gen_code k_household_types[HH_COUNT] = {
    {"単身", "single"}, {"夫婦のみ", "couple"}, {"親と子", "parent_child"},
    {"ひとり親", "single_parent"}, {"三世代", "three_generation"}, {"その他", "other"},
};

enum { R_SELF, R_FAMILY, R_COMMISSIONER, R_NEIGHBOUR, R_AGENCY, R_OUTREACH, R_SALON,
       R_OTHERROUTE, R_COUNT };
static const gen_code k_routes[R_COUNT] = {
    {"本人", "self"}, {"家族", "family"}, {"民生委員", "welfare_commissioner"},
    {"近隣住民", "neighbour"}, {"関係機関", "agency"}, {"アウトリーチ", "outreach"},
    {"相談サロン", "salon"}, {"その他", "other"},
};

enum { M_BLANK, M_PLAN, M_SUPPORT, M_NONE };
static const gen_code k_meetings[4] = {
    {"", ""}, {"重層的支援会議", "plan_meeting"}, {"支援会議", "support_meeting"}, {"なし", "none"},
};

enum { ST_ONGOING, ST_CLOSED, ST_SUSPENDED };
static const gen_code k_status[3] = {{"継続", "ongoing"}, {"終結", "closed"}, {"中断", "suspended"}};

enum { O_BLANK, O_RESOLVED, O_IMPROVED, O_UNCHANGED, O_WORSENED, O_MOVED, O_DECEASED,
       O_UNKNOWN };
static const gen_code k_outcomes[8] = {
    {"", ""}, {"解決", "resolved"}, {"改善", "improved"}, {"変化なし", "unchanged"},
    {"悪化", "worsened"}, {"転出", "moved"}, {"死亡", "deceased"}, {"不明", "unknown"},
};

/* The columns, in the order of the headers below. */
enum {
    COL_RECORD_ID, COL_RESIDENT_ID, COL_NAME, COL_KANA, COL_BIRTH, COL_ADDRESS, COL_PHONE, COL_HOUSEHOLD_ID,
    COL_SEX, COL_HOUSEHOLD_TYPE, COL_DISTRICT, COL_CONSULT, COL_CLOSED, COL_ROUTE, COL_AGENCY, COL_PROBLEMS,
    COL_SUPPORTS, COL_PARTNERS, COL_CONSENT, COL_MEETING, COL_STATUS, COL_OUTCOME, COL_NOTES, COL_COUNT
};

static const char *const k_header_ja[] = {
    "記録番号", "宛名番号", "氏名", "フリガナ", "生年月日", "住所", "電話番号", "世帯番号",
    "性別", "世帯構成", "地区", "相談日", "終結日", "相談経路", "受付機関", "課題",
    "支援内容", "連携先", "本人同意", "会議", "状況", "結果", "備考",
};
static const char *const k_header_en[] = {
    "record_id", "resident_id", "name", "name_kana", "birth_date", "address", "phone",
    "household_id", "sex", "household_type", "district", "consult_date", "closed_date",
    "intake_route", "intake_agency", "problems", "supports", "partners", "consent",
    "meeting", "status", "outcome", "notes",
};

/* ------------------------------------------------------------------------ */
/* Names, addresses.  Every string here must exist in CP932 (no 髙, 﨑, ヴ, 〜,
 * －): the test converts the whole output and back. */

typedef struct gen_name {
    const char *kanji; /* as written in 氏名 */
    const char *kana;  /* katakana reading */
} gen_name;

static const gen_name k_surnames[] = {
    {"佐藤", "サトウ"}, {"鈴木", "スズキ"}, {"高橋", "タカハシ"}, {"田中", "タナカ"},
    {"伊藤", "イトウ"}, {"渡辺", "ワタナベ"}, {"山本", "ヤマモト"}, {"中村", "ナカムラ"},
    {"小林", "コバヤシ"}, {"加藤", "カトウ"}, {"吉田", "ヨシダ"}, {"山田", "ヤマダ"},
    {"佐々木", "ササキ"}, {"山口", "ヤマグチ"}, {"松本", "マツモト"}, {"井上", "イノウエ"},
    {"木村", "キムラ"}, {"清水", "シミズ"}, {"山崎", "ヤマザキ"}, {"森田", "モリタ"},
    {"池田", "イケダ"}, {"橋本", "ハシモト"}, {"阿部", "アベ"}, {"石川", "イシカワ"},
    {"山下", "ヤマシタ"}, {"中島", "ナカジマ"}, {"石井", "イシイ"}, {"小川", "オガワ"},
    {"前田", "マエダ"}, {"岡田", "オカダ"}, {"長谷川", "ハセガワ"}, {"藤田", "フジタ"},
    {"後藤", "ゴトウ"}, {"近藤", "コンドウ"}, {"村上", "ムラカミ"}, {"遠藤", "エンドウ"},
    {"青木", "アオキ"}, {"坂本", "サカモト"}, {"斉藤", "サイトウ"}, {"福田", "フクダ"},
    {"太田", "オオタ"}, {"西村", "ニシムラ"}, {"藤井", "フジイ"}, {"金子", "カネコ"},
    {"岡本", "オカモト"}, {"藤原", "フジワラ"}, {"中野", "ナカノ"}, {"三浦", "ミウラ"},
    {"原田", "ハラダ"}, {"中川", "ナカガワ"}, {"松田", "マツダ"}, {"竹内", "タケウチ"},
    {"小野", "オノ"}, {"田村", "タムラ"}, {"中山", "ナカヤマ"}, {"和田", "ワダ"},
    {"石田", "イシダ"}, {"森本", "モリモト"}, {"上田", "ウエダ"}, {"柴田", "シバタ"},
    {"酒井", "サカイ"}, {"工藤", "クドウ"}, {"横山", "ヨコヤマ"}, {"宮崎", "ミヤザキ"},
    {"宮本", "ミヤモト"}, {"内田", "ウチダ"}, {"高木", "タカギ"}, {"安藤", "アンドウ"},
    {"谷口", "タニグチ"}, {"大野", "オオノ"}, {"丸山", "マルヤマ"}, {"今井", "イマイ"},
    {"河野", "コウノ"}, {"藤本", "フジモト"}, {"村田", "ムラタ"}, {"武田", "タケダ"},
    {"上野", "ウエノ"}, {"杉山", "スギヤマ"}, {"増田", "マスダ"}, {"小山", "コヤマ"},
    {"大塚", "オオツカ"}, {"平野", "ヒラノ"}, {"菅原", "スガワラ"}, {"久保", "クボ"},
    {"松井", "マツイ"}, {"千葉", "チバ"}, {"岩崎", "イワサキ"}, {"桜井", "サクライ"},
    {"木下", "キノシタ"}, {"野口", "ノグチ"}, {"松尾", "マツオ"}, {"菊地", "キクチ"},
    {"野村", "ノムラ"}, {"新井", "アライ"}, {"大西", "オオニシ"}, {"北村", "キタムラ"},
    {"五十嵐", "イガラシ"}, {"福島", "フクシマ"}, {"水野", "ミズノ"}, {"吉川", "ヨシカワ"},
    {"榎本", "エノモト"}, {"秋山", "アキヤマ"}, {"望月", "モチヅキ"}, {"小松", "コマツ"},
    {"荒木", "アラキ"}, {"関口", "セキグチ"}, {"星野", "ホシノ"}, {"片山", "カタヤマ"},
    {"飯田", "イイダ"}, {"浅野", "アサノ"}, {"早川", "ハヤカワ"}, {"永井", "ナガイ"},
};

/* Foreign residents are written in katakana in both columns. */
static const gen_name k_foreign_surnames[] = {
    {"グエン", "グエン"}, {"チャン", "チャン"}, {"サントス", "サントス"}, {"シルバ", "シルバ"},
    {"キム", "キム"}, {"パク", "パク"}, {"ワン", "ワン"}, {"ガルシア", "ガルシア"},
    {"リー", "リー"}, {"ペレイラ", "ペレイラ"},
};

/* Given names by generation (born before 1960, 1960-89, from 1990) and sex. */
static const gen_name k_given_old_m[] = {
    {"清", "キヨシ"}, {"茂", "シゲル"}, {"勇", "イサム"}, {"正雄", "マサオ"},
    {"和夫", "カズオ"}, {"博", "ヒロシ"}, {"実", "ミノル"}, {"隆", "タカシ"},
    {"進", "ススム"}, {"昭二", "ショウジ"}, {"幸雄", "ユキオ"}, {"武", "タケシ"},
    {"秀夫", "ヒデオ"}, {"修", "オサム"}, {"勝利", "カツトシ"}, {"義男", "ヨシオ"},
    {"三郎", "サブロウ"}, {"健一", "ケンイチ"}, {"正", "タダシ"}, {"一郎", "イチロウ"},
};
static const gen_name k_given_old_f[] = {
    {"和子", "カズコ"}, {"幸子", "サチコ"}, {"節子", "セツコ"}, {"洋子", "ヨウコ"},
    {"恵子", "ケイコ"}, {"京子", "キョウコ"}, {"美代子", "ミヨコ"}, {"久子", "ヒサコ"},
    {"弘子", "ヒロコ"}, {"文子", "フミコ"}, {"光子", "ミツコ"}, {"栄子", "エイコ"},
    {"千代子", "チヨコ"}, {"敏子", "トシコ"}, {"照子", "テルコ"}, {"静子", "シズコ"},
    {"悦子", "エツコ"}, {"昭子", "アキコ"}, {"春江", "ハルエ"}, {"花子", "ハナコ"},
};
static const gen_name k_given_mid_m[] = {
    {"誠", "マコト"}, {"浩", "ヒロシ"}, {"健太郎", "ケンタロウ"}, {"大輔", "ダイスケ"},
    {"直樹", "ナオキ"}, {"和也", "カズヤ"}, {"剛", "ツヨシ"}, {"哲也", "テツヤ"},
    {"達也", "タツヤ"}, {"智之", "トモユキ"}, {"洋平", "ヨウヘイ"}, {"拓也", "タクヤ"},
    {"雅人", "マサト"}, {"秀樹", "ヒデキ"}, {"隆之", "タカユキ"}, {"健二", "ケンジ"},
    {"亮", "リョウ"}, {"聡", "サトシ"}, {"太郎", "タロウ"}, {"孝", "タカシ"},
};
static const gen_name k_given_mid_f[] = {
    {"由美子", "ユミコ"}, {"真由美", "マユミ"}, {"久美子", "クミコ"}, {"智子", "トモコ"},
    {"裕子", "ユウコ"}, {"直美", "ナオミ"}, {"明美", "アケミ"}, {"陽子", "ヨウコ"},
    {"恵美", "エミ"}, {"美穂", "ミホ"}, {"香織", "カオリ"}, {"愛", "アイ"},
    {"麻衣", "マイ"}, {"真理", "マリ"}, {"由香", "ユカ"}, {"純子", "ジュンコ"},
    {"典子", "ノリコ"}, {"理恵", "リエ"}, {"奈美", "ナミ"}, {"美香", "ミカ"},
};
static const gen_name k_given_new_m[] = {
    {"翔太", "ショウタ"}, {"大翔", "ヒロト"}, {"蓮", "レン"}, {"悠斗", "ユウト"},
    {"颯太", "ソウタ"}, {"陽翔", "ハルト"}, {"湊", "ミナト"}, {"大和", "ヤマト"},
    {"翔", "ショウ"}, {"拓海", "タクミ"}, {"健太", "ケンタ"}, {"優斗", "ユウト"},
    {"悠真", "ユウマ"}, {"陸", "リク"}, {"樹", "イツキ"}, {"蒼", "アオイ"},
    {"海斗", "カイト"}, {"颯", "ハヤテ"}, {"航", "ワタル"}, {"陽太", "ヨウタ"},
};
static const gen_name k_given_new_f[] = {
    {"美咲", "ミサキ"}, {"陽菜", "ヒナ"}, {"結衣", "ユイ"}, {"葵", "アオイ"},
    {"さくら", "サクラ"}, {"凛", "リン"}, {"芽依", "メイ"}, {"結菜", "ユイナ"},
    {"莉子", "リコ"}, {"美月", "ミヅキ"}, {"彩花", "アヤカ"}, {"七海", "ナナミ"},
    {"優花", "ユウカ"}, {"杏", "アン"}, {"花音", "カノン"}, {"心春", "コハル"},
    {"紗希", "サキ"}, {"真央", "マオ"}, {"美羽", "ミウ"}, {"楓", "カエデ"},
};
static const gen_name k_given_foreign_m[] = {
    {"バン　アン", "バン　アン"}, {"ジョン", "ジョン"}, {"ミンジュン", "ミンジュン"},
    {"ウェイ", "ウェイ"}, {"ホセ", "ホセ"}, {"カルロス", "カルロス"},
};
static const gen_name k_given_foreign_f[] = {
    {"ティ　ホア", "ティ　ホア"}, {"マリア", "マリア"}, {"ジヨン", "ジヨン"},
    {"メイリン", "メイリン"}, {"アナ", "アナ"}, {"ソフィア", "ソフィア"},
};

typedef struct gen_name_set {
    const gen_name *names; /* the pool */
    size_t n;              /* its length */
} gen_name_set;

/* Indexed by generation * 2 + sex; generation 3 is foreign residents. */
static const gen_name_set k_given_sets[8] = {
    {k_given_old_m, KS_ARRAY_LEN(k_given_old_m)}, {k_given_old_f, KS_ARRAY_LEN(k_given_old_f)},
    {k_given_mid_m, KS_ARRAY_LEN(k_given_mid_m)}, {k_given_mid_f, KS_ARRAY_LEN(k_given_mid_f)},
    {k_given_new_m, KS_ARRAY_LEN(k_given_new_m)}, {k_given_new_f, KS_ARRAY_LEN(k_given_new_f)},
    {k_given_foreign_m, KS_ARRAY_LEN(k_given_foreign_m)},
    {k_given_foreign_f, KS_ARRAY_LEN(k_given_foreign_f)},
};

/* Mitaka's seven districts (住区) and the 町丁 ranges that make them up
 * (approximate: enough for addresses and districts to agree). */
static const char *const k_districts[7] = {
    "東部", "西部", "新川中原", "井の頭", "連雀", "大沢", "三鷹駅周辺",
};
static const int k_district_weight[7] = {14, 13, 15, 12, 17, 12, 17};

typedef struct gen_zone {
    int district;     /* index into k_districts */
    const char *town; /* 町名 */
    int chome_lo;     /* first 丁目 */
    int chome_hi;     /* last 丁目 */
} gen_zone;

static const gen_zone k_zones[] = {
    {0, "牟礼", 1, 7}, {0, "北野", 1, 4},
    {1, "井口", 1, 5}, {1, "深大寺", 1, 3}, {1, "上連雀", 8, 9},
    {2, "新川", 1, 6}, {2, "中原", 1, 4},
    {3, "井の頭", 1, 5}, {3, "下連雀", 1, 1},
    {4, "上連雀", 3, 7}, {4, "下連雀", 5, 9},
    {5, "大沢", 1, 6}, {5, "野崎", 1, 4},
    {6, "下連雀", 2, 4}, {6, "上連雀", 1, 2},
};

static const char *const k_buildings[] = {
    "コーポ三鷹", "ハイツ井の頭", "メゾン連雀", "グリーンハイツ", "サンライズ武蔵野",
    "パークハイム", "三鷹ハイム", "野川荘", "みどり荘", "レジデンス深大寺",
    "シティハウス三鷹", "ハイツさくら", "ベルメゾン", "都営三鷹アパート",
};

/* ------------------------------------------------------------------------ */
/* People, households, cases. */

/* What a person's cases are about; fixes the problems drawn for them. */
enum { ROLE_ELDER_CARE, ROLE_8050_ELDER, ROLE_8050_CHILD, ROLE_DOUBLE_PARENT,
       ROLE_DOUBLE_ELDER, ROLE_YC_CHILD, ROLE_YC_CARED_DIS, ROLE_YC_CARED_CARE,
       ROLE_POVERTY, ROLE_DIS_MH, ROLE_CHILD_FAMILY, ROLE_CHILD_SCHOOL, ROLE_HIKI,
       ROLE_FOREIGN, ROLE_HEALTH, ROLE_ISOLATION, ROLE_OTHER, ROLE_COUNT };

/* Scenarios: how a new household enters the records. */
enum { SC_ELDER, SC_8050, SC_DOUBLE, SC_YOUNG_CARER, SC_POVERTY, SC_DIS_MH, SC_CHILD_FAMILY,
       SC_CHILD_SCHOOL, SC_HIKI, SC_FOREIGN, SC_HEALTH, SC_ISOLATION, SC_OTHER, SC_COUNT };
static const int k_scenario_weight[SC_COUNT] = {18, 5, 4, 3, 17, 12, 10, 4, 5, 3, 5, 8, 6};

typedef struct gen_household {
    uint32_t serial;   /* household number before it is scrambled into the id */
    uint8_t zone;      /* index into k_zones */
    uint8_t chome;     /* 丁目 */
    uint8_t banchi;    /* 番 */
    uint8_t go;        /* 号 */
    uint8_t building;  /* 0 = a house, else 1 + index into k_buildings */
    uint16_t room;     /* room number when in a building */
    uint8_t type;      /* HH_* */
    uint8_t no_id;     /* household number left blank in this household's cases */
    uint32_t landline; /* 0422-XX-XXXX as XXXXXX, 0 = no landline */
} gen_household;

typedef struct gen_person {
    uint32_t serial;       /* person number; also keys the pool slot */
    uint64_t resident;     /* 12-digit resident number, 0 = not recorded */
    uint8_t name_set;      /* index into k_given_sets (generation*2+sex) */
    uint8_t foreign;       /* surname from k_foreign_surnames */
    uint8_t sex;           /* SEX_M or SEX_F */
    uint8_t role;          /* ROLE_* */
    uint16_t surname;      /* index into the surname table */
    uint16_t given;        /* index into the given-name set */
    int32_t birth;         /* days since 1970-01-01 */
    uint8_t mobile_prefix; /* 0 = no mobile, 1..3 = 090, 080, 070 */
    uint8_t last_style;    /* name spacing used in the previous case */
    uint16_t cases;        /* cases recorded for this person so far */
    uint32_t mobile;       /* last eight digits of the mobile number */
    gen_household hh;      /* the household the person lives in (a copy) */
} gen_person;

/* A case scheduled for later: another household member, or a return. */
typedef struct gen_pending {
    int32_t due;       /* earliest consult day */
    uint32_t order;    /* tie-break so the heap order is total */
    gen_person person; /* who */
} gen_pending;

typedef struct gen_list {
    uint8_t v[24]; /* values in the order they were added */
    int n;         /* how many */
} gen_list;

typedef struct gen_case {
    int32_t consult;   /* consult day */
    int32_t closed;    /* closed day, -1 when ongoing */
    int age;           /* completed years at consult */
    int district;      /* index into k_districts */
    gen_list problems; /* P_* */
    gen_list supports; /* S_* */
    gen_list partners; /* W_* (W_UNLISTED for an unlisted name) */
    int unlisted;      /* index into k_unlisted when W_UNLISTED is present */
    int route;         /* R_*, -1 = blank */
    int agency;        /* W_*, -1 = blank */
    bool consent;      /* 本人同意 */
    int meeting;       /* M_* */
    int status;        /* ST_* */
    int outcome;       /* O_* */
} gen_case;

typedef struct gen_options {
    uint64_t rows;           /* data rows to write */
    uint64_t seed;           /* PRNG seed */
    ks_encoding encoding;    /* KS_ENC_UTF8 or KS_ENC_CP932 */
    bool bom;                /* UTF-8 BOM first */
    bool english_headers;    /* --headers en */
    bool crlf;               /* CRLF record ends */
    int start_year;          /* first month of the period */
    int start_month;         /* 1..12 */
    int months;              /* length of the period */
    const char *identifiers; /* path of the identifiers file, or NULL */
    const char *output;      /* output path, NULL = stdout */
    bool stats;              /* summary to stderr */
    bool help;               /* print the usage and stop */
} gen_options;

enum { POOL_SIZE = 1 << 15, HEAP_CAP = 1 << 16 };

typedef struct gen_stats {
    uint64_t rows;        /* rows written */
    uint64_t returning;   /* rows whose person had an earlier case */
    uint64_t bytes;       /* bytes of data rows (UTF-8) */
    uint64_t problems[P_COUNT]; /* rows carrying each problem */
    uint64_t status[3];   /* rows per status */
    uint64_t no_consent;  /* rows without consent */
    uint64_t scenarios[SC_COUNT]; /* new households per scenario */
} gen_stats;

typedef struct gen {
    gen_options opt;        /* what was asked */
    gen_rng rng;            /* the one random stream */
    int32_t period_end;     /* last day: also the extraction date */
    uint32_t next_person;   /* serial of the next new person */
    uint32_t next_household; /* serial of the next new household */
    gen_person *pool;       /* recent people, slot = serial % POOL_SIZE */
    uint32_t pool_fill;     /* slots in use (grows to POOL_SIZE) */
    gen_pending *heap;      /* scheduled cases, a min-heap on (due, order) */
    size_t heap_len;        /* entries in the heap */
    uint32_t heap_order;    /* next tie-break number */
    int record_fy;          /* fiscal year of the record number counter */
    uint32_t record_seq;    /* last record number used in record_fy */
    bool row_english;       /* this row writes codes in English */
    ks_buf row;             /* the record being built (UTF-8) */
    ks_buf field;           /* the field being built */
    ks_buf ids;             /* identifiers of the current record */
    ks_buf conv;            /* CP932 form of the record */
    FILE *out;              /* CSV output */
    FILE *idout;            /* identifiers output or NULL */
    gen_stats st;           /* counters for --stats */
} gen;

/* ------------------------------------------------------------------------ */
/* Small writers. */

static void put_uint(ks_buf *b, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    ks_buf_grow(b, (size_t)n);
    while (n)
        b->buf[b->len++] = tmp[--n];
    b->buf[b->len] = '\0';
}

/* Rewrites ASCII digits from `from` on as full-width digits (U+FF10..U+FF19),
 * as people type them in Excel with the IME on. */
static void widen_digits(ks_buf *b, size_t from)
{
    size_t digits = 0;
    for (size_t i = from; i < b->len; i++)
        digits += b->buf[i] >= '0' && b->buf[i] <= '9';
    if (!digits)
        return;
    ks_buf_grow(b, digits * 2);
    size_t src = b->len, dst = b->len + digits * 2;
    b->buf[dst] = '\0';
    while (src > from) {
        char c = b->buf[--src];
        if (c >= '0' && c <= '9') {
            b->buf[--dst] = (char)(0x90 + (c - '0'));
            b->buf[--dst] = (char)0xBC;
            b->buf[--dst] = (char)0xEF;
        } else {
            b->buf[--dst] = c;
        }
    }
    b->len += digits * 2;
}

/* Appends g->field to the row as one CSV field, quoted when it must be. */
static void emit_field(gen *g, bool first)
{
    if (!first)
        ks_buf_addc(&g->row, ',');
    const char *s = g->field.buf;
    size_t n = g->field.len;
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
        ks_buf_add(&g->row, s, n);
        return;
    }
    ks_buf_addc(&g->row, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            ks_buf_addc(&g->row, '"');
        ks_buf_addc(&g->row, s[i]);
    }
    ks_buf_addc(&g->row, '"');
}

/* Records the current field as an identifying value. */
static void note_identifier(gen *g)
{
    if (!g->idout || g->field.len == 0)
        return;
    ks_buf_add(&g->ids, g->field.buf, g->field.len);
    ks_buf_addc(&g->ids, '\n');
}

/* Codes are Japanese labels, sometimes English codes (a whole row from an
 * English template, or a single cell). */
static bool pick_english(gen *g) { return g->row_english || rng_chance(&g->rng, 0.02); }

static void put_code(gen *g, const gen_code *c)
{
    ks_buf_adds(&g->field, pick_english(g) ? c->en : c->ja);
}

/* Multi-valued separators as coordinators type them. */
static const char *pick_separator(gen *g)
{
    static const char *const seps[] = {";", "、", "／", "; "};
    static const int w[] = {40, 38, 17, 5};
    return seps[rng_weighted(&g->rng, w, KS_ARRAY_LEN(w))];
}

/* ------------------------------------------------------------------------ */
/* Dates as written. */

enum { DF_ISO, DF_SLASH, DF_KANJI, DF_ERA_KANJI, DF_ERA_ABBR, DF_COMPACT };

/* Writes day (y-m-d) in an era form, DF_ERA_KANJI or DF_ERA_ABBR; returns
 * false (writing nothing) before Showa, which the contract does not cover. */
static bool put_era_date(ks_buf *b, int32_t day, int y, int m, int d, int form)
{
    /* Era boundaries as the date module checks them. */
    const char *kanji, *abbr;
    int ey;
    if (day >= days_from_civil(2019, 5, 1)) {
        kanji = "令和", abbr = "R", ey = y - 2018;
    } else if (day >= days_from_civil(1989, 1, 8)) {
        kanji = "平成", abbr = "H", ey = y - 1988;
    } else if (day >= days_from_civil(1926, 12, 25)) {
        kanji = "昭和", abbr = "S", ey = y - 1925;
    } else {
        return false;
    }
    if (form == DF_ERA_KANJI) {
        ks_buf_adds(b, kanji);
        if (ey == 1)
            ks_buf_adds(b, "元");
        else
            put_uint(b, (uint64_t)ey, 1);
        ks_buf_adds(b, "年");
        put_uint(b, (uint64_t)m, 1);
        ks_buf_adds(b, "月");
        put_uint(b, (uint64_t)d, 1);
        ks_buf_adds(b, "日");
    } else {
        ks_buf_adds(b, abbr);
        put_uint(b, (uint64_t)ey, 1);
        ks_buf_addc(b, '.');
        put_uint(b, (uint64_t)m, 1);
        ks_buf_addc(b, '.');
        put_uint(b, (uint64_t)d, 1);
    }
    return true;
}

/* Writes day in form `form`; returns false (writing nothing) when the form
 * needs an era the contract does not cover (before Showa). */
static bool put_date(ks_buf *b, int32_t day, int form)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    switch (form) {
    case DF_ISO:
        put_uint(b, (uint64_t)y, 4);
        ks_buf_addc(b, '-');
        put_uint(b, (uint64_t)m, 2);
        ks_buf_addc(b, '-');
        put_uint(b, (uint64_t)d, 2);
        return true;
    case DF_SLASH:
        put_uint(b, (uint64_t)y, 4);
        ks_buf_addc(b, '/');
        put_uint(b, (uint64_t)m, 1);
        ks_buf_addc(b, '/');
        put_uint(b, (uint64_t)d, 1);
        return true;
    case DF_KANJI:
        put_uint(b, (uint64_t)y, 4);
        ks_buf_adds(b, "年");
        put_uint(b, (uint64_t)m, 1);
        ks_buf_adds(b, "月");
        put_uint(b, (uint64_t)d, 1);
        ks_buf_adds(b, "日");
        return true;
    case DF_COMPACT:
        put_uint(b, (uint64_t)y, 4);
        put_uint(b, (uint64_t)m, 2);
        put_uint(b, (uint64_t)d, 2);
        return true;
    default: return put_era_date(b, day, y, m, d, form);
    }
}

static void put_birth_date(gen *g, int32_t birth)
{
    static const int w[] = {24, 30, 6, 20, 17, 3};
    int form = (int)rng_weighted(&g->rng, w, KS_ARRAY_LEN(w));
    if (!put_date(&g->field, birth, form))
        put_date(&g->field, birth, rng_chance(&g->rng, 0.5) ? DF_ISO : DF_SLASH);
    if (rng_chance(&g->rng, 0.07))
        widen_digits(&g->field, 0);
}

/* ------------------------------------------------------------------------ */
/* Identifying fields. */

/* A bijection on [0, mod) so serial numbers become unique, random-looking ids. */
static uint64_t scramble(uint64_t x, uint64_t mul, uint64_t add, uint64_t mod)
{
    uint64_t r = 0;
    uint64_t a = mul % mod;
    x %= mod;
    /* Double-and-add: mod is below 2^62, so nothing overflows. */
    while (x) {
        if (x & 1)
            r = (r + a) % mod;
        a = (a * 2) % mod;
        x >>= 1;
    }
    return (r + add) % mod;
}

static void put_name(gen *g, const gen_person *p, int style)
{
    const gen_name *sur = p->foreign ? &k_foreign_surnames[p->surname] : &k_surnames[p->surname];
    const gen_name *giv = &k_given_sets[p->name_set].names[p->given];
    static const char *const spaces[] = {"　", " ", ""};
    ks_buf_adds(&g->field, sur->kanji);
    ks_buf_adds(&g->field, spaces[style]);
    ks_buf_adds(&g->field, giv->kanji);
}

/* Katakana (and sometimes hiragana) reading with its own spacing. */
static void put_kana(gen *g, const gen_person *p)
{
    const gen_name *sur = p->foreign ? &k_foreign_surnames[p->surname] : &k_surnames[p->surname];
    const gen_name *giv = &k_given_sets[p->name_set].names[p->given];
    static const char *const spaces[] = {"　", " ", ""};
    static const int w[] = {62, 15, 23};
    size_t from = g->field.len;
    ks_buf_adds(&g->field, sur->kana);
    ks_buf_adds(&g->field, spaces[rng_weighted(&g->rng, w, 3)]);
    ks_buf_adds(&g->field, giv->kana);
    if (!p->foreign && rng_chance(&g->rng, 0.05)) {
        /* Hiragana sits 0x60 below katakana U+30A1..U+30F6 (E3 82 A1..E3 83 B6);
         * ー and the full-width space stay as they are. */
        unsigned char *s = (unsigned char *)g->field.buf;
        for (size_t i = from; i + 2 < g->field.len + 1; i++) {
            if (s[i] != 0xE3)
                continue;
            unsigned cp = ((s[i] & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
            if (cp >= 0x30A1 && cp <= 0x30F6) {
                cp -= 0x60;
                s[i + 1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                s[i + 2] = (unsigned char)(0x80 | (cp & 0x3F));
            }
            i += 2;
        }
    }
}

static void put_address(gen *g, const gen_household *h)
{
    const gen_zone *z = &k_zones[h->zone];
    if (rng_chance(&g->rng, 0.2))
        ks_buf_adds(&g->field, "東京都");
    ks_buf_adds(&g->field, "三鷹市");
    ks_buf_adds(&g->field, z->town);
    size_t from = g->field.len;
    static const int w[] = {45, 38, 10, 7};
    int form = (int)rng_weighted(&g->rng, w, KS_ARRAY_LEN(w));
    put_uint(&g->field, h->chome, 1);
    if (form == 1) {
        ks_buf_addc(&g->field, '-');
        put_uint(&g->field, h->banchi, 1);
        ks_buf_addc(&g->field, '-');
        put_uint(&g->field, h->go, 1);
    } else if (form == 3) {
        ks_buf_adds(&g->field, "丁目");
        put_uint(&g->field, h->banchi, 1);
        ks_buf_addc(&g->field, '-');
        put_uint(&g->field, h->go, 1);
    } else {
        ks_buf_adds(&g->field, "丁目");
        put_uint(&g->field, h->banchi, 1);
        ks_buf_adds(&g->field, "番");
        put_uint(&g->field, h->go, 1);
        ks_buf_adds(&g->field, "号");
    }
    if (h->building) {
        ks_buf_adds(&g->field, rng_chance(&g->rng, 0.5) ? "　" : " ");
        ks_buf_adds(&g->field, k_buildings[h->building - 1]);
        put_uint(&g->field, h->room, 1);
        if (rng_chance(&g->rng, 0.3))
            ks_buf_adds(&g->field, "号室");
    }
    if (form == 2)
        widen_digits(&g->field, from);
}

static void put_phone(gen *g, const gen_person *p)
{
    bool land = p->hh.landline != 0, mob = p->mobile_prefix != 0;
    double u = rng_unit(&g->rng);
    if (u < 0.06)
        return; /* nobody wrote it down */
    if (land && (u < 0.6 || !mob)) {
        uint32_t mid = p->hh.landline / 10000, last = p->hh.landline % 10000;
        double f = rng_unit(&g->rng);
        ks_buf_adds(&g->field, "0422");
        ks_buf_adds(&g->field, f < 0.85 ? "-" : f < 0.9 ? "(" : "");
        put_uint(&g->field, mid, 2);
        ks_buf_adds(&g->field, f < 0.85 ? "-" : f < 0.9 ? ")" : "");
        put_uint(&g->field, last, 4);
    } else if (mob) {
        static const char *const pre[] = {"", "090", "080", "070"};
        bool dashes = rng_chance(&g->rng, 0.9);
        ks_buf_adds(&g->field, pre[p->mobile_prefix]);
        if (dashes)
            ks_buf_addc(&g->field, '-');
        put_uint(&g->field, p->mobile / 10000, 4);
        if (dashes)
            ks_buf_addc(&g->field, '-');
        put_uint(&g->field, p->mobile % 10000, 4);
    }
    if (g->field.len && rng_chance(&g->rng, 0.04))
        widen_digits(&g->field, 0);
}

/* ------------------------------------------------------------------------ */
/* Creating people and households. */

static gen_household new_household(gen *g, int type)
{
    gen_household h;
    memset(&h, 0, sizeof h);
    h.serial = g->next_household++;
    int district = (int)rng_weighted(&g->rng, k_district_weight, 7);
    int zones[4], nz = 0;
    for (size_t i = 0; i < KS_ARRAY_LEN(k_zones); i++)
        if (k_zones[i].district == district)
            zones[nz++] = (int)i;
    h.zone = (uint8_t)zones[rng_below(&g->rng, (uint32_t)nz)];
    h.chome = (uint8_t)rng_range(&g->rng, k_zones[h.zone].chome_lo, k_zones[h.zone].chome_hi);
    h.banchi = (uint8_t)rng_range(&g->rng, 1, 32);
    h.go = (uint8_t)rng_range(&g->rng, 1, 25);
    bool flat = rng_chance(&g->rng, type == HH_SINGLE ? 0.6 : 0.35);
    h.building = flat ? (uint8_t)(1 + rng_below(&g->rng, KS_ARRAY_LEN(k_buildings))) : 0;
    h.room = (uint16_t)(rng_range(&g->rng, 1, 5) * 100 + rng_range(&g->rng, 1, 12));
    h.type = (uint8_t)type;
    h.no_id = rng_chance(&g->rng, 0.04);
    if (rng_chance(&g->rng, 0.75))
        h.landline = (uint32_t)rng_range(&g->rng, 31, 79) * 10000 + rng_below(&g->rng, 10000);
    return h;
}

/* A new person of about `age` at `day`, in household h, of sex `sex` (-1 =
 * either); shares the family name of `family` unless it is NULL. */
static gen_person new_person(gen *g, const gen_household *h, int role, int age, int sex,
                             int32_t day, const gen_person *family, bool foreign)
{
    gen_person p;
    memset(&p, 0, sizeof p);
    p.serial = g->next_person++;
    p.role = (uint8_t)role;
    p.sex = (uint8_t)(sex >= 0 ? sex : (int)rng_below(&g->rng, 2));
    int32_t birth = day - (int32_t)(age * 365.2425) - (int32_t)rng_below(&g->rng, 365);
    /* Birth dates stay before 2016 so that no birth date, in any form, can
     * be mistaken for a consult date (all from 2020) in the privacy scan. */
    int32_t limit = days_from_civil(2015, 12, 31);
    if (birth > limit)
        birth = limit - (int32_t)rng_below(&g->rng, 365);
    p.birth = birth;
    int by, bm, bd;
    civil_from_days(birth, &by, &bm, &bd);
    p.foreign = foreign;
    int generation = foreign ? 3 : by < 1960 ? 0 : by < 1990 ? 1 : 2;
    p.name_set = (uint8_t)(generation * 2 + p.sex);
    p.given = (uint16_t)rng_below(&g->rng, (uint32_t)k_given_sets[p.name_set].n);
    if (family && family->foreign == p.foreign)
        p.surname = family->surname;
    else if (foreign)
        p.surname = (uint16_t)rng_below(&g->rng, KS_ARRAY_LEN(k_foreign_surnames));
    else
        p.surname = (uint16_t)rng_below(&g->rng, KS_ARRAY_LEN(k_surnames));
    if (rng_chance(&g->rng, 0.85))
        p.resident = 100000000000ULL + scramble(p.serial, 123456789013ULL, 271828182845ULL,
                                                900000000000ULL);
    if (age >= 15 && rng_chance(&g->rng, 0.7)) {
        p.mobile_prefix = (uint8_t)rng_range(&g->rng, 1, 3);
        p.mobile = (uint32_t)rng_range(&g->rng, 1000, 9999) * 10000 + rng_below(&g->rng, 10000);
    }
    p.last_style = (uint8_t)rng_below(&g->rng, 3);
    p.hh = *h;
    return p;
}

/* ------------------------------------------------------------------------ */
/* The schedule (min-heap) and the pool of recent people. */

static bool heap_less(const gen_pending *a, const gen_pending *b)
{
    return a->due < b->due || (a->due == b->due && a->order < b->order);
}

static void schedule(gen *g, const gen_person *p, int32_t due)
{
    if (g->heap_len >= HEAP_CAP || due > g->period_end)
        return; /* a bounded queue: beyond it, the case just never happens */
    size_t i = g->heap_len++;
    gen_pending e = {due, g->heap_order++, *p};
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!heap_less(&e, &g->heap[parent]))
            break;
        g->heap[i] = g->heap[parent];
        i = parent;
    }
    g->heap[i] = e;
}

static gen_pending heap_pop(gen *g)
{
    gen_pending top = g->heap[0];
    gen_pending last = g->heap[--g->heap_len];
    size_t i = 0, n = g->heap_len;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && heap_less(&g->heap[c + 1], &g->heap[c]))
            c++;
        if (!heap_less(&g->heap[c], &last))
            break;
        g->heap[i] = g->heap[c];
        i = c;
    }
    if (n)
        g->heap[i] = last;
    return top;
}

static void pool_put(gen *g, const gen_person *p)
{
    uint32_t slot = p->serial % POOL_SIZE;
    g->pool[slot] = *p;
    if (g->pool_fill < POOL_SIZE && slot >= g->pool_fill)
        g->pool_fill = slot + 1;
}

/* ------------------------------------------------------------------------ */
/* The content of a case. */

static void list_add(gen_list *l, int v)
{
    for (int i = 0; i < l->n; i++)
        if (l->v[i] == v)
            return;
    if (l->n < (int)sizeof l->v)
        l->v[l->n++] = (uint8_t)v;
}

static bool list_has(const gen_list *l, int v)
{
    for (int i = 0; i < l->n; i++)
        if (l->v[i] == v)
            return true;
    return false;
}

static void maybe(gen *g, gen_list *l, int v, double p)
{
    if (rng_chance(&g->rng, p))
        list_add(l, v);
}

/* Problems by role: the co-occurrences the seed documents describe.  One
 * function: it is a table, one case per role, written as code because the
 * odds depend on age and household and some draws on earlier ones; the
 * draws' order is what a seed gives, so it stays in one place to read. */
static void draw_problems(gen *g, const gen_person *p, int age, gen_list *l)
{
    gen_rng *r = &g->rng;
    switch (p->role) {
    case ROLE_ELDER_CARE:
        list_add(l, rng_chance(r, 0.9) ? P_CARE : P_HEALTH);
        maybe(g, l, P_DEMENTIA, 0.35);
        maybe(g, l, P_HEALTH, 0.25);
        maybe(g, l, P_ISOLATION, p->hh.type == HH_SINGLE ? 0.3 : 0.08);
        maybe(g, l, P_NEGLECT, 0.06);
        maybe(g, l, P_POVERTY, 0.1);
        maybe(g, l, P_ABUSE, 0.03);
        break;
    case ROLE_8050_ELDER:
        list_add(l, P_CARE);
        maybe(g, l, P_DEMENTIA, 0.5);
        maybe(g, l, P_8050, 0.5);
        maybe(g, l, P_HEALTH, 0.2);
        maybe(g, l, P_POVERTY, 0.15);
        break;
    case ROLE_8050_CHILD:
        list_add(l, P_HIKI);
        maybe(g, l, P_8050, 0.5);
        maybe(g, l, P_EMPLOYMENT, 0.3);
        maybe(g, l, P_MENTAL, 0.3);
        maybe(g, l, P_POVERTY, 0.2);
        maybe(g, l, P_ISOLATION, 0.15);
        break;
    case ROLE_DOUBLE_PARENT:
        list_add(l, P_CHILD);
        list_add(l, P_CARE);
        maybe(g, l, P_DOUBLE, 0.5);
        maybe(g, l, P_EMPLOYMENT, 0.15);
        maybe(g, l, P_MENTAL, 0.1);
        maybe(g, l, P_POVERTY, 0.1);
        break;
    case ROLE_DOUBLE_ELDER:
    case ROLE_YC_CARED_CARE:
        list_add(l, P_CARE);
        maybe(g, l, P_DEMENTIA, 0.4);
        maybe(g, l, P_HEALTH, 0.25);
        break;
    case ROLE_YC_CHILD:
        list_add(l, P_YOUNG_CARER);
        maybe(g, l, P_SCHOOL, 0.35);
        maybe(g, l, P_MENTAL, 0.08);
        break;
    case ROLE_YC_CARED_DIS:
        list_add(l, P_DISABILITY);
        maybe(g, l, P_MENTAL, 0.4);
        maybe(g, l, P_POVERTY, 0.25);
        maybe(g, l, P_CHILD, 0.3);
        break;
    case ROLE_POVERTY:
        list_add(l, P_POVERTY);
        if (rng_chance(r, 0.55)) {
            list_add(l, P_DEBT);
            maybe(g, l, P_HOUSING, 0.5);
        } else {
            maybe(g, l, P_HOUSING, 0.25);
        }
        maybe(g, l, P_EMPLOYMENT, age < 65 ? 0.45 : 0.1);
        maybe(g, l, P_HEALTH, 0.15);
        maybe(g, l, P_MENTAL, 0.1);
        maybe(g, l, P_CHILD, p->hh.type == HH_SINGLE_PARENT ? 0.6 : 0.0);
        break;
    case ROLE_DIS_MH:
        if (rng_chance(r, 0.6)) {
            list_add(l, P_DISABILITY);
            maybe(g, l, P_MENTAL, 0.35);
        } else {
            list_add(l, P_MENTAL);
        }
        maybe(g, l, P_EMPLOYMENT, 0.3);
        maybe(g, l, P_ISOLATION, 0.2);
        maybe(g, l, P_POVERTY, 0.2);
        break;
    case ROLE_CHILD_FAMILY:
        list_add(l, P_CHILD);
        maybe(g, l, P_POVERTY, p->hh.type == HH_SINGLE_PARENT ? 0.45 : 0.15);
        maybe(g, l, P_DV, 0.08);
        maybe(g, l, P_ABUSE, 0.07);
        maybe(g, l, P_SCHOOL, 0.12);
        maybe(g, l, P_MENTAL, 0.1);
        break;
    case ROLE_CHILD_SCHOOL:
        list_add(l, P_SCHOOL);
        maybe(g, l, P_CHILD, 0.3);
        maybe(g, l, P_DISABILITY, 0.12);
        maybe(g, l, P_MENTAL, 0.08);
        break;
    case ROLE_HIKI:
        list_add(l, P_HIKI);
        maybe(g, l, P_MENTAL, 0.3);
        maybe(g, l, P_EMPLOYMENT, age >= 18 ? 0.4 : 0.0);
        maybe(g, l, P_SCHOOL, age < 20 ? 0.5 : 0.0);
        maybe(g, l, P_ISOLATION, 0.2);
        break;
    case ROLE_FOREIGN:
        list_add(l, P_FOREIGN);
        maybe(g, l, P_POVERTY, 0.35);
        maybe(g, l, P_CHILD, 0.3);
        maybe(g, l, P_EMPLOYMENT, 0.3);
        maybe(g, l, P_HOUSING, 0.15);
        break;
    case ROLE_HEALTH:
        list_add(l, rng_chance(r, 0.8) ? P_HEALTH : P_MENTAL);
        maybe(g, l, P_SUICIDE, 0.25);
        maybe(g, l, P_MENTAL, 0.35);
        maybe(g, l, P_DEBT, 0.15);
        break;
    case ROLE_ISOLATION:
        list_add(l, P_ISOLATION);
        maybe(g, l, P_NEGLECT, 0.25);
        maybe(g, l, P_HEALTH, 0.3);
        maybe(g, l, P_CARE, age >= 65 ? 0.25 : 0.0);
        maybe(g, l, P_HOUSING, 0.1);
        break;
    default:
        list_add(l, P_OTHER);
        maybe(g, l, P_HEALTH, 0.2);
        maybe(g, l, P_HOUSING, 0.1);
        break;
    }
    maybe(g, l, P_ISOLATION, 0.03);
}

/* Partners by problem field, so that "which window for which problem" has
 * an answer in the data.  One function: it is a table, one case per
 * problem, whose odds depend on the case's age and district. */
static void draw_partners(gen *g, const gen_case *c, gen_list *w)
{
    /* Mitaka has two multigenerational centres, east and west. */
    int tasedai = c->district == 0 || c->district == 2 || c->district == 3 ? W_TASEDAI_E
                                                                            : W_TASEDAI_W;
    for (int i = 0; i < c->problems.n; i++) {
        switch (c->problems.v[i]) {
        case P_CARE:
        case P_DEMENTIA:
            maybe(g, w, W_HOUKATSU, 0.85);
            maybe(g, w, W_KOUREI_KA, 0.3);
            break;
        case P_DISABILITY:
            maybe(g, w, c->age < 18 ? W_HATTATSU : W_KIKAN, 0.8);
            maybe(g, w, W_SHOUGAI_KA, 0.35);
            maybe(g, w, W_CHIKATSU, c->age < 18 ? 0.0 : 0.12);
            break;
        case P_MENTAL:
            maybe(g, w, W_SHOUGAI_KA, 0.3);
            maybe(g, w, W_HOKENJO, 0.25);
            maybe(g, w, W_IRYO, 0.2);
            maybe(g, w, W_KIKAN, 0.2);
            break;
        case P_CHILD:
            maybe(g, w, W_KODOMO_KATEI, 0.7);
            maybe(g, w, tasedai, 0.25);
            maybe(g, w, W_HOKEN, 0.15);
            break;
        case P_SCHOOL:
            maybe(g, w, W_KODOMO_KATEI, 0.45);
            maybe(g, w, W_GAKKO, 0.4);
            maybe(g, w, W_HATTATSU, 0.2);
            break;
        case P_POVERTY:
            maybe(g, w, W_SEIKATSU, 0.8);
            maybe(g, w, W_FUKUSHI_KA, 0.4);
            break;
        case P_DEBT:
            maybe(g, w, W_SEIKATSU, 0.7);
            break;
        case P_HOUSING:
            maybe(g, w, W_SEIKATSU, 0.4);
            maybe(g, w, W_FUKUSHI_KA, 0.3);
            maybe(g, w, W_SHAKYO, 0.25);
            break;
        case P_EMPLOYMENT:
            maybe(g, w, W_SEIKATSU, 0.6);
            maybe(g, w, W_HELLOWORK, 0.3);
            break;
        case P_HIKI:
            maybe(g, w, W_SHAKYO, 0.4);
            maybe(g, w, W_SEIKATSU, 0.3);
            maybe(g, w, W_HIKI_DANTAI, 0.25);
            maybe(g, w, W_KIKAN, 0.12);
            break;
        case P_YOUNG_CARER:
            maybe(g, w, W_KODOMO_KATEI, 0.7);
            maybe(g, w, W_GAKKO, 0.45);
            maybe(g, w, W_HOUKATSU, 0.25);
            break;
        case P_ABUSE:
            maybe(g, w, c->age >= 65 ? W_KOUREI_KA : W_KODOMO_KATEI, 0.85);
            break;
        case P_DV:
            maybe(g, w, W_KODOMO_KATEI, 0.5);
            maybe(g, w, W_FUKUSHI_KA, 0.35);
            break;
        case P_ISOLATION:
            maybe(g, w, W_MINSEI, 0.4);
            maybe(g, w, W_SHAKYO, 0.35);
            maybe(g, w, W_CARENET, 0.15);
            maybe(g, w, W_HONOBONO, 0.12);
            break;
        case P_NEGLECT:
            maybe(g, w, W_HOUKATSU, 0.6);
            maybe(g, w, W_MINSEI, 0.4);
            break;
        case P_FOREIGN:
            maybe(g, w, tasedai, 0.35);
            maybe(g, w, W_SHAKYO, 0.4);
            break;
        case P_HEALTH:
            maybe(g, w, W_IRYO, 0.4);
            maybe(g, w, W_HOKEN, 0.3);
            break;
        case P_SUICIDE:
            maybe(g, w, W_HOKENJO, 0.5);
            maybe(g, w, W_IRYO, 0.4);
            maybe(g, w, W_SHOUGAI_KA, 0.2);
            break;
        case P_8050:
        case P_DOUBLE:
            maybe(g, w, W_SHAKYO, 0.3);
            break;
        default:
            maybe(g, w, W_SHAKYO, 0.2);
            break;
        }
    }
    if (c->route == R_COMMISSIONER)
        maybe(g, w, W_MINSEI, 0.5);
    if (rng_chance(&g->rng, 0.012))
        list_add(w, W_UNLISTED);
}

static int draw_route(gen *g, int role, int age)
{
    static const int base[R_COUNT] = {36, 20, 9, 5, 18, 5, 4, 3};
    int w[R_COUNT];
    memcpy(w, base, sizeof w);
    if (age >= 65) {
        w[R_FAMILY] += 12;
        w[R_COMMISSIONER] += 10;
        w[R_AGENCY] += 6;
        w[R_SELF] -= 14;
    }
    switch (role) {
    case ROLE_HIKI:
    case ROLE_8050_CHILD:
        w[R_FAMILY] += 40;
        w[R_SELF] -= 20;
        w[R_OUTREACH] += 5;
        break;
    case ROLE_YC_CHILD:
    case ROLE_CHILD_SCHOOL:
        w[R_AGENCY] += 45;
        w[R_SELF] -= 25;
        break;
    case ROLE_ISOLATION:
        w[R_NEIGHBOUR] += 12;
        w[R_COMMISSIONER] += 10;
        w[R_OUTREACH] += 8;
        w[R_SALON] += 4;
        break;
    default:
        break;
    }
    for (int i = 0; i < R_COUNT; i++)
        if (w[i] < 1)
            w[i] = 1;
    return (int)rng_weighted(&g->rng, w, R_COUNT);
}

/* Consent, and the meeting the case went to (a case without consent can
 * only be discussed at a support meeting). */
static void draw_consent(gen *g, gen_case *c, int np, int nw)
{
    gen_rng *r = &g->rng;
    double p_no = 0.07;
    if (list_has(&c->problems, P_HIKI) || list_has(&c->problems, P_YOUNG_CARER))
        p_no += 0.12;
    if (list_has(&c->problems, P_NEGLECT) || list_has(&c->problems, P_ABUSE))
        p_no += 0.25;
    if (list_has(&c->problems, P_ISOLATION))
        p_no += 0.08;
    c->consent = !rng_chance(r, p_no);
    if (!c->consent)
        c->meeting = rng_chance(r, 0.9) ? M_SUPPORT : M_NONE;
    else if (np >= 3 && nw >= 2)
        c->meeting = rng_chance(r, 0.5) ? M_PLAN : rng_chance(r, 0.5) ? M_NONE : M_BLANK;
    else
        c->meeting = rng_chance(r, 0.04) ? M_PLAN : rng_chance(r, 0.5) ? M_NONE : M_BLANK;
}

/* Supports follow the problems and the partners involved (nw of them).
 * Returns whether several agencies worked on the case together. */
static bool draw_supports(gen *g, gen_case *c, int nw)
{
    gen_rng *r = &g->rng;
    gen_list *s = &c->supports;
    maybe(g, s, S_CONSULT, 0.95);
    maybe(g, s, S_INFO, 0.3);
    bool elder = c->age >= 65;
    bool hiki = list_has(&c->problems, P_HIKI), iso = list_has(&c->problems, P_ISOLATION);
    maybe(g, s, S_VISIT, elder || hiki || list_has(&c->problems, P_NEGLECT) ? 0.5 : 0.15);
    maybe(g, s, S_ACCOMPANY, 0.15);
    maybe(g, s, S_REFERRAL, nw ? 0.55 : 0.05);
    bool multi = nw >= 2 && rng_chance(r, 0.7);
    if (multi || c->meeting == M_PLAN)
        list_add(s, S_MULTI);
    maybe(g, s, S_PLAN, c->meeting == M_PLAN ? 0.9 : multi ? 0.4 : 0.03);
    maybe(g, s, S_PARTICIPATION, hiki || iso || list_has(&c->problems, P_DISABILITY) ? 0.4 : 0.04);
    maybe(g, s, S_SALON, c->route == R_SALON ? 0.8 : 0.05);
    maybe(g, s, S_APPLICATION,
          list_has(&c->problems, P_POVERTY) || list_has(&c->problems, P_DISABILITY) ||
                  list_has(&c->problems, P_CARE)
              ? 0.25
              : 0.03);
    maybe(g, s, S_MONITORING, elder || iso ? 0.3 : 0.05);
    maybe(g, s, S_OTHER, 0.02);
    if (s->n == 0)
        list_add(s, S_CONSULT);
    return multi;
}

/* Most cases are taken by the district welfare coordinators themselves. */
static void draw_agency(gen *g, gen_case *c)
{
    c->agency = -1;
    double ua = rng_unit(&g->rng);
    if (ua < 0.5)
        c->agency = W_COORD;
    else if (ua < 0.58)
        c->agency = W_SHAKYO;
    else if (ua < 0.95)
        c->agency = c->partners.n && c->partners.v[0] != W_UNLISTED ? c->partners.v[0] : W_COORD;
}

/* Duration grows with complexity; hikikomori cases run long.  Sets the
 * status and the closing day. */
static void draw_closing(gen *g, gen_case *c, int np, bool multi)
{
    gen_rng *r = &g->rng;
    bool hiki = list_has(&c->problems, P_HIKI);
    double mean = 75 + 40 * (np - 1) + (hiki ? 150 : 0) + (multi ? 45 : 0);
    int32_t dur = 7 + (int32_t)(-mean * log(1.0 - rng_unit(r)));
    int32_t closed = c->consult + dur;
    if (closed > g->period_end) {
        c->status = ST_ONGOING;
        c->closed = -1;
    } else {
        double p_susp = 0.1 + (hiki ? 0.12 : 0) + (c->consent ? 0 : 0.1);
        c->status = rng_chance(r, p_susp) ? ST_SUSPENDED : ST_CLOSED;
        c->closed = closed;
    }
}

/* Outcome: a logistic model the analysis should find again. */
static void draw_outcome(gen *g, gen_case *c, int np, bool multi)
{
    gen_rng *r = &g->rng;
    if (c->status == ST_CLOSED) {
        double score = 1.1 - 0.45 * (np - 1) - 0.02 * (c->age > 60 ? c->age - 60 : 0) +
                       (multi ? 0.8 : 0) + (c->consent ? 0.3 : 0);
        double pg = 1.0 / (1.0 + exp(-score));
        if (rng_chance(r, pg)) {
            c->outcome = rng_chance(r, 0.4) ? O_RESOLVED : O_IMPROVED;
        } else {
            int w[] = {55, 20, 12, c->age >= 75 ? 14 : 2, 6};
            static const int map[] = {O_UNCHANGED, O_WORSENED, O_MOVED, O_DECEASED, O_UNKNOWN};
            c->outcome = map[rng_weighted(r, w, 5)];
        }
    } else if (c->status == ST_SUSPENDED) {
        static const int w[] = {40, 15, 15, 30};
        static const int map[] = {O_UNCHANGED, O_WORSENED, O_MOVED, O_UNKNOWN};
        c->outcome = map[rng_weighted(r, w, 4)];
    } else {
        c->outcome = rng_chance(r, 0.03) ? O_UNKNOWN : O_BLANK;
    }
    if (c->outcome != O_BLANK && rng_chance(r, 0.04))
        c->outcome = O_BLANK; /* not filled in */
}

static void draw_case(gen *g, const gen_person *p, int32_t consult, gen_case *c)
{
    gen_rng *r = &g->rng;
    memset(c, 0, sizeof *c);
    c->consult = consult;
    c->age = age_at(p->birth, consult);
    c->district = k_zones[p->hh.zone].district;
    draw_problems(g, p, c->age, &c->problems);
    c->route = rng_chance(r, 0.04) ? -1 : draw_route(g, p->role, c->age);
    draw_partners(g, c, &c->partners);
    c->unlisted = (int)rng_below(r, KS_ARRAY_LEN(k_unlisted));
    int np = c->problems.n, nw = c->partners.n - list_has(&c->partners, W_UNLISTED);
    draw_consent(g, c, np, nw);
    bool multi = draw_supports(g, c, nw);
    draw_agency(g, c);
    draw_closing(g, c, np, multi);
    draw_outcome(g, c, np, multi);
}

/* ------------------------------------------------------------------------ */
/* Notes (備考): never stored by the importer, but they must look real. */

static const char *const k_openers[R_COUNT][2] = {
    {"本人より電話で相談あり。", "本人が窓口に来所。"},
    {"家族から窓口に相談。", "同居の家族より電話があった。"},
    {"民生委員から気になる世帯として情報提供。", "民生委員の訪問で状況を把握。"},
    {"近隣住民から様子が気になると連絡。", "近所の方から心配の声が寄せられた。"},
    {"関係機関から支援の依頼があり初回面談。", "学校・関係機関からの情報提供。"},
    {"アウトリーチで自宅を訪問し状況を確認。", "見守り活動の中で把握した世帯。"},
    {"相談サロンで本人から話があった。", "コミュニティ・センターの相談サロンで相談。"},
    {"地域の集まりで相談を受けた。", "別件の対応中に把握した。"},
};

static const char *const k_situations[ROLE_COUNT][2] = {
    {"一人暮らしで物忘れが増え、服薬の管理が難しくなっている。",
     "介護保険の申請をしておらず、転倒が続いて買い物に困っている。"},
    {"要介護の親と無職の子の二人暮らしで、親の年金で生活している。",
     "親の認知症が進み、同居の子が介護を担えていない。"},
    {"長年自宅にこもっており、家族以外との交流がほとんどない。",
     "親の介護をきっかけに、同居の子の長いひきこもりが分かった。"},
    {"育児と親の介護が重なり、仕事を続けることが難しい。",
     "未就学児を育てながら実家の親の介護に通っている。"},
    {"娘が育児の合間に介護をしており、家族の負担が大きい。",
     "介護サービスの利用を家族が迷っている。"},
    {"中学生が家族の世話のため学校を休みがちになっている。",
     "生徒が家事と家族の介護を担っていると学校から連絡。"},
    {"体調が不安定で、家事や通院の付き添いを子に頼っている。",
     "障がいのある親の生活を子どもが支えている。"},
    {"祖父母の介護を孫が手伝っており、学業への影響が心配。",
     "要介護の祖母の見守りを子どもが担っている。"},
    {"家賃を数か月滞納しており、退去を求められている。",
     "複数の借入があり、家計の管理ができていない。"},
    {"精神科への通院が途切れがちで、生活のリズムが乱れている。",
     "障がい福祉サービスの利用について相談したいとのこと。"},
    {"ひとり親で子育てと仕事の両立に悩んでいる。",
     "子の発達に不安があり、相談先が分からないとのこと。"},
    {"小学生の子が半年ほど登校できていない。", "不登校が続き、保護者も疲れている。"},
    {"高校中退後、自室で過ごすことが多く外出はほぼない。",
     "就職活動がうまくいかず、数年間家に閉じこもっている。"},
    {"日本語での手続きが難しく、通訳の手配が必要。",
     "在留資格の更新と子の就学について不安がある。"},
    {"持病の悪化で仕事を休んでおり、医療費の支払いに困っている。",
     "死にたい気持ちがあると話し、緊急性を確認した。"},
    {"近所付き合いがなく、室内にごみがたまっている。",
     "配偶者を亡くしてから外出が減り、食事も不規則。"},
    {"近隣とのトラブルについて相談があった。",
     "制度の狭間にあり、どこに相談すればよいか分からないとのこと。"},
};

static void put_notes(gen *g, const gen_person *p, const gen_case *c, int style)
{
    gen_rng *r = &g->rng;
    if (rng_chance(r, 0.35))
        return;
    ks_buf *f = &g->field;
    const char *sep = rng_chance(r, 0.03) ? "\n" : "";
    const gen_name *sur = p->foreign ? &k_foreign_surnames[p->surname] : &k_surnames[p->surname];
    double u = rng_unit(r);
    if (u < 0.22) {
        ks_buf_adds(f, sur->kanji);
        ks_buf_adds(f, "さん宅を訪問。");
    } else if (u < 0.28) {
        /* The full name as written in the row: the reason notes are never stored. */
        ks_buf_adds(f, "本人（");
        size_t from = f->len;
        put_name(g, p, style);
        if (g->idout) {
            ks_buf_add(&g->ids, f->buf + from, f->len - from);
            ks_buf_addc(&g->ids, '\n');
        }
        ks_buf_adds(f, "）より相談。");
    } else {
        int route = c->route < 0 ? R_OTHERROUTE : c->route;
        ks_buf_adds(f, k_openers[route][rng_below(r, 2)]);
    }
    ks_buf_adds(f, sep);
    ks_buf_adds(f, k_situations[p->role][rng_below(r, 2)]);
    if (rng_chance(r, 0.4))
        return;
    ks_buf_adds(f, sep);
    if (c->meeting == M_PLAN) {
        ks_buf_adds(f, "重層的支援会議で支援プランを検討。");
    } else if (c->meeting == M_SUPPORT) {
        ks_buf_adds(f, "支援会議で情報を共有し、見守り体制を確認。");
    } else if (c->partners.n && c->partners.v[0] != W_UNLISTED) {
        ks_buf_adds(f, k_partners[c->partners.v[0]].name);
        ks_buf_adds(f, rng_chance(r, 0.5) ? "につなぎ、初回面談に同行。" : "と情報を共有。");
    } else {
        ks_buf_adds(f, "本人の意向を確かめながら継続して関わる。");
    }
    double v = rng_unit(r);
    if (v < 0.05) {
        ks_buf_adds(f, "訪問");
        put_uint(f, (uint64_t)rng_range(r, 1, 4), 1);
        ks_buf_adds(f, "回, 電話");
        put_uint(f, (uint64_t)rng_range(r, 1, 9), 1);
        ks_buf_adds(f, "回。");
    } else if (v < 0.06) {
        ks_buf_adds(f, "本人は\"もう少し様子を見たい\"と話す。");
    }
    if (c->status == ST_CLOSED && rng_chance(r, 0.3))
        ks_buf_adds(f, "状況が落ち着いたため終結。");
    else if (c->status == ST_SUSPENDED && rng_chance(r, 0.6))
        ks_buf_adds(f, "連絡が取れなくなり中断。");
    else if (c->status == ST_ONGOING && rng_chance(r, 0.4)) {
        ks_buf_adds(f, "次回は");
        put_uint(f, (uint64_t)rng_range(r, 1, 4), 1);
        ks_buf_adds(f, "週間後に訪問予定。");
    }
}

/* ------------------------------------------------------------------------ */
/* Rows. */

/* A partner as written: its name, now and then its alias. */
static const char *partner_name(gen *g, int w)
{
    return rng_chance(&g->rng, 0.05) ? k_partners[w].alias : k_partners[w].name;
}

static void put_list(gen *g, const gen_list *l, const gen_code *codes)
{
    const char *sep = pick_separator(g);
    bool en = pick_english(g);
    for (int i = 0; i < l->n; i++) {
        if (i)
            ks_buf_adds(&g->field, sep);
        ks_buf_adds(&g->field, en ? codes[l->v[i]].en : codes[l->v[i]].ja);
    }
}

static void put_record_id(gen *g, int32_t consult)
{
    int y, m, d;
    civil_from_days(consult, &y, &m, &d);
    int fy = m >= 4 ? y : y - 1;
    if (fy != g->record_fy) {
        g->record_fy = fy;
        g->record_seq = 0;
    }
    ks_buf_addc(&g->field, 'K');
    put_uint(&g->field, (uint64_t)fy, 4);
    ks_buf_addc(&g->field, '-');
    put_uint(&g->field, ++g->record_seq, 6);
}

static int write_bytes(FILE *f, const char *s, size_t n, ks_error *err)
{
    if (fwrite(s, 1, n, f) != n)
        return ks_error_set(err, KS_EIO, "cannot write output: %s", strerror(errno));
    return 0;
}

/* Ends the record and writes it (converted when asked). */
static int flush_row(gen *g, ks_error *err)
{
    ks_buf_adds(&g->row, g->opt.crlf ? "\r\n" : "\n");
    int rc = 0;
    if (g->opt.encoding == KS_ENC_CP932) {
        ks_buf_reset(&g->conv);
        if (ks_utf8_to_cp932(g->row.buf, g->row.len, &g->conv) < 0)
            return ks_error_set(err, KS_EDATA, "internal error: a generated row has no CP932 form");
        rc = write_bytes(g->out, g->conv.buf, g->conv.len, err);
    } else {
        rc = write_bytes(g->out, g->row.buf, g->row.len, err);
    }
    if (rc == 0 && g->idout && g->ids.len)
        rc = write_bytes(g->idout, g->ids.buf, g->ids.len, err);
    ks_buf_reset(&g->row);
    ks_buf_reset(&g->ids);
    return rc;
}

static int write_header(gen *g, ks_error *err)
{
    const char *const *h = g->opt.english_headers ? k_header_en : k_header_ja;
    if (g->opt.bom)
        ks_buf_adds(&g->row, "\xEF\xBB\xBF");
    for (size_t i = 0; i < COL_COUNT; i++) {
        if (i)
            ks_buf_addc(&g->row, ',');
        ks_buf_adds(&g->row, h[i]);
    }
    return flush_row(g, err);
}

/* How one row writes what repeats across its fields. */
typedef struct row_style {
    int name;        /* put_name's spacing style */
    int date_form;   /* DF_* of both case dates */
    bool wide_dates; /* full-width digits in them */
} row_style;

/* The person's identifying fields (record id to household id) into
 * g->field, each noted as an identifier when written. */
static void put_identity_field(gen *g, gen_person *p, int32_t consult, int col, const row_style *rs)
{
    gen_rng *r = &g->rng;
    ks_buf *f = &g->field;
    switch (col) {
    case COL_RECORD_ID: put_record_id(g, consult); break;
    case COL_RESIDENT_ID:
        if (!p->resident)
            return;
        put_uint(f, p->resident, 12);
        if (rng_chance(r, 0.02))
            widen_digits(f, 0);
        break;
    case COL_NAME:
        put_name(g, p, rs->name);
        if (rng_chance(r, 0.01))
            ks_buf_adds(f, rng_chance(r, 0.5) ? " " : "　"); /* a trailing blank */
        break;
    case COL_KANA:
        if (rng_chance(r, 0.08))
            return;
        put_kana(g, p);
        break;
    case COL_BIRTH: put_birth_date(g, p->birth); break;
    case COL_ADDRESS:
        if (rng_chance(r, 0.05))
            return;
        put_address(g, &p->hh);
        break;
    case COL_PHONE: put_phone(g, p); break;
    case COL_HOUSEHOLD_ID:
        if (p->hh.no_id || rng_chance(r, 0.02))
            return;
        ks_buf_adds(f, "S-");
        put_uint(f, scramble(p->hh.serial, 7777777ULL, 1234567ULL, 10000000ULL), 7);
        if (p->hh.serial >= 10000000u) /* widen rather than collide */
            put_uint(f, p->hh.serial / 10000000u, 1);
        break;
    default: return;
    }
    note_identifier(g);
}

/* Sex, household type and district into g->field. */
static void put_person_field(gen *g, const gen_person *p, int col)
{
    gen_rng *r = &g->rng;
    ks_buf *f = &g->field;
    if (col == COL_SEX) {
        double u = rng_unit(r);
        if (u < 0.02)
            return;
        if (u < 0.03)
            ks_buf_adds(f, g->row_english ? "U" : "不明");
        else if (u < 0.06 && !g->row_english)
            ks_buf_adds(f, p->sex == SEX_M ? "男性" : "女性");
        else
            put_code(g, &(const gen_code){p->sex == SEX_M ? "男" : "女", p->sex == SEX_M ? "M" : "F"});
    } else if (col == COL_HOUSEHOLD_TYPE) {
        if (!rng_chance(r, 0.05))
            put_code(g, &k_household_types[p->hh.type]);
    } else if (col == COL_DISTRICT) {
        ks_buf_adds(f, k_districts[k_zones[p->hh.zone].district]);
        if (rng_chance(r, 0.01))
            ks_buf_adds(f, "　");
    }
}

/* The case's fields (consult date to notes) into g->field. */
static void put_case_field(gen *g, const gen_person *p, const gen_case *c, int col, const row_style *rs)
{
    gen_rng *r = &g->rng;
    ks_buf *f = &g->field;
    switch (col) {
    case COL_CONSULT:
    case COL_CLOSED: {
        int32_t day = col == COL_CONSULT ? c->consult : c->closed;
        if (day < 0)
            break;
        put_date(f, day, rs->date_form);
        if (rs->wide_dates)
            widen_digits(f, 0);
        break;
    }
    case COL_ROUTE:
        if (c->route >= 0)
            put_code(g, &k_routes[c->route]);
        break;
    case COL_AGENCY:
        if (c->agency >= 0)
            ks_buf_adds(f, partner_name(g, c->agency));
        break;
    case COL_PROBLEMS: put_list(g, &c->problems, k_problems); break;
    case COL_SUPPORTS:
        if (!rng_chance(r, 0.03))
            put_list(g, &c->supports, k_supports);
        break;
    case COL_PARTNERS: {
        const char *sep = pick_separator(g);
        for (int i = 0; i < c->partners.n; i++) {
            if (i)
                ks_buf_adds(f, sep);
            int w = c->partners.v[i];
            ks_buf_adds(f, w == W_UNLISTED ? k_unlisted[c->unlisted] : partner_name(g, w));
        }
        break;
    }
    case COL_CONSENT: put_code(g, &(const gen_code){c->consent ? "あり" : "なし", c->consent ? "yes" : "no"}); break;
    case COL_MEETING:
        if (c->meeting != M_BLANK)
            put_code(g, &k_meetings[c->meeting]);
        break;
    case COL_STATUS: put_code(g, &k_status[c->status]); break;
    case COL_OUTCOME:
        if (c->outcome != O_BLANK)
            put_code(g, &k_outcomes[c->outcome]);
        break;
    case COL_NOTES: put_notes(g, p, c, rs->name); break;
    default: break;
    }
}

/* The row's style: the same person is written with different spacing from
 * case to case. */
static row_style draw_row_style(gen *g, const gen_person *p)
{
    gen_rng *r = &g->rng;
    row_style rs;
    static const int style_w[] = {45, 20, 35};
    rs.name = (int)rng_weighted(r, style_w, 3);
    if (p->cases && rs.name == p->last_style && rng_chance(r, 0.6))
        rs.name = (rs.name + 1 + (int)rng_below(r, 2)) % 3;
    static const int date_w[] = {42, 50, 2, 3, 3};
    rs.date_form = (int)rng_weighted(r, date_w, 5);
    rs.wide_dates = rng_chance(r, 0.02);
    return rs;
}

/* The summary's counts of one written case. */
static void tally_case(gen *g, const gen_person *p, const gen_case *c)
{
    g->st.rows++;
    g->st.returning += p->cases > 0;
    g->st.bytes += g->row.len + 1 + g->opt.crlf;
    for (int i = 0; i < c->problems.n; i++)
        g->st.problems[c->problems.v[i]]++;
    g->st.status[c->status]++;
    g->st.no_consent += !c->consent;
}

/* Writes one case of person p (whose record is updated) opened on `consult`. */
static int write_case(gen *g, gen_person *p, int32_t consult, ks_error *err)
{
    gen_rng *r = &g->rng;
    /* A young carer or school refuser who comes back as an adult comes back
     * with an adult's problems. */
    if ((p->role == ROLE_YC_CHILD || p->role == ROLE_CHILD_SCHOOL) && age_at(p->birth, consult) >= 18)
        p->role = rng_chance(r, 0.5) ? ROLE_HIKI : ROLE_DIS_MH;
    gen_case c;
    draw_case(g, p, consult, &c);
    g->row_english = rng_chance(r, 0.05);
    row_style rs = draw_row_style(g, p);
    for (int col = 0; col < COL_COUNT; col++) {
        ks_buf_reset(&g->field);
        if (col <= COL_HOUSEHOLD_ID)
            put_identity_field(g, p, consult, col, &rs);
        else if (col <= COL_DISTRICT)
            put_person_field(g, p, col);
        else
            put_case_field(g, p, &c, col, &rs);
        emit_field(g, col == COL_RECORD_ID);
    }
    tally_case(g, p, &c);
    p->cases++;
    p->last_style = (uint8_t)rs.name;
    pool_put(g, p);
    /* Some come back after the case is closed. */
    if (c.closed >= 0 && rng_chance(r, 0.22))
        schedule(g, p, c.closed + 30 + (int32_t)rng_below(r, 540));
    return flush_row(g, err);
}

/* ------------------------------------------------------------------------ */
/* Scenarios: a new household and its first case; other members' cases are
 * scheduled shortly after, so the household links are there in the data. */

static int clamp_age(int a, int lo, int hi) { return a < lo ? lo : a > hi ? hi : a; }

/* Who a scenario brings in: a, and with `two` a second member b. */
typedef struct cast {
    gen_person a;  /* the one whose case comes first */
    gen_person b;  /* a second member, when two */
    bool two;      /* b gets a case too, shortly after */
    bool a_first;  /* a's case comes first (else they swap) */
} cast;

/* Hikikomori cases grow faster than the rest (8050 included). */
static int draw_scenario(gen *g, double years)
{
    int w[SC_COUNT];
    memcpy(w, k_scenario_weight, sizeof w);
    double boost = 1.0 + 0.3 * years;
    w[SC_HIKI] = (int)(w[SC_HIKI] * 100 * boost);
    w[SC_8050] = (int)(w[SC_8050] * 100 * boost);
    for (int i = 0; i < SC_COUNT; i++)
        if (i != SC_HIKI && i != SC_8050)
            w[i] *= 100;
    return (int)rng_weighted(&g->rng, w, SC_COUNT);
}

/* The scenarios of one person alone. */
static void cast_single(gen *g, int sc, int32_t day, cast *k)
{
    gen_rng *r = &g->rng;
    gen_household h;
    switch (sc) {
    case SC_POVERTY: {
        static const int hw[] = {50, 15, 15, 20};
        static const int ht[] = {HH_SINGLE, HH_COUPLE, HH_PARENT_CHILD, HH_SINGLE_PARENT};
        h = new_household(g, ht[rng_weighted(r, hw, 4)]);
        k->a = new_person(g, &h, ROLE_POVERTY, rng_range(r, 22, 75), -1, day, NULL, false);
        break;
    }
    case SC_DIS_MH:
        h = new_household(g, rng_chance(r, 0.5) ? HH_SINGLE : HH_PARENT_CHILD);
        k->a = new_person(g, &h, ROLE_DIS_MH, rng_range(r, 18, 64), -1, day, NULL, false);
        break;
    case SC_CHILD_SCHOOL:
        h = new_household(g, rng_chance(r, 0.3) ? HH_SINGLE_PARENT : HH_PARENT_CHILD);
        k->a = new_person(g, &h, ROLE_CHILD_SCHOOL, rng_range(r, 7, 15), -1, day, NULL, false);
        break;
    case SC_HIKI:
        h = new_household(g, rng_chance(r, 0.8) ? HH_PARENT_CHILD : HH_SINGLE);
        k->a = new_person(g, &h, ROLE_HIKI, rng_range(r, 15, 39), rng_chance(r, 0.65) ? SEX_M : SEX_F, day,
                          NULL, false);
        break;
    case SC_FOREIGN:
        h = new_household(g, rng_chance(r, 0.5) ? HH_PARENT_CHILD : HH_SINGLE);
        k->a = new_person(g, &h, ROLE_FOREIGN, rng_range(r, 20, 60), -1, day, NULL, true);
        break;
    case SC_HEALTH:
        h = new_household(g, rng_chance(r, 0.5) ? HH_SINGLE : HH_COUPLE);
        k->a = new_person(g, &h, ROLE_HEALTH, rng_range(r, 20, 75), -1, day, NULL, false);
        break;
    case SC_ISOLATION:
        h = new_household(g, rng_chance(r, 0.85) ? HH_SINGLE : HH_OTHER);
        k->a = new_person(g, &h, ROLE_ISOLATION, rng_range(r, 45, 90), -1, day, NULL, false);
        break;
    default:
        h = new_household(g, (int)rng_below(r, HH_COUNT));
        k->a = new_person(g, &h, ROLE_OTHER, rng_range(r, 20, 85), -1, day, NULL, false);
        break;
    }
}

/* 8050: a parent over 75 and a child of 40-59 at home. */
static void cast_8050(gen *g, int32_t day, cast *k)
{
    gen_rng *r = &g->rng;
    gen_household h = new_household(g, HH_PARENT_CHILD);
    int child = rng_range(r, 40, 59);
    int parent = child + rng_range(r, 25, 36);
    if (parent < 75)
        parent = 75 + rng_range(r, 0, 6);
    k->a = new_person(g, &h, ROLE_8050_ELDER, parent, -1, day, NULL, false);
    k->b = new_person(g, &h, ROLE_8050_CHILD, child, rng_chance(r, 0.7) ? SEX_M : SEX_F, day, &k->a, false);
    k->two = rng_chance(r, 0.92);
    k->a_first = rng_chance(r, 0.6);
}

/* A young carer and the one cared for: a grandparent, or a parent with a
 * disability. */
static void cast_young_carer(gen *g, int32_t day, cast *k)
{
    gen_rng *r = &g->rng;
    bool grand = rng_chance(r, 0.45);
    gen_household h =
        new_household(g, grand ? HH_THREE_GEN : rng_chance(r, 0.6) ? HH_SINGLE_PARENT : HH_PARENT_CHILD);
    int kid = rng_range(r, 10, 17);
    k->a = new_person(g, &h, ROLE_YC_CHILD, kid, -1, day, NULL, false);
    if (grand)
        k->b = new_person(g, &h, ROLE_YC_CARED_CARE, clamp_age(kid + rng_range(r, 55, 70), 70, 95), -1, day,
                          &k->a, false);
    else
        k->b = new_person(g, &h, ROLE_YC_CARED_DIS, clamp_age(kid + rng_range(r, 24, 40), 35, 58), -1, day,
                          &k->a, false);
    k->two = rng_chance(r, 0.85);
    k->a_first = rng_chance(r, 0.6);
}

/* The scenarios of a household whose second member may have a case. */
static void cast_household(gen *g, int sc, int32_t day, cast *k)
{
    gen_rng *r = &g->rng;
    gen_household h;
    switch (sc) {
    case SC_ELDER:
        h = new_household(g, rng_chance(r, 0.55) ? HH_SINGLE : HH_COUPLE);
        k->a = new_person(g, &h, ROLE_ELDER_CARE, rng_range(r, 65, 96), -1, day, NULL, false);
        if (h.type == HH_COUPLE && rng_chance(r, 0.12)) {
            k->b = new_person(g, &h, ROLE_ELDER_CARE,
                              clamp_age(age_at(k->a.birth, day) + rng_range(r, -6, 6), 65, 99), !k->a.sex, day,
                              &k->a, false);
            k->two = true;
        }
        break;
    case SC_8050: cast_8050(g, day, k); break;
    case SC_DOUBLE:
        h = new_household(g, rng_chance(r, 0.6) ? HH_THREE_GEN : HH_PARENT_CHILD);
        k->a = new_person(g, &h, ROLE_DOUBLE_PARENT, rng_range(r, 30, 49), rng_chance(r, 0.8) ? SEX_F : SEX_M,
                          day, NULL, false);
        k->b = new_person(g, &h, ROLE_DOUBLE_ELDER,
                          clamp_age(age_at(k->a.birth, day) + rng_range(r, 26, 38), 65, 95), -1, day, &k->a,
                          false);
        k->two = rng_chance(r, 0.5);
        break;
    case SC_YOUNG_CARER: cast_young_carer(g, day, k); break;
    case SC_CHILD_FAMILY:
        h = new_household(g, rng_chance(r, 0.5) ? HH_SINGLE_PARENT : HH_PARENT_CHILD);
        k->a = new_person(g, &h, ROLE_CHILD_FAMILY, rng_range(r, 22, 46), rng_chance(r, 0.8) ? SEX_F : SEX_M,
                          day, NULL, false);
        if (rng_chance(r, 0.15)) {
            k->b = new_person(g, &h, ROLE_CHILD_SCHOOL,
                              clamp_age(age_at(k->a.birth, day) - rng_range(r, 24, 35), 6, 15), -1, day, &k->a,
                              false);
            k->two = true;
        }
        break;
    default: cast_single(g, sc, day, k); break;
    }
}

static int new_scenario(gen *g, int32_t day, double years, ks_error *err)
{
    int sc = draw_scenario(g, years);
    g->st.scenarios[sc]++;
    cast k = {.two = false, .a_first = true};
    cast_household(g, sc, day, &k);
    if (k.two && !k.a_first) {
        gen_person t = k.a;
        k.a = k.b;
        k.b = t;
    }
    if (k.two)
        schedule(g, &k.b, day + (int32_t)rng_below(&g->rng, 75));
    return write_case(g, &k.a, day, err);
}

/* ------------------------------------------------------------------------ */
/* The period: months with a gentle trend and seasonality. */

/* New fiscal year in April brings people in; the holidays keep them away. */
static const double k_season[12] = {0.86, 0.95, 1.0, 1.1, 1.12, 1.07, 1.02, 0.9, 1.0, 1.05, 1.0,
                                    0.88};

static double month_weight(const gen *g, int i)
{
    int m0 = g->opt.start_month - 1 + i;
    return (1.0 + 0.07 * (i / 12.0)) * k_season[m0 % 12];
}

static int run(gen *g, ks_error *err)
{
    int rc = write_header(g, err);
    if (rc)
        return rc;
    double total = 0;
    for (int i = 0; i < g->opt.months; i++)
        total += month_weight(g, i);
    double cum = 0;
    uint64_t done = 0;
    for (int i = 0; i < g->opt.months && rc == 0; i++) {
        cum += month_weight(g, i);
        uint64_t upto = i == g->opt.months - 1 ? g->opt.rows
                                               : (uint64_t)((double)g->opt.rows * cum / total + 0.5);
        int y = g->opt.start_year + (g->opt.start_month - 1 + i) / 12;
        int m = (g->opt.start_month - 1 + i) % 12 + 1;
        int32_t first = days_from_civil(y, m, 1);
        int32_t last = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
        double years = i / 12.0;
        for (; done < upto && rc == 0; done++) {
            if (g->heap_len && g->heap[0].due <= last) {
                gen_pending e = heap_pop(g);
                /* A member's case can only be written in this month now. */
                int32_t day = e.due < first ? first + (int32_t)rng_below(&g->rng, 28) : e.due;
                rc = write_case(g, &e.person, day, err);
                continue;
            }
            int32_t day = first + (int32_t)rng_below(&g->rng, (uint32_t)(last - first + 1));
            gen_person *back = NULL;
            if (g->pool_fill && rng_chance(&g->rng, 0.115)) {
                back = &g->pool[rng_below(&g->rng, g->pool_fill)];
                if (back->serial == 0)
                    back = NULL; /* a slot whose person has no case yet */
            }
            if (back) {
                gen_person p = *back;
                rc = write_case(g, &p, day, err);
            } else {
                rc = new_scenario(g, day, years, err);
            }
        }
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Command line. */

static const char k_usage[] =
    "usage: kasane-gen [--rows N] [--seed S] [--encoding utf-8|cp932] [--bom]\n"
    "                  [--headers ja|en] [--crlf] [--start YYYY-MM] [--months M]\n"
    "                  [--identifiers FILE] [--stats] [-o OUT]\n"
    "\n"
    "Writes N synthetic coordinator case records (default 1000) as CSV in the\n"
    "import contract's form; the same seed always gives the same data, in either\n"
    "encoding.  Cases are spread over M months (default 72) from --start (default\n"
    "2020-04; not before 2020-01).  --identifiers writes every identifying value\n"
    "that appears in the output, one per line, for privacy tests.  --stats prints a\n"
    "summary to stderr.\n";

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s)
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (max - (uint64_t)(*s - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

/* One option, by its name (the part before any '='), with its value (NULL
 * for a flag), into o. */
static int set_option(gen_options *o, const char *name, const char *val, ks_error *err)
{
    uint64_t v;
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
        o->help = true;
    } else if (!strcmp(name, "--bom")) {
        o->bom = true;
    } else if (!strcmp(name, "--crlf")) {
        o->crlf = true;
    } else if (!strcmp(name, "--stats")) {
        o->stats = true;
    } else if (!strcmp(name, "--rows")) {
        if (parse_u64(val, UINT64_MAX / 2, &o->rows))
            return ks_error_set(err, KS_EUSAGE, "--rows: '%s' is not a row count", val);
    } else if (!strcmp(name, "--seed")) {
        if (parse_u64(val, UINT64_MAX, &o->seed))
            return ks_error_set(err, KS_EUSAGE, "--seed: '%s' is not a number", val);
    } else if (!strcmp(name, "--encoding")) {
        if (ks_encoding_parse(val, &o->encoding, err) < 0)
            return -KS_EUSAGE;
        if (o->encoding == KS_ENC_AUTO)
            return ks_error_set(err, KS_EUSAGE, "--encoding: say utf-8 or cp932");
    } else if (!strcmp(name, "--headers")) {
        if (strcmp(val, "ja") && strcmp(val, "en"))
            return ks_error_set(err, KS_EUSAGE, "--headers: '%s' is not ja or en", val);
        o->english_headers = !strcmp(val, "en");
    } else if (!strcmp(name, "--start")) {
        int y = 0, m = 0;
        char extra;
        if (sscanf(val, "%4d-%2d%c", &y, &m, &extra) != 2 || m < 1 || m > 12)
            return ks_error_set(err, KS_EUSAGE, "--start: '%s' is not YYYY-MM", val);
        /* Birth dates are all before 2016: consult dates must never be. */
        if (y < 2020 || y > 2100)
            return ks_error_set(err, KS_EUSAGE, "--start: year must be 2020..2100");
        o->start_year = y;
        o->start_month = m;
    } else if (!strcmp(name, "--months")) {
        if (parse_u64(val, 1200, &v) || v == 0)
            return ks_error_set(err, KS_EUSAGE, "--months: '%s' is not 1..1200", val);
        o->months = (int)v;
    } else if (!strcmp(name, "--identifiers")) {
        o->identifiers = val;
    } else if (!strcmp(name, "-o") || !strcmp(name, "--output")) {
        o->output = val;
    } else {
        return ks_error_set(err, KS_EUSAGE, "unknown option '%s' (see --help)", name);
    }
    return 0;
}

static int parse_args(int argc, char **argv, gen_options *o, ks_error *err)
{
    static const char *const flags[] = {"--bom", "--crlf", "--stats", "--help", "-h"};
    static const char *const valued[] = {"--rows", "--seed", "--encoding", "--headers", "--start",
                                         "--months", "--identifiers", "-o", "--output"};
    memset(o, 0, sizeof *o);
    o->rows = 1000;
    o->seed = 1;
    o->encoding = KS_ENC_UTF8;
    o->start_year = 2020;
    o->start_month = 4;
    o->months = 72;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        char name[32];
        const char *eq = strchr(a, '=');
        size_t nlen = eq && a[0] == '-' && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
        if (nlen >= sizeof name)
            return ks_error_set(err, KS_EUSAGE, "unknown option '%s'", a);
        memcpy(name, a, nlen);
        name[nlen] = '\0';
        bool flag = false, known = false;
        for (size_t k = 0; k < KS_ARRAY_LEN(flags); k++)
            flag = flag || !strcmp(name, flags[k]);
        for (size_t k = 0; k < KS_ARRAY_LEN(valued); k++)
            known = known || !strcmp(name, valued[k]);
        if (!flag && !known)
            return ks_error_set(err, KS_EUSAGE, "unknown option '%s' (see --help)", name);
        if (!flag) {
            if (eq && nlen < strlen(a))
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else
                return ks_error_set(err, KS_EUSAGE, "option '%s' needs a value", name);
        }
        int rc = set_option(o, name, val, err);
        if (rc)
            return rc;
    }
    /* The date module accepts years up to 2100. */
    if (o->start_year + (o->start_month - 1 + o->months - 1) / 12 > 2100)
        return ks_error_set(err, KS_EUSAGE, "--start and --months reach beyond 2100");
    if (o->bom && o->encoding != KS_ENC_UTF8)
        return ks_error_set(err, KS_EUSAGE, "--bom only applies to --encoding utf-8");
    return 0;
}

static void print_stats(const gen *g)
{
    const gen_stats *s = &g->st;
    double n = s->rows ? (double)s->rows : 1;
    fprintf(stderr, "rows %llu, mean row %.0f bytes, returning %.1f%%, no consent %.1f%%\n",
            (unsigned long long)s->rows, (double)s->bytes / n, 100.0 * (double)s->returning / n,
            100.0 * (double)s->no_consent / n);
    fprintf(stderr, "status: ongoing %.1f%%, closed %.1f%%, suspended %.1f%%\n",
            100.0 * (double)s->status[0] / n, 100.0 * (double)s->status[1] / n,
            100.0 * (double)s->status[2] / n);
    fprintf(stderr, "people %u, households %u; new households by scenario:", g->next_person - 1,
            g->next_household - 1);
    for (int i = 0; i < SC_COUNT; i++)
        fprintf(stderr, " %llu", (unsigned long long)s->scenarios[i]);
    fputc('\n', stderr);
    for (int i = 0; i < P_COUNT; i++)
        fprintf(stderr, "  %-14s %6.2f%%\n", k_problems[i].en, 100.0 * (double)s->problems[i] / n);
}

static int close_file(FILE *f, const char *path, ks_error *err)
{
    if (fclose(f) != 0)
        return ks_error_set(err, KS_EIO, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}

/* The output and the identifier list, opened with large buffers. */
static int open_outputs(gen *g, ks_error *err)
{
    g->out = stdout;
    if (g->opt.output) {
        g->out = fopen(g->opt.output, "wb");
        if (!g->out)
            return ks_error_set(err, KS_EIO, "cannot open '%s': %s", g->opt.output, strerror(errno));
    }
    setvbuf(g->out, NULL, _IOFBF, 1 << 20);
    if (g->opt.identifiers) {
        g->idout = fopen(g->opt.identifiers, "wb");
        if (!g->idout)
            return ks_error_set(err, KS_EIO, "cannot open '%s': %s", g->opt.identifiers, strerror(errno));
        setvbuf(g->idout, NULL, _IOFBF, 1 << 20);
    }
    return 0;
}

/* Closes what open_outputs opened, checking for write errors; the first
 * error wins (rc: the run's). */
static int close_outputs(gen *g, int rc, ks_error *err)
{
    if (g->idout) {
        int c = close_file(g->idout, g->opt.identifiers, rc ? NULL : err);
        rc = rc ? rc : c;
    }
    if (g->out && g->out != stdout) {
        int c = close_file(g->out, g->opt.output, rc ? NULL : err);
        rc = rc ? rc : c;
    } else if (g->out) {
        int c = ks_close_stdout(rc ? NULL : err);
        rc = rc ? rc : c;
    }
    return rc;
}

/* The generator's state before the first row. */
static void gen_start(gen *g)
{
    rng_seed(&g->rng, g->opt.seed);
    /* The period ends the day before the month after the last one. */
    int em = g->opt.start_month - 1 + g->opt.months;
    g->period_end = days_from_civil(g->opt.start_year + em / 12, em % 12 + 1, 1) - 1;
    g->record_fy = -1;
    g->next_person = 1;
    g->next_household = 1;
    g->pool = ks_calloc(POOL_SIZE, sizeof *g->pool);
    g->heap = ks_calloc(HEAP_CAP, sizeof *g->heap);
}

int main(int argc, char **argv)
{
    ks_error err = {0};
    gen g;
    memset(&g, 0, sizeof g);
    ks_buf_init(&g.row);
    ks_buf_init(&g.field);
    ks_buf_init(&g.ids);
    ks_buf_init(&g.conv);
    int rc = parse_args(argc, argv, &g.opt, &err);
    if (rc)
        goto done;
    if (g.opt.help) {
        fputs(k_usage, stdout);
        g.out = stdout; /* checked for write errors like any output */
        goto done;
    }
    gen_start(&g);
    if ((rc = open_outputs(&g, &err)) == 0)
        rc = run(&g, &err);
done:
    rc = close_outputs(&g, rc, &err);
    /* After the output is closed, so a reader of stderr cannot cut it short. */
    if (rc == 0 && g.opt.stats && !g.opt.help)
        print_stats(&g);
    free(g.pool);
    free(g.heap);
    ks_buf_release(&g.row);
    ks_buf_release(&g.field);
    ks_buf_release(&g.ids);
    ks_buf_release(&g.conv);
    if (rc) {
        fprintf(stderr, "kasane-gen: error: %s\n", err.msg);
        return ks_exit_code(rc);
    }
    return 0;
}
