/* test_csvread.c: the streaming CSV reader.  Expected fields and line numbers
 * are written by hand from RFC 4180, or known by construction (the generator
 * below counts the line breaks it writes). */
#include "csvread.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "test.h"

#define MIB (1024 * 1024)

/* Everything one parse produced, copied out so records can be checked after. */
typedef struct rec_copy {
    uint64_t line;     /* start line reported */
    size_t nfields;    /* field count */
    size_t oversize;   /* *oversize_field reported */
    uint64_t end;      /* end_offset reported */
    ks_buf *fields;    /* field copies */
} rec_copy;

typedef struct parse_result {
    rec_copy *recs; /* records read */
    size_t n;       /* how many */
    int rc;         /* last return: 0 at end of input or a negative error */
    ks_error err;   /* error of the last call */
    uint64_t offset; /* ks_csv_offset at the end */
} parse_result;

static void parse_stream(FILE *f, size_t max_field, parse_result *pr)
{
    memset(pr, 0, sizeof *pr);
    ks_csv_reader *r = ks_csv_reader_new(f, "in.csv", max_field, &pr->err);
    KS_CHECK(r != NULL);
    if (!r)
        return;
    size_t cap = 0;
    for (;;) {
        ks_csv_record rec;
        size_t over = 99;
        int rc = ks_csv_next(r, &rec, &over, &pr->err);
        if (rc != 1) {
            pr->rc = rc;
            break;
        }
        if (pr->n == cap) {
            cap = cap ? cap * 2 : 16;
            pr->recs = ks_realloc(pr->recs, cap * sizeof *pr->recs);
        }
        rec_copy *c = &pr->recs[pr->n++];
        c->line = rec.line;
        c->nfields = rec.nfields;
        c->oversize = over;
        c->end = rec.end_offset;
        c->fields = ks_calloc(rec.nfields, sizeof *c->fields);
        for (size_t i = 0; i < rec.nfields; i++) {
            ks_buf_init(&c->fields[i]);
            ks_buf_add(&c->fields[i], rec.fields[i].data, rec.fields[i].len);
            /* The NUL terminator the header promises. */
            KS_CHECK(rec.fields[i].data[rec.fields[i].len] == '\0');
        }
    }
    pr->offset = ks_csv_offset(r);
    ks_csv_reader_free(r);
}

static void parse_mem(const char *data, size_t len, size_t max_field, parse_result *pr)
{
    /* fmemopen refuses a zero-length buffer on some libcs: give it one byte it
     * never reads. */
    FILE *f = fmemopen((void *)(len ? data : "x"), len ? len : 1, "r");
    KS_CHECK(f != NULL);
    if (!f) {
        memset(pr, 0, sizeof *pr);
        return;
    }
    if (!len)
        fgetc(f);
    parse_stream(f, max_field, pr);
    fclose(f);
}

static void parse_str(const char *s, parse_result *pr) { parse_mem(s, strlen(s), MIB, pr); }

static void result_free(parse_result *pr)
{
    for (size_t i = 0; i < pr->n; i++) {
        for (size_t j = 0; j < pr->recs[i].nfields; j++)
            ks_buf_release(&pr->recs[i].fields[j]);
        free(pr->recs[i].fields);
    }
    free(pr->recs);
    memset(pr, 0, sizeof *pr);
}

static const char *field(const parse_result *pr, size_t rec, size_t i)
{
    if (rec >= pr->n || i >= pr->recs[rec].nfields)
        return "(missing)";
    return pr->recs[rec].fields[i].buf;
}

static void test_basic_and_quoting(void)
{
    parse_result pr;
    parse_str("id,name,note\n"
              "1,\"Yamada, Taro\",\"say \"\"hi\"\"\"\n"
              "2,,\"\"\n",
              &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 3);
    KS_CHECK_INT(pr.recs[0].nfields, 3);
    KS_CHECK_STR(field(&pr, 0, 0), "id");
    KS_CHECK_STR(field(&pr, 0, 2), "note");
    KS_CHECK_STR(field(&pr, 1, 1), "Yamada, Taro");
    KS_CHECK_STR(field(&pr, 1, 2), "say \"hi\"");
    KS_CHECK_INT(pr.recs[2].nfields, 3);
    KS_CHECK_STR(field(&pr, 2, 1), "");
    KS_CHECK_STR(field(&pr, 2, 2), "");
    KS_CHECK_INT(pr.recs[0].line, 1);
    KS_CHECK_INT(pr.recs[1].line, 2);
    KS_CHECK_INT(pr.recs[2].line, 3);
    KS_CHECK_INT(pr.recs[0].oversize, 0);
    /* end_offset: just past each record's line end ("id,name,note\n" is 13). */
    KS_CHECK_INT(pr.recs[0].end, 13);
    KS_CHECK_INT(pr.recs[2].end, pr.offset);
    result_free(&pr);

    /* libcsv's documented leniency: blanks around unquoted fields and around
     * quotes are dropped, blanks inside quotes are kept. */
    parse_str("  a , b\t,  \" c \"  ,d\n", &pr);
    KS_CHECK_INT(pr.n, 1);
    KS_CHECK_INT(pr.recs[0].nfields, 4);
    KS_CHECK_STR(field(&pr, 0, 0), "a");
    KS_CHECK_STR(field(&pr, 0, 1), "b");
    KS_CHECK_STR(field(&pr, 0, 2), " c ");
    KS_CHECK_STR(field(&pr, 0, 3), "d");
    result_free(&pr);

    /* Malformed quoting, libcsv's lenient reading: a stray quote in an unquoted
     * field is a character; text after a closing quote reopens the quoted
     * field up to the next quote, line break included, and the line count
     * follows that reading. */
    parse_str("ab\"c,d\n\"abc\"x,d\ne\",f\nnext\n", &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 3);
    KS_CHECK_STR(field(&pr, 0, 0), "ab\"c");
    KS_CHECK_INT(pr.recs[1].nfields, 2);
    KS_CHECK_STR(field(&pr, 1, 0), "abc\"x,d\ne");
    KS_CHECK_STR(field(&pr, 1, 1), "f");
    KS_CHECK_INT(pr.recs[1].line, 2);
    KS_CHECK_INT(pr.recs[2].line, 4);
    result_free(&pr);

    /* Japanese UTF-8 passes through as bytes. */
    parse_str("記録番号,氏名\r\nA-001,\"山田　太郎\"\r\n", &pr);
    KS_CHECK_INT(pr.n, 2);
    KS_CHECK_STR(field(&pr, 0, 0), "記録番号");
    KS_CHECK_STR(field(&pr, 1, 1), "山田　太郎");
    result_free(&pr);
}

static void test_field_counts(void)
{
    parse_result pr;
    parse_str("a,b,c\n1,2\n,,,\n\"\"\nx\n", &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 5);
    KS_CHECK_INT(pr.recs[0].nfields, 3);
    KS_CHECK_INT(pr.recs[1].nfields, 2);
    KS_CHECK_INT(pr.recs[2].nfields, 4);
    KS_CHECK_INT(pr.recs[3].nfields, 1);
    KS_CHECK_STR(field(&pr, 3, 0), "");
    KS_CHECK_INT(pr.recs[4].nfields, 1);
    KS_CHECK_INT(pr.recs[4].line, 5);
    result_free(&pr);
}

static void test_multiline(void)
{
    parse_result pr;
    /* line 1: header; record 2 spans lines 2-4; next record on line 5 */
    parse_str("h1,h2,h3\n"
              "1,\"x\ny\nz\",end\n"
              "2,w,v\n"
              "\"\nstarts with a break\",\"two\n\nbreaks\"\n"
              "3,u,t\n",
              &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 5);
    KS_CHECK_STR(field(&pr, 1, 1), "x\ny\nz");
    KS_CHECK_STR(field(&pr, 1, 2), "end");
    KS_CHECK_INT(pr.recs[1].line, 2);
    KS_CHECK_INT(pr.recs[2].line, 5);
    KS_CHECK_STR(field(&pr, 3, 0), "\nstarts with a break");
    KS_CHECK_STR(field(&pr, 3, 1), "two\n\nbreaks");
    KS_CHECK_INT(pr.recs[3].line, 6);
    KS_CHECK_INT(pr.recs[4].line, 10); /* record 4 spans lines 6-9 */
    result_free(&pr);

    /* CRLF inside a quoted field stays in the field and is one line break;
     * a lone CR inside quotes is one too. */
    parse_str("1,\"x\r\ny\"\r\n2,\"p\rq\"\r\n3,w\r\n", &pr);
    KS_CHECK_INT(pr.n, 3);
    KS_CHECK_STR(field(&pr, 0, 1), "x\r\ny");
    KS_CHECK_STR(field(&pr, 1, 1), "p\rq");
    KS_CHECK_INT(pr.recs[0].line, 1);
    KS_CHECK_INT(pr.recs[1].line, 3);
    KS_CHECK_INT(pr.recs[2].line, 5);
    result_free(&pr);
}

static void test_line_ends(void)
{
    static const char *const ends[] = {"\n", "\r\n", "\r"};
    for (size_t e = 0; e < KS_ARRAY_LEN(ends); e++) {
        ks_buf in;
        ks_buf_init(&in);
        ks_buf_addf(&in, "a,b%s1,2%s%s3,\"q%sr\"%s4,5%s", ends[e], ends[e], ends[e], ends[e],
                    ends[e], ends[e]);
        parse_result pr;
        parse_str(in.buf, &pr);
        KS_CHECK_INT(pr.rc, 0);
        KS_CHECK_INT(pr.n, 4);
        KS_CHECK_INT(pr.recs[0].line, 1);
        KS_CHECK_INT(pr.recs[1].line, 2);
        KS_CHECK_INT(pr.recs[2].line, 4); /* line 3 is blank */
        KS_CHECK_INT(pr.recs[3].line, 6);
        KS_CHECK_STR(field(&pr, 1, 1), "2");
        KS_CHECK_INT(pr.recs[1].nfields, 2);
        ks_buf want;
        ks_buf_init(&want);
        ks_buf_addf(&want, "q%sr", ends[e]);
        KS_CHECK_STR(field(&pr, 2, 1), want.buf);
        KS_CHECK_INT(pr.offset, in.len);
        ks_buf_release(&want);
        result_free(&pr);
        ks_buf_release(&in);
    }

    /* Mixed in one file; "\r\r\n" is a lone CR and then a CRLF: two line ends. */
    parse_result pr;
    parse_str("a\r\nb\nc\rd\r\r\ne\n", &pr);
    KS_CHECK_INT(pr.n, 5);
    KS_CHECK_INT(pr.recs[0].line, 1);
    KS_CHECK_INT(pr.recs[1].line, 2);
    KS_CHECK_INT(pr.recs[2].line, 3);
    KS_CHECK_INT(pr.recs[3].line, 4);
    KS_CHECK_INT(pr.recs[4].line, 6);
    KS_CHECK_STR(field(&pr, 4, 0), "e");
    result_free(&pr);
}

static void test_blank_lines(void)
{
    parse_result pr;
    /* lines: 1 "", 2 "", 3 a,b, 4 "", 5 blanks, 6 "" (CRLF), 7 c,d, 8 "" */
    parse_str("\n\na,b\n\n   \t\n\r\nc,d\n\n", &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 2);
    KS_CHECK_INT(pr.recs[0].line, 3);
    KS_CHECK_INT(pr.recs[1].line, 7);
    KS_CHECK_STR(field(&pr, 1, 1), "d");
    result_free(&pr);

    parse_str("\n\r\n\r  \n", &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 0);
    result_free(&pr);
}

static void test_bom_and_last_line(void)
{
    parse_result pr;
    parse_str("\xEF\xBB\xBFid,name\n1,x\n", &pr);
    KS_CHECK_INT(pr.n, 2);
    KS_CHECK_STR(field(&pr, 0, 0), "id");
    KS_CHECK_INT(pr.recs[0].fields[0].len, 2);
    KS_CHECK_INT(pr.recs[0].line, 1);
    KS_CHECK_INT(pr.recs[1].line, 2);
    KS_CHECK_INT(pr.offset, 15); /* 3 (BOM, counted as consumed) + 8 + 4 */
    result_free(&pr);

    /* Only at the very start: elsewhere the bytes are data. */
    parse_str("a,\xEF\xBB\xBF" "b\n", &pr);
    KS_CHECK_STR(field(&pr, 0, 1), "\xEF\xBB\xBF" "b");
    result_free(&pr);

    parse_str("\xEF\xBB\xBF", &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 0);
    result_free(&pr);

    parse_str("a,b\nc,d", &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 2);
    KS_CHECK_STR(field(&pr, 1, 0), "c");
    KS_CHECK_STR(field(&pr, 1, 1), "d");
    KS_CHECK_INT(pr.recs[1].line, 2);
    KS_CHECK_INT(pr.recs[1].end, 7);
    result_free(&pr);

    parse_str("a,\"b\nc\"", &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 1);
    KS_CHECK_STR(field(&pr, 0, 1), "b\nc");
    result_free(&pr);

    parse_str("a\r\nb,  ", &pr); /* trailing blanks on a last line without end */
    KS_CHECK_INT(pr.n, 2);
    KS_CHECK_INT(pr.recs[1].nfields, 2);
    KS_CHECK_STR(field(&pr, 1, 1), "");
    result_free(&pr);
}

static void test_unterminated(void)
{
    parse_result pr;
    parse_str("a,b\nc,\"d\ne\nf\n", &pr);
    KS_CHECK_INT(pr.n, 1);
    KS_CHECK_INT(pr.rc, -KS_EDATA);
    KS_CHECK_INT(pr.err.code, KS_EDATA);
    KS_CHECK(strncmp(pr.err.msg, "in.csv:2: ", 10) == 0);
    KS_CHECK(strstr(pr.err.msg, "unterminated") != NULL);
    /* The message names the place, never the content. */
    KS_CHECK(strstr(pr.err.msg, "d\ne") == NULL);
    result_free(&pr);

    parse_str("x\n\n\"abc", &pr);
    KS_CHECK_INT(pr.n, 1);
    KS_CHECK_INT(pr.rc, -KS_EDATA);
    KS_CHECK(strncmp(pr.err.msg, "in.csv:3: ", 10) == 0);
    result_free(&pr);

    /* A closed quote at the very end is fine; a doubled quote is not a close. */
    parse_str("\"abc\"\"\"", &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_STR(field(&pr, 0, 0), "abc\"");
    result_free(&pr);
    parse_str("\"abc\"\"\n", &pr);
    KS_CHECK_INT(pr.rc, -KS_EDATA);
    KS_CHECK(strncmp(pr.err.msg, "in.csv:1: ", 10) == 0);
    result_free(&pr);

    /* The error is sticky. */
    FILE *f = fmemopen((void *)"\"open\n", 6, "r");
    ks_error err = {0};
    ks_csv_reader *r = ks_csv_reader_new(f, "s.csv", MIB, &err);
    ks_csv_record rec;
    KS_CHECK_INT(ks_csv_next(r, &rec, NULL, &err), -KS_EDATA);
    KS_CHECK_INT(ks_csv_next(r, &rec, NULL, &err), -KS_EDATA);
    ks_csv_reader_free(r);
    fclose(f);
}

static void test_nul_and_empty(void)
{
    static const char in[] = "a,b\0c,d\n";
    parse_result pr;
    parse_mem(in, sizeof in - 1, MIB, &pr);
    KS_CHECK_INT(pr.n, 1);
    KS_CHECK_INT(pr.recs[0].nfields, 3);
    KS_CHECK_INT(pr.recs[0].fields[1].len, 3);
    KS_CHECK(memcmp(pr.recs[0].fields[1].buf, "b\0c", 3) == 0);
    KS_CHECK_STR(field(&pr, 0, 2), "d");
    result_free(&pr);

    parse_mem("", 0, MIB, &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 0);
    KS_CHECK_INT(pr.offset, 0);
    result_free(&pr);

    /* After the end, ks_csv_next keeps saying so. */
    FILE *f = fmemopen((void *)"a\n", 2, "r");
    ks_error err = {0};
    ks_csv_reader *r = ks_csv_reader_new(f, "e.csv", MIB, &err);
    ks_csv_record rec;
    KS_CHECK_INT(ks_csv_next(r, &rec, NULL, &err), 1);
    KS_CHECK_INT(ks_csv_next(r, &rec, NULL, &err), 0);
    KS_CHECK_INT(ks_csv_next(r, &rec, NULL, &err), 0);
    ks_csv_reader_free(r);
    fclose(f);
}

static void test_oversize_small(void)
{
    parse_result pr;
    /* max_field 8: exactly 8 bytes is fine, 9 is not; blanks libcsv trims do
     * not count, a doubled quote counts once. */
    static const char small[] =
        "12345678,123456789,x\n\"1234567\"\"\",1234567890   ,\"12345678\"   \nok\n";
    parse_mem(small, sizeof small - 1, 8, &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 3);
    KS_CHECK_INT(pr.recs[0].oversize, 2);
    KS_CHECK_STR(field(&pr, 0, 0), "12345678");
    KS_CHECK_STR(field(&pr, 0, 1), "");
    KS_CHECK_STR(field(&pr, 0, 2), "x");
    KS_CHECK_INT(pr.recs[1].oversize, 2);
    KS_CHECK_STR(field(&pr, 1, 0), "1234567\"");
    KS_CHECK_STR(field(&pr, 1, 2), "12345678");
    KS_CHECK_INT(pr.recs[2].oversize, 0);
    KS_CHECK_INT(pr.recs[2].line, 3);
    result_free(&pr);

    /* Two oversize fields: the first is reported, both come back empty. */
    parse_mem("aaaaaaaaaa,b,cccccccccc\n", 24, 8, &pr);
    KS_CHECK_INT(pr.recs[0].oversize, 1);
    KS_CHECK_INT(pr.recs[0].fields[0].len, 0);
    KS_CHECK_INT(pr.recs[0].fields[2].len, 0);
    KS_CHECK_STR(field(&pr, 0, 1), "b");
    result_free(&pr);
}

/* A 10 MB quoted field with a line break every 1000 bytes, under a 1 MiB limit:
 * flagged, emptied, and the lines it spans are still counted. */
static void test_oversize_big(void)
{
    const size_t big = 10 * 1000 * 1000;
    ks_buf in;
    ks_buf_init(&in);
    ks_buf_adds(&in, "id,text,tail\n1,\"");
    size_t breaks = 0;
    for (size_t i = 1; i <= big; i++) {
        if (i % 1000 == 0) {
            ks_buf_addc(&in, '\n');
            breaks++;
        } else {
            ks_buf_addc(&in, (char)('a' + i % 26));
        }
    }
    ks_buf_adds(&in, "\",3\n4,5,6\n");
    /* and a 10 MB unquoted field on the next line */
    for (size_t i = 0; i < big; i++)
        ks_buf_addc(&in, 'u');
    ks_buf_adds(&in, ",7\n8,9\n");
    parse_result pr;
    parse_mem(in.buf, in.len, MIB, &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 5);
    KS_CHECK_INT(pr.recs[1].line, 2);
    KS_CHECK_INT(pr.recs[1].nfields, 3);
    KS_CHECK_INT(pr.recs[1].oversize, 2);
    KS_CHECK_INT(pr.recs[1].fields[1].len, 0);
    KS_CHECK_STR(field(&pr, 1, 0), "1");
    KS_CHECK_STR(field(&pr, 1, 2), "3");
    KS_CHECK_INT(breaks, 10000);
    KS_CHECK_INT(pr.recs[2].line, 2 + breaks + 1);
    KS_CHECK_STR(field(&pr, 2, 0), "4");
    KS_CHECK_STR(field(&pr, 2, 2), "6");
    KS_CHECK_INT(pr.recs[2].oversize, 0);
    KS_CHECK_INT(pr.recs[3].oversize, 1);
    KS_CHECK_STR(field(&pr, 3, 1), "7");
    KS_CHECK_INT(pr.recs[4].line, 2 + breaks + 3);
    KS_CHECK_STR(field(&pr, 4, 1), "9");
    result_free(&pr);
    ks_buf_release(&in);
}

/* A stream that makes up `rows` records, each with a 10 MB quoted field, on
 * the fly: memory use while reading it is the reader's alone. */
typedef struct gen_state {
    size_t rows;   /* records still to produce */
    size_t pos;    /* position within the current record */
} gen_state;

static ssize_t gen_read(void *cookie, char *buf, size_t size)
{
    gen_state *g = cookie;
    /* x , " <big bytes> " , y \n */
    const size_t big = 10 * 1000 * 1000, rec_len = 7 + big;
    size_t n = 0;
    while (n < size && g->rows > 0) {
        size_t p = g->pos;
        char c;
        if (p == 0)
            c = 'x';
        else if (p == 1 || p == 4 + big)
            c = ',';
        else if (p == 2 || p == 3 + big)
            c = '"';
        else if (p < 3 + big)
            c = (p % 997 == 0) ? '\n' : 'z';
        else if (p == 5 + big)
            c = 'y';
        else
            c = '\n';
        buf[n++] = c;
        if (++g->pos == rec_len) {
            g->pos = 0;
            g->rows--;
        }
    }
    return (ssize_t)n;
}

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void test_oversize_memory(void)
{
    gen_state g = {8, 0};
    cookie_io_functions_t io = {.read = gen_read};
    FILE *f = fopencookie(&g, "r", io);
    KS_CHECK(f != NULL);
    if (!f)
        return;
    long before = max_rss_kib();
    ks_error err = {0};
    ks_csv_reader *r = ks_csv_reader_new(f, "gen.csv", MIB, &err);
    ks_csv_record rec;
    size_t over = 0, n = 0;
    int rc;
    while ((rc = ks_csv_next(r, &rec, &over, &err)) == 1) {
        KS_CHECK_INT(over, 2);
        KS_CHECK_INT(rec.nfields, 3);
        n++;
    }
    KS_CHECK_INT(rc, 0);
    KS_CHECK_INT(n, 8);
    long grown = max_rss_kib() - before;
#if defined(__SANITIZE_ADDRESS__)
    (void)grown; /* ASan's quarantine keeps freed blocks: RSS says nothing here */
#else
    /* 8 records of 10 MB: one 10 MB buffer alone would be 9766 KiB. */
    if (grown >= 6 * 1024)
        fprintf(stderr, "max rss grew by %ld KiB\n", grown);
    KS_CHECK(grown < 6 * 1024);
#endif
    ks_csv_reader_free(r);
    fclose(f);
}

/* Splits around the 64 KiB read block: a CRLF whose LF is the next block's
 * first byte must stay one line end, inside and outside quotes. */
static void test_block_edges(void)
{
    const size_t block = 64 * 1024;
    for (int quoted = 0; quoted <= 1; quoted++) {
        ks_buf in;
        ks_buf_init(&in);
        ks_buf_adds(&in, quoted ? "a,\"" : "a,");
        while (in.len < block - 1)
            ks_buf_addc(&in, 'x');
        /* '\r' is now at offset block - 1, '\n' at block */
        ks_buf_adds(&in, quoted ? "\r\ny\"\r\nb,c\r\n" : "\r\nb,c\r\n");
        KS_CHECK(in.buf[block - 1] == '\r' && in.buf[block] == '\n');
        parse_result pr;
        parse_mem(in.buf, in.len, MIB, &pr);
        KS_CHECK_INT(pr.rc, 0);
        KS_CHECK_INT(pr.n, 2);
        KS_CHECK_INT(pr.recs[1].line, quoted ? 3 : 2);
        KS_CHECK_STR(field(&pr, 1, 1), "c");
        if (pr.n == 2) {
            const ks_buf *f1 = &pr.recs[0].fields[1];
            /* quoted: "a,\"" then block - 4 x's then "\r\ny"; else "a," and block - 3 x's */
            KS_CHECK_INT(f1->len, quoted ? block - 1 : block - 3);
            if (quoted)
                KS_CHECK(memcmp(f1->buf + f1->len - 3, "\r\ny", 3) == 0);
        }
        KS_CHECK_INT(pr.offset, in.len);
        result_free(&pr);
        ks_buf_release(&in);
    }
}

/* Deterministic pseudo-random CSV: the generator knows every record's fields
 * and the line it starts on because it counts the line breaks it writes. */
typedef struct gen_rec {
    uint64_t line;  /* start line */
    size_t nfields; /* field count */
    ks_buf *fields; /* expected contents */
} gen_rec;

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static size_t count_breaks(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            k++;
        else if (s[i] == '\r' && !(i + 1 < n && s[i + 1] == '\n'))
            k++;
    }
    return k;
}

static void test_generated(void)
{
    static const char *const ends[] = {"\n", "\r\n", "\r"};
    static const char quoted_alpha[] = "abc ,\"\n\r\xE3\x81\x82";
    const size_t nrec = 20000;
    gen_rec *want = ks_calloc(nrec, sizeof *want);
    ks_buf in;
    ks_buf_init(&in);
    uint32_t seed = 12345;
    uint64_t line = 1;
    const char *prev_end = "\n";
    for (size_t r = 0; r < nrec; r++) {
        /* blank lines, never "\n" right after a lone "\r" (that would be CRLF) */
        while (lcg(&seed) % 8 == 0) {
            const char *e = ends[lcg(&seed) % 3];
            if (prev_end[0] == '\r' && prev_end[1] == '\0' && e[0] == '\n')
                e = "\r\n";
            ks_buf_adds(&in, e);
            prev_end = e;
            line++;
        }
        gen_rec *g = &want[r];
        g->line = line;
        g->nfields = 1 + lcg(&seed) % 6;
        g->fields = ks_calloc(g->nfields, sizeof *g->fields);
        for (size_t i = 0; i < g->nfields; i++) {
            ks_buf *f = &g->fields[i];
            ks_buf_init(f);
            if (i)
                ks_buf_addc(&in, ',');
            /* a lone field must not be empty and unquoted: that is a blank line */
            int quoted = g->nfields == 1 || lcg(&seed) % 3 == 0;
            size_t len = lcg(&seed) % 20;
            if (lcg(&seed) % 50 == 0)
                len = 3000 + lcg(&seed) % 70000; /* crosses read blocks */
            if (quoted) {
                ks_buf_addc(&in, '"');
                for (size_t j = 0; j < len; j++) {
                    char c = quoted_alpha[lcg(&seed) % (sizeof quoted_alpha - 1)];
                    ks_buf_addc(f, c);
                    if (c == '"')
                        ks_buf_addc(&in, '"');
                    ks_buf_addc(&in, c);
                }
                ks_buf_addc(&in, '"');
                line += count_breaks(f->buf, f->len);
            } else {
                if (len == 0 && g->nfields == 1)
                    len = 1;
                for (size_t j = 0; j < len; j++)
                    ks_buf_addc(f, (char)('a' + lcg(&seed) % 26));
                ks_buf_add(&in, f->buf, f->len);
            }
        }
        prev_end = ends[lcg(&seed) % 3];
        if (r + 1 < nrec || lcg(&seed) % 2)
            ks_buf_adds(&in, prev_end);
        line++;
    }

    parse_result pr;
    parse_mem(in.buf, in.len, MIB, &pr);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, nrec);
    size_t bad = 0;
    for (size_t r = 0; r < nrec && r < pr.n && bad < 5; r++) {
        int ok = pr.recs[r].line == want[r].line && pr.recs[r].nfields == want[r].nfields;
        for (size_t i = 0; ok && i < want[r].nfields; i++)
            ok = pr.recs[r].fields[i].len == want[r].fields[i].len &&
                 memcmp(pr.recs[r].fields[i].buf, want[r].fields[i].buf,
                        want[r].fields[i].len) == 0;
        if (!ok) {
            bad++;
            fprintf(stderr, "generated record %zu: line %llu want %llu, %zu fields want %zu\n", r,
                    (unsigned long long)pr.recs[r].line, (unsigned long long)want[r].line,
                    pr.recs[r].nfields, want[r].nfields);
        }
    }
    KS_CHECK_INT(bad, 0);
    KS_CHECK_INT(pr.offset, in.len);
    result_free(&pr);
    for (size_t r = 0; r < nrec; r++) {
        for (size_t i = 0; i < want[r].nfields; i++)
            ks_buf_release(&want[r].fields[i]);
        free(want[r].fields);
    }
    free(want);
    ks_buf_release(&in);
}

/* A real file under KASANE_TEST_TMP, read through stdio. */
static void test_file(void)
{
    const char *tmp = getenv("KASANE_TEST_TMP");
    ks_buf dir, path;
    ks_buf_init(&dir);
    ks_buf_init(&path);
    ks_buf_adds(&dir, tmp && *tmp ? tmp : "/tmp");
    mkdir(dir.buf, 0700); /* may exist already */
    ks_buf_addf(&path, "%s/test_csvread_%ld.csv", dir.buf, (long)getpid());
    static const char body[] = "\xEF\xBB\xBF記録番号,相談日\r\nA1,2025/4/1\r\n\r\nA2,\"R7.4.\r\n2\"\r\n";
    FILE *w = fopen(path.buf, "wb");
    KS_CHECK(w != NULL);
    if (!w)
        goto done;
    fwrite(body, 1, sizeof body - 1, w);
    fclose(w);
    FILE *f = fopen(path.buf, "rb");
    parse_result pr;
    parse_stream(f, MIB, &pr);
    fclose(f);
    KS_CHECK_INT(pr.rc, 0);
    KS_CHECK_INT(pr.n, 3);
    KS_CHECK_STR(field(&pr, 0, 0), "記録番号");
    KS_CHECK_INT(pr.recs[2].line, 4);
    KS_CHECK_STR(field(&pr, 2, 1), "R7.4.\r\n2");
    KS_CHECK_INT(pr.offset, sizeof body - 1);
    result_free(&pr);
    remove(path.buf);
done:
    ks_buf_release(&dir);
    ks_buf_release(&path);
}

int main(void)
{
    test_oversize_memory(); /* first: it measures the process's peak memory */
    test_basic_and_quoting();
    test_field_counts();
    test_multiline();
    test_line_ends();
    test_blank_lines();
    test_bom_and_last_line();
    test_unterminated();
    test_nul_and_empty();
    test_oversize_small();
    test_oversize_big();
    test_block_edges();
    test_generated();
    test_file();
    return ks_test_report();
}
