/* test_reader_limits.c: the reader's field cap, UTF-16 detection, the
 * column-count message and the header-width error (issue 10, items 9, 10a,
 * 10c).  Expected values are written by hand: field counts are the commas on
 * a line plus one, UTF-16 byte patterns follow RFC 2781. */
#include <stdio.h>
#include <string.h>

#include "csvread.h"
#include "encoding.h"
#include "import.h"
#include "test.h"

/* Reads every record of s with at most max_fields fields (0: the default),
 * writing "nfields+dropped" for each into out, space separated. */
static void counts(const char *s, size_t len, size_t max_fields, char *out, size_t size)
{
    FILE *f = fmemopen((void *)s, len, "r");
    ks_error err = {0};
    ks_csv_reader *r = ks_csv_reader_new(f, "in.csv", 1 << 20, &err);
    if (max_fields)
        ks_csv_reader_set_max_fields(r, max_fields);
    ks_csv_record rec;
    size_t used = 0;
    out[0] = '\0';
    int rc;
    while ((rc = ks_csv_next(r, &rec, NULL, &err)) == 1 && used < size)
        used += (size_t)snprintf(out + used, size - used, "%s%zu+%llu", used ? " " : "", rec.nfields,
                                 (unsigned long long)rec.dropped_fields);
    KS_CHECK_INT(rc, 0);
    ks_csv_reader_free(r);
    fclose(f);
}

static void test_field_cap(void)
{
    char got[256];
    /* cap 3: the second record keeps d,e,f and counts g,h */
    static const char in[] = "a,b,c\nd,e,f,g,h\ni\n";
    counts(in, sizeof in - 1, 3, got, sizeof got);
    KS_CHECK_STR(got, "3+0 3+2 1+0");

    FILE *f = fmemopen((void *)in, sizeof in - 1, "r");
    ks_error err = {0};
    ks_csv_reader *r = ks_csv_reader_new(f, "in.csv", 1 << 20, &err);
    ks_csv_reader_set_max_fields(r, 3);
    ks_csv_record rec;
    KS_CHECK_INT(ks_csv_next(r, &rec, NULL, &err), 1);
    KS_CHECK_INT(ks_csv_next(r, &rec, NULL, &err), 1);
    KS_CHECK_STR(rec.fields[0].data, "d");
    KS_CHECK_STR(rec.fields[2].data, "f");
    KS_CHECK_INT(rec.line, 2);
    KS_CHECK_INT(ks_csv_next(r, &rec, NULL, &err), 1);
    KS_CHECK_STR(rec.fields[0].data, "i"); /* the next record starts afresh */
    KS_CHECK_INT(rec.line, 3);
    ks_csv_reader_free(r);
    fclose(f);

    /* the default: 999 commas are 1000 fields (held), 1000 commas 1001 */
    ks_buf b;
    ks_buf_init(&b);
    for (int i = 0; i < 999; i++)
        ks_buf_addc(&b, ',');
    ks_buf_adds(&b, "\nx");
    for (int i = 0; i < 1000; i++)
        ks_buf_addc(&b, ',');
    ks_buf_adds(&b, "\ny\n");
    counts(b.buf, b.len, 0, got, sizeof got);
    KS_CHECK_STR(got, "1000+0 1000+1 1+0");
    ks_buf_release(&b);
}

/* The record cap: with max_field 1024 a record holds at most
 * 2 * 1024 + 65536 = 67,584 bytes of fields, each field costing its length
 * and a NUL.  100 fields of 1,000 bytes: after 67 fields the arena holds
 * 67 * 1001 = 67,067 bytes, and the 68th (67,067 + 1,000 > 67,584) is the
 * first one reported oversize; the record still has all 100 fields. */
static void test_record_cap(void)
{
    ks_buf b;
    ks_buf_init(&b);
    for (int i = 0; i < 100; i++) {
        for (int j = 0; j < 1000; j++)
            ks_buf_addc(&b, 'a');
        ks_buf_addc(&b, i == 99 ? '\n' : ',');
    }
    FILE *f = fmemopen(b.buf, b.len, "r");
    ks_error err = {0};
    ks_csv_reader *r = ks_csv_reader_new(f, "in.csv", 1024, &err);
    ks_csv_record rec;
    size_t oversize = 0;
    KS_CHECK_INT(ks_csv_next(r, &rec, &oversize, &err), 1);
    KS_CHECK_INT(rec.nfields, 100);
    KS_CHECK_INT(oversize, 68);
    KS_CHECK_INT(rec.fields[66].len, 1000);
    KS_CHECK_INT(rec.fields[67].len, 0);
    ks_csv_reader_free(r);
    fclose(f);
    ks_buf_release(&b);
}

static void test_utf16(void)
{
    /* "ab,\n" in UTF-16LE and UTF-16BE, with and without a BOM; 4 NULs are
     * too few without a BOM, so a longer text for those */
    static const char le_bom[] = "\xFF\xFE" "a\0b\0,\0\n\0";
    static const char be_bom[] = "\xFE\xFF" "\0a\0b\0,\0\n";
    KS_CHECK(ks_encoding_looks_utf16((const unsigned char *)le_bom, sizeof le_bom - 1));
    KS_CHECK(ks_encoding_looks_utf16((const unsigned char *)be_bom, sizeof be_bom - 1));
    unsigned char le[40], be[40];
    const char *text = "id,date\n1,2024-04-01\n"; /* 20 ASCII characters */
    for (int i = 0; i < 20; i++) {
        le[2 * i] = (unsigned char)text[i];
        le[2 * i + 1] = 0;
        be[2 * i] = 0;
        be[2 * i + 1] = (unsigned char)text[i];
    }
    KS_CHECK(ks_encoding_looks_utf16(le, sizeof le));
    KS_CHECK(ks_encoding_looks_utf16(be, sizeof be));
    /* the same with every other character a kanji (no NUL byte): 1 in 4 */
    unsigned char mix[40];
    for (int i = 0; i < 20; i++) {
        mix[2 * i] = i % 2 ? 0x18 : (unsigned char)text[i]; /* 記 U+8A18, LE */
        mix[2 * i + 1] = i % 2 ? 0x8A : 0;
    }
    KS_CHECK(ks_encoding_looks_utf16(mix, sizeof mix));
    /* not UTF-16: ASCII, UTF-8 Japanese, one NUL in a row, NULs everywhere */
    KS_CHECK(!ks_encoding_looks_utf16((const unsigned char *)text, strlen(text)));
    const char *ja = "記録番号,氏名\nG-01,善良\n";
    KS_CHECK(!ks_encoding_looks_utf16((const unsigned char *)ja, strlen(ja)));
    static const char one_nul[] = "a,b\0c,d\n";
    KS_CHECK(!ks_encoding_looks_utf16((const unsigned char *)one_nul, sizeof one_nul - 1));
    unsigned char zeros[64] = {0};
    KS_CHECK(!ks_encoding_looks_utf16(zeros, sizeof zeros));
    KS_CHECK(!ks_encoding_looks_utf16(zeros, 0));
    /* a UTF-8 BOM is not a UTF-16 one */
    KS_CHECK(!ks_encoding_looks_utf16((const unsigned char *)"\xEF\xBB\xBF" "a,b\n", 7));

    /* the reader refuses it at once, naming line 1 */
    FILE *f = fmemopen((void *)le_bom, sizeof le_bom - 1, "r");
    ks_error err = {0};
    ks_csv_reader *r = ks_csv_reader_new(f, "u16.csv", 1 << 20, &err);
    ks_csv_record rec;
    KS_CHECK_INT(ks_csv_next(r, &rec, NULL, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "u16.csv:1: UTF-16 is not supported; save the file as UTF-8 or Shift_JIS (CP932)") != NULL);
    ks_csv_reader_free(r);
    fclose(f);
}

static void test_reject_message(void)
{
    char buf[160];
    ks_reject r = {.line = 7, .field = -1, .reason = KS_R_COLUMN_COUNT, .expected = 23, .found = 19};
    KS_CHECK_STR(ks_reject_message(&r, buf, sizeof buf), "wrong number of columns: expected 23 fields, found 19");
    KS_CHECK_STR(ks_reason_code(r.reason), "column_count");
    r.reason = KS_R_TOO_MANY_FIELDS;
    r.found = 20971521;
    KS_CHECK_STR(ks_reject_message(&r, buf, sizeof buf),
                 "expected 23 fields, found 20971521: more than the 1000 a record may have");
    KS_CHECK_STR(ks_reason_code(r.reason), "too_many_fields");
    r.reason = KS_R_HEADER_REPEATED;
    KS_CHECK_STR(ks_reason_code(r.reason), "header_repeated");
    KS_CHECK_STR(ks_reject_message(&r, buf, sizeof buf), ks_reason_message(KS_R_HEADER_REPEATED));
    r.reason = KS_R_MISSING;
    KS_CHECK_STR(ks_reject_message(&r, buf, sizeof buf), "required value is empty");
    /* every reason has a code and a message */
    for (int i = 0; i < KS_R_COUNT; i++) {
        KS_CHECK(ks_reason_code((ks_reason)i) != NULL);
        KS_CHECK(ks_reason_message((ks_reason)i) != NULL);
    }
}

static void test_header_too_wide(void)
{
    ks_error err = {0};
    ks_decoder *dec = ks_decoder_new(KS_ENC_UTF8, &err);
    ks_csv_field f[1] = {{"record_id", 9}};
    ks_csv_record rec = {.fields = f, .nfields = 1, .dropped_fields = 1000, .line = 1};
    ks_header h;
    KS_CHECK_INT(ks_header_parse(&rec, dec, NULL, "wide.csv", &h, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "wide.csv:1: the header row has 1001 columns; at most 1000 are supported") != NULL);
    ks_decoder_free(dec);
}

int main(void)
{
    test_field_cap();
    test_record_cap();
    test_utf16();
    test_reject_message();
    test_header_too_wide();
    return ks_test_report();
}
