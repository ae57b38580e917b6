/* test_svg.c: the report's SVG charts.  What is checked is what the charts
 * promise (svg.h): well-formed XML, escaped text, hidden values never drawn
 * as values (no bar, point, number or colour) but as hatched marks with the
 * mark text, the same bytes for the same input, and label wrapping by
 * display width (East Asian Width: a CJK character is two columns). */
#include "svg.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* ---- a tiny XML well-formedness checker ----------------------------------- */

static bool name_char(char c) { return isalnum((unsigned char)c) || c == '-' || c == '_' || c == ':' || c == '.'; }

/* An entity at s ("&...;"): one of the five XML ones or a character reference. */
static size_t entity_len(const char *s)
{
    static const char *const ok[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (size_t i = 0; i < 5; i++)
        if (strncmp(s, ok[i], strlen(ok[i])) == 0)
            return strlen(ok[i]);
    if (s[1] == '#') {
        size_t i = 2;
        bool hex = s[2] == 'x';
        if (hex)
            i++;
        size_t d = i;
        while (hex ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i]))
            i++;
        if (i > d && s[i] == ';')
            return i + 1;
    }
    return 0;
}

/* 1 when s is one well-formed element (after an optional <!DOCTYPE ...>),
 * tags balanced, attributes quoted, no stray < or &. */
static int xml_ok(const char *s)
{
    const char *stack[256];
    size_t depth = 0, roots = 0;
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    if (strncmp(p, "<!DOCTYPE", 9) == 0) {
        p = strchr(p, '>');
        if (!p)
            return 0;
        p++;
    }
    while (*p) {
        if (*p == '&') {
            size_t n = entity_len(p);
            if (!n)
                return 0;
            p += n;
            continue;
        }
        if (*p != '<') {
            if (depth == 0 && !isspace((unsigned char)*p))
                return 0; /* text outside the root */
            p++;
            continue;
        }
        p++;
        bool closing = *p == '/';
        if (closing)
            p++;
        const char *name = p;
        while (name_char(*p))
            p++;
        size_t nlen = (size_t)(p - name);
        if (nlen == 0)
            return 0;
        if (closing) {
            if (*p != '>' || depth == 0 || strlen(stack[depth - 1]) < nlen ||
                strncmp(stack[depth - 1], name, nlen) != 0 || name_char(stack[depth - 1][nlen]))
                return 0;
            depth--;
            p++;
            continue;
        }
        for (;;) {
            while (isspace((unsigned char)*p))
                p++;
            if (*p == '>' || (*p == '/' && p[1] == '>'))
                break;
            const char *an = p;
            while (name_char(*p))
                p++;
            if (p == an || *p != '=' || p[1] != '"')
                return 0;
            p += 2;
            while (*p && *p != '"') {
                if (*p == '<')
                    return 0;
                if (*p == '&') {
                    size_t n = entity_len(p);
                    if (!n)
                        return 0;
                    p += n;
                } else {
                    p++;
                }
            }
            if (*p != '"')
                return 0;
            p++;
        }
        if (depth == 0)
            roots++;
        if (*p == '/') {
            p += 2;
            continue;
        }
        p++;
        if (depth == 256)
            return 0;
        stack[depth++] = name;
    }
    return depth == 0 && roots == 1;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_checker(void)
{
    /* the checker itself: good and bad documents written by hand */
    KS_CHECK(xml_ok("<a><b x=\"1\"/>t &amp; u</a>"));
    KS_CHECK(xml_ok("<!DOCTYPE html>\n<html><p>&#12354;</p></html>\n"));
    KS_CHECK(!xml_ok("<a><b></a></b>"));
    KS_CHECK(!xml_ok("<a>1 < 2</a>"));
    KS_CHECK(!xml_ok("<a x=1></a>"));
    KS_CHECK(!xml_ok("<a>&nbsp;</a>"));
    KS_CHECK(!xml_ok("<a></a><b></b>"));
    KS_CHECK(!xml_ok("<a>"));
}

static void test_escape(void)
{
    ks_buf b;
    ks_buf_init(&b);
    ks_svg_escape(&b, "<5 & \"東部\" >\x01");
    KS_CHECK_STR(b.buf, "&lt;5 &amp; &quot;東部&quot; &gt;");
    ks_buf_release(&b);
}

static void test_wrap(void)
{
    ks_buf b;
    ks_buf_init(&b);
    /* 10 CJK characters = 20 columns, 12 a line: 6 + 4 characters */
    KS_CHECK_INT(ks_svg_wrap(&b, "地域包括支援センター", 12), 2);
    KS_CHECK_STR(b.buf, "地域包括支援\nセンター\n");
    ks_buf_reset(&b);
    /* the break after ・ would leave 12 columns for a 10-column line: fill instead */
    KS_CHECK_INT(ks_svg_wrap(&b, "生活・就労支援窓口", 10), 2);
    KS_CHECK_STR(b.buf, "生活・就労\n支援窓口\n");
    ks_buf_reset(&b);
    /* here the rest after ・ fits: break there */
    KS_CHECK_INT(ks_svg_wrap(&b, "地域・子ども支援", 12), 2);
    KS_CHECK_STR(b.buf, "地域・\n子ども支援\n");
    ks_buf_reset(&b);
    /* ASCII counts one column; a space is a break point and is dropped */
    KS_CHECK_INT(ks_svg_wrap(&b, "Community General Support Center", 20), 2);
    KS_CHECK_STR(b.buf, "Community General\nSupport Center\n");
    ks_buf_reset(&b);
    KS_CHECK_INT(ks_svg_wrap(&b, "", 10), 1);
    KS_CHECK_STR(b.buf, "\n");
    ks_buf_release(&b);
}

static void test_hbar_hidden(void)
{
    const char *cats[] = {"介護", "DV <script>", "ひきこもり"};
    const double v[] = {12, 3, 7};
    const bool hid[] = {false, true, false};
    ks_svg_series s = {.name = "件数", .v = v, .hidden = hid, .color = 0};
    ks_svg_chart c = {.id = "c1", .title = "課題 & 件数", .cats = cats, .ncat = 3, .series = &s, .nseries = 1,
                      .mark = "<5", .width = 600};
    ks_buf a, b;
    ks_buf_init(&a);
    ks_buf_init(&b);
    ks_svg_hbar(&a, &c);
    ks_svg_hbar(&b, &c);
    KS_CHECK(xml_ok(a.buf));
    KS_CHECK_STR(a.buf, b.buf); /* deterministic */
    /* two bars in the series colour, none for the hidden value */
    KS_CHECK_INT(count(a.buf, "fill=\"#0072B2\""), 2);
    KS_CHECK(strstr(a.buf, ">12</text>") != NULL);
    KS_CHECK(strstr(a.buf, ">7</text>") != NULL);
    KS_CHECK(strstr(a.buf, ">3</text>") == NULL);
    /* the hidden one: a hatched box and its mark */
    KS_CHECK(strstr(a.buf, "fill=\"url(#c1-h)\"") != NULL);
    KS_CHECK(strstr(a.buf, "class=\"h\" font-size=\"11\">&lt;5</text>") != NULL);
    /* labels and title escaped */
    KS_CHECK(strstr(a.buf, "DV &lt;script&gt;") != NULL);
    KS_CHECK(strstr(a.buf, "<title id=\"c1-t\">課題 &amp; 件数</title>") != NULL);
    KS_CHECK(strstr(a.buf, "<script") == NULL);
    /* count labels carry class n */
    KS_CHECK(strstr(a.buf, "class=\"n\" font-size=\"11\">12</text>") != NULL);
    ks_buf_release(&a);
    ks_buf_release(&b);
}

static void test_line_hidden(void)
{
    const char *cats[] = {"2025-04", "2025-05", "2025-06", "2025-07"};
    const double v[] = {10, 3, 20, 15};
    const bool hid[] = {false, true, false, false};
    ks_svg_series s = {.name = "計", .v = v, .hidden = hid, .color = 0};
    ks_svg_chart c = {.id = "l1", .title = "月別", .cats = cats, .ncat = 4, .series = &s, .nseries = 1, .mark = "x",
                      .width = 400, .band_from = 2, .band_to = 4, .band_label = "今期"};
    ks_buf a;
    ks_buf_init(&a);
    ks_svg_line(&a, &c);
    KS_CHECK(xml_ok(a.buf));
    /* the hidden month breaks the line: a lone point, then a segment */
    const char *d = strstr(a.buf, "<path");
    KS_CHECK(d != NULL);
    if (d) {
        const char *e = strchr(d, '>');
        size_t m = 0, l = 0;
        for (const char *p = d; p < e; p++) {
            m += *p == 'M';
            l += *p == 'L';
        }
        KS_CHECK_INT(m, 2);
        KS_CHECK_INT(l, 1);
    }
    /* three published points, one hatched mark (plus one in the legend) */
    KS_CHECK_INT(count(a.buf, "<circle"), 3);
    KS_CHECK_INT(count(a.buf, "url(#l1-h)"), 2);
    ks_buf_release(&a);
}

static void test_multiples_and_pyramid(void)
{
    const char *cats[] = {"0〜9歳", "10〜19歳", "20〜29歳"};
    const double m[] = {6, 2, 9}, f[] = {8, 5, 1};
    const bool hm[] = {false, true, false}, hf[] = {false, false, true};
    ks_svg_series s[2] = {{.name = "男", .v = m, .hidden = hm, .color = 0},
                          {.name = "女", .v = f, .hidden = hf, .color = 3}};
    ks_svg_chart c = {.id = "p1", .title = "年齢・性別", .cats = cats, .ncat = 3, .series = s, .nseries = 2,
                      .mark = "x", .width = 500};
    ks_buf a;
    ks_buf_init(&a);
    ks_svg_pyramid(&a, &c);
    KS_CHECK(xml_ok(a.buf));
    KS_CHECK_INT(count(a.buf, "fill=\"#0072B2\""), 2); /* 男: 6 and 9 */
    KS_CHECK_INT(count(a.buf, "fill=\"#D55E00\""), 2); /* 女: 8 and 5 */
    KS_CHECK(strstr(a.buf, ">2</text>") == NULL);
    KS_CHECK(strstr(a.buf, ">1</text>") == NULL);
    KS_CHECK(strstr(a.buf, "class=\"n\" font-size=\"10\" text-anchor=\"end\">9</text>") != NULL);
    ks_buf_reset(&a);
    ks_svg_multiples(&a, &c, 2);
    KS_CHECK(xml_ok(a.buf));
    KS_CHECK_INT(count(a.buf, "<path"), 2);
    ks_buf_release(&a);
}

static void test_stacked(void)
{
    /* one bar: published 10 and 20, two hidden segments; total 36 published,
     * so the hatched block stands for 36 - 30 = 6 */
    const char *cats[] = {"2025年度Q1"};
    const double a1[] = {10}, a2[] = {20}, a3[] = {4}, a4[] = {2}, tot[] = {36};
    const bool h0[] = {false}, h1[] = {true}, th[] = {false};
    ks_svg_series s[4] = {{.name = "本人", .v = a1, .hidden = h0, .color = 0},
                          {.name = "家族", .v = a2, .hidden = h0, .color = 1},
                          {.name = "近隣", .v = a3, .hidden = h1, .color = 2},
                          {.name = "他", .v = a4, .hidden = h1, .color = 3}};
    ks_svg_chart c = {.id = "s1", .title = "経路", .cats = cats, .ncat = 1, .series = s, .nseries = 4, .mark = "x",
                      .width = 300, .totals = tot, .totals_hidden = th};
    ks_buf a;
    ks_buf_init(&a);
    ks_svg_stacked(&a, &c);
    KS_CHECK(xml_ok(a.buf));
    KS_CHECK(strstr(a.buf, ">36</text>") != NULL);
    /* the colours of the hidden series appear only in the legend */
    KS_CHECK_INT(count(a.buf, "fill=\"#009E73\""), 1);
    KS_CHECK_INT(count(a.buf, "fill=\"#D55E00\""), 1);
    /* heights: axis 0..40 over 200 px, so 10 -> 50 px, 20 -> 100 px, 6 -> 30 px */
    KS_CHECK(strstr(a.buf, "height=\"50.0\" fill=\"#0072B2\"") != NULL);
    KS_CHECK(strstr(a.buf, "height=\"100.0\" fill=\"#E69F00\"") != NULL);
    KS_CHECK(strstr(a.buf, "height=\"30.0\" fill=\"url(#s1-h)\"") != NULL);
    ks_buf_release(&a);
}

static void test_heatmap(void)
{
    const char *lab[] = {"介護", "認知症"};
    const char *text[] = {"40", "12", "12", "20"};
    const double shade[] = {NAN, 0.9, NAN, NAN};
    const bool hid[] = {false, false, true, false};
    const char *leg[5] = {"0.25", "0.5", "1", "2", "4+"};
    ks_svg_heat h = {.id = "h1", .title = "組み合わせ", .rows = lab, .nrow = 2, .cols = lab, .ncol = 2, .text = text,
                     .shade = shade, .hidden = hid, .mark = "<5", .legend = leg, .legend_title = "リフト", .width = 400};
    ks_buf a;
    ks_buf_init(&a);
    ks_svg_heatmap(&a, &h);
    KS_CHECK(xml_ok(a.buf));
    /* the hidden cell's text ("12") is not drawn; the visible 12 is */
    KS_CHECK_INT(count(a.buf, ">12</text>"), 1);
    KS_CHECK_INT(count(a.buf, ">40</text>"), 1);
    KS_CHECK(strstr(a.buf, ">&lt;5</text>") != NULL);
    ks_buf_release(&a);
}

static void test_steps(void)
{
    const double x[] = {0, 30, 90}, y[] = {0, 0.3, 0.5};
    ks_svg_curve cv[2] = {{.name = "全体", .x = x, .y = y, .n = 3}, {.name = "虐待", .hidden = true}};
    ks_svg_steps s = {.id = "k1", .title = "終結", .curves = cv, .ncurve = 2, .x_max = 120, .x_step = 30,
                      .mark = "<5", .width = 400};
    ks_buf a;
    ks_buf_init(&a);
    ks_svg_stepcurves(&a, &s);
    KS_CHECK(xml_ok(a.buf));
    KS_CHECK_INT(count(a.buf, "<path"), 1);
    /* x: 46 + t/120 * 342; y: 204 - v * 180 */
    KS_CHECK(strstr(a.buf, "d=\"M46.0 204.0 H131.5 V150.0 H302.5 V114.0\"") != NULL);
    KS_CHECK(strstr(a.buf, ">&lt;5</text>") != NULL);
    ks_buf_release(&a);
}

int main(void)
{
    test_checker();
    test_escape();
    test_wrap();
    test_hbar_hidden();
    test_line_hidden();
    test_multiples_and_pyramid();
    test_stacked();
    test_heatmap();
    test_steps();
    return ks_test_report();
}
