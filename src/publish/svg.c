/* svg.c: static SVG charts for the HTML report (see svg.h).
 *
 * Layout is computed in px with a 12 px font; text widths are estimated from
 * display columns (a CJK character is two columns, about one em), which is
 * good enough to keep labels apart without measuring fonts.  Coordinates are
 * printed with one decimal so the output is byte-stable. */
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "text.h"

enum { FS = 12 };               /* base font size, px */
#define COL_W (0.55 * FS)       /* width of one display column, px */

/* Okabe-Ito colours (distinguishable with colour-blindness), yellow left out
 * for contrast on white. */
static const char *const palette[8] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                       "#CC79A7", "#56B4E9", "#8C6D31", "#555555"};

static const char *colour(const ks_svg_series *s, size_t pos)
{
    int c = s->color >= 0 ? s->color : (int)pos;
    return palette[(size_t)c % 8];
}

/* ---- text ------------------------------------------------------------------ */

void ks_svg_escape(ks_buf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&': ks_buf_adds(out, "&amp;"); break;
        case '<': ks_buf_adds(out, "&lt;"); break;
        case '>': ks_buf_adds(out, "&gt;"); break;
        case '"': ks_buf_adds(out, "&quot;"); break;
        default:
            /* XML 1.0 has no place for C0 controls other than tab and newlines */
            if (*p >= 0x20 || *p == '\t' || *p == '\n')
                ks_buf_addc(out, (char)*p);
            break;
        }
    }
}

static bool is_break_after(int32_t cp)
{
    return cp == ' ' || cp == '/' || cp == 0x30FB /* ・ */ || cp == 0x3001 /* 、 */ ||
           cp == 0xFF0F /* ／ */ || cp == 0x3000 /* ideographic space */;
}

static void add_line(ks_buf *out, const char *s, size_t n)
{
    while (n && s[n - 1] == ' ')
        n--;
    ks_buf_add(out, s, n);
    ks_buf_addc(out, '\n');
}

size_t ks_svg_wrap(ks_buf *out, const char *s, size_t max_cols)
{
    if (!s)
        s = "";
    if (max_cols < 2)
        max_cols = 2;
    size_t n = strlen(s), lines = 0, start = 0, cols = 0, brk = 0, brk_cols = 0;
    for (size_t i = 0; i < n;) {
        int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len <= 0) {
            len = 1;
            cp = 0xFFFD;
        }
        int w = cp < 0x20 ? 0 : utf8proc_charwidth(cp);
        if (w < 0)
            w = 1;
        if (cols + (size_t)w > max_cols && i > start) {
            /* break at the last good point when what follows it then fits
             * on one line; otherwise fill the line */
            size_t end = brk > start && ks_text_width(s + brk, n - brk) <= max_cols ? brk : i;
            add_line(out, s + start, end - start);
            lines++;
            cols = end == i ? 0 : cols - brk_cols;
            start = end;
            brk = 0;
            while (start < i && s[start] == ' ')
                start++;
        }
        cols += (size_t)w;
        i += (size_t)len;
        if (is_break_after(cp)) {
            brk = i;
            brk_cols = cols;
        }
    }
    if (start < n || lines == 0) {
        add_line(out, s + start, n - start);
        lines++;
    }
    return lines;
}

static double text_w(const char *s) { return (double)ks_text_width(s, strlen(s)) * COL_W; }

/* ---- primitives ----------------------------------------------------------- */

static void num(ks_buf *b, double x)
{
    if (!isfinite(x) || fabs(x) < 0.05)
        x = 0;
    ks_buf_addf(b, "%.1f", x);
}

static void attr(ks_buf *b, const char *name, double x)
{
    ks_buf_addf(b, " %s=\"", name);
    num(b, x);
    ks_buf_addc(b, '"');
}

static void open_svg(ks_buf *o, const char *id, const char *title, double w, double h)
{
    ks_buf_adds(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 ");
    num(o, w);
    ks_buf_addc(o, ' ');
    num(o, h);
    ks_buf_addc(o, '"');
    attr(o, "width", w);
    attr(o, "height", h);
    ks_buf_adds(o, " role=\"img\" aria-labelledby=\"");
    ks_svg_escape(o, id);
    ks_buf_adds(o, "-t\"><title id=\"");
    ks_svg_escape(o, id);
    ks_buf_adds(o, "-t\">");
    ks_svg_escape(o, title);
    ks_buf_adds(o, "</title>\n<defs><pattern id=\"");
    ks_svg_escape(o, id);
    ks_buf_adds(o, "-h\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                   "<rect width=\"6\" height=\"6\" fill=\"#e6e6e6\"/>"
                   "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#8a8a8a\" stroke-width=\"2\"/></pattern></defs>\n");
}

static void close_svg(ks_buf *o) { ks_buf_adds(o, "</svg>\n"); }

static void rect(ks_buf *o, double x, double y, double w, double h, const char *fill)
{
    ks_buf_adds(o, "<rect");
    attr(o, "x", x);
    attr(o, "y", y);
    attr(o, "width", w > 0 ? w : 0);
    attr(o, "height", h > 0 ? h : 0);
    ks_buf_addf(o, " fill=\"%s\"/>", fill);
}

/* A hatched box: the look of a suppressed value. */
static void hatch(ks_buf *o, const char *id, double x, double y, double w, double h, const char *mark)
{
    ks_buf_adds(o, "<rect");
    attr(o, "x", x);
    attr(o, "y", y);
    attr(o, "width", w > 0 ? w : 0);
    attr(o, "height", h > 0 ? h : 0);
    ks_buf_adds(o, " fill=\"url(#");
    ks_svg_escape(o, id);
    ks_buf_adds(o, "-h)\" stroke=\"#8a8a8a\" stroke-width=\"0.8\"><title>");
    ks_svg_escape(o, mark);
    ks_buf_adds(o, "</title></rect>");
}

static void line(ks_buf *o, double x1, double y1, double x2, double y2, const char *stroke, double sw)
{
    ks_buf_adds(o, "<line");
    attr(o, "x1", x1);
    attr(o, "y1", y1);
    attr(o, "x2", x2);
    attr(o, "y2", y2);
    ks_buf_addf(o, " stroke=\"%s\" stroke-width=\"%.1f\"/>", stroke, sw);
}

/* One line of text; anchor "start", "middle" or "end". */
static void text(ks_buf *o, double x, double y, const char *anchor, const char *cls, double size, const char *s)
{
    ks_buf_adds(o, "<text");
    attr(o, "x", x);
    attr(o, "y", y);
    ks_buf_addf(o, " class=\"%s\" font-size=\"%.0f\"", cls, size);
    if (strcmp(anchor, "start") != 0)
        ks_buf_addf(o, " text-anchor=\"%s\"", anchor);
    ks_buf_addc(o, '>');
    ks_svg_escape(o, s);
    ks_buf_adds(o, "</text>");
}

/* Wrapped text, lines `lh` apart, the block centred on y (mid = true) or
 * starting at y. */
static void text_block(ks_buf *o, double x, double y, const char *anchor, double size, const char *s,
                       size_t max_cols, bool mid)
{
    ks_buf lines;
    ks_buf_init(&lines);
    size_t n = ks_svg_wrap(&lines, s, max_cols);
    double lh = size * 1.2;
    double y0 = mid ? y - lh * (double)(n - 1) / 2 + size * 0.35 : y;
    ks_buf_adds(o, "<text");
    attr(o, "x", x);
    attr(o, "y", y0);
    ks_buf_addf(o, " class=\"l\" font-size=\"%.0f\"", size);
    if (strcmp(anchor, "start") != 0)
        ks_buf_addf(o, " text-anchor=\"%s\"", anchor);
    ks_buf_addc(o, '>');
    const char *p = lines.buf;
    for (size_t i = 0; i < n; i++) {
        const char *nl = strchr(p, '\n');
        ks_buf_adds(o, "<tspan");
        attr(o, "x", x);
        if (i)
            attr(o, "dy", lh);
        ks_buf_addc(o, '>');
        ks_buf sub;
        ks_buf_init(&sub);
        ks_buf_add(&sub, p, (size_t)(nl - p));
        ks_svg_escape(o, sub.buf);
        ks_buf_release(&sub);
        ks_buf_adds(o, "</tspan>");
        p = nl + 1;
    }
    ks_buf_adds(o, "</text>");
    ks_buf_release(&lines);
}

static size_t wrap_lines(const char *s, size_t max_cols)
{
    ks_buf b;
    ks_buf_init(&b);
    size_t n = ks_svg_wrap(&b, s, max_cols);
    ks_buf_release(&b);
    return n;
}

static void fmt_value(char *buf, size_t n, ks_svg_fmt f, double v)
{
    if (f == KS_SVG_PERCENT)
        snprintf(buf, n, "%.1f%%", v);
    else
        snprintf(buf, n, "%.0f", v);
}

static const char *fmt_class(ks_svg_fmt f) { return f == KS_SVG_COUNT ? "n" : "v"; }

/* ---- scales ----------------------------------------------------------------- */

typedef struct scale {
    double max;  /* axis end */
    double step; /* tick spacing */
} scale;

static scale nice_scale(double max, int ticks, bool integer)
{
    scale s = {1, 1};
    if (!(max > 0) || !isfinite(max))
        return s;
    double raw = max / ticks;
    double mag = pow(10, floor(log10(raw)));
    double r = raw / mag;
    double step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
    if (integer && step < 1)
        step = 1;
    s.step = step;
    s.max = ceil(max / step - 1e-9) * step;
    if (s.max < step)
        s.max = step;
    return s;
}

static void tick_label(char *buf, size_t n, double v, bool percent)
{
    if (percent)
        snprintf(buf, n, "%.0f%%", v);
    else if (fabs(v - round(v)) < 1e-9)
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.1f", v);
}

static bool is_hidden(const ks_svg_series *s, size_t i) { return s->hidden && s->hidden[i]; }

static double series_max(const ks_svg_chart *c)
{
    double m = 0;
    for (size_t s = 0; s < c->nseries; s++)
        for (size_t i = 0; i < c->ncat; i++) {
            if (is_hidden(&c->series[s], i))
                continue;
            double v = c->series[s].v[i];
            if (c->series[s].hi && isfinite(c->series[s].hi[i]) && c->series[s].hi[i] > v)
                v = c->series[s].hi[i];
            if (isfinite(v) && v > m)
                m = v;
        }
    return m;
}

/* A legend row of colour keys; returns the height used. */
static double legend(ks_buf *o, const ks_svg_chart *c, double x, double y, double width, bool with_hidden)
{
    double cx = x, cy = y;
    for (size_t s = 0; s < c->nseries; s++) {
        double w = 16 + text_w(c->series[s].name) + 14;
        if (cx + w > x + width && cx > x) {
            cx = x;
            cy += 16;
        }
        rect(o, cx, cy - 9, 10, 10, colour(&c->series[s], s));
        text(o, cx + 14, cy, "start", "l", 11, c->series[s].name);
        cx += w;
    }
    if (with_hidden) {
        char buf[96];
        snprintf(buf, sizeof buf, "%s", c->mark ? c->mark : "x");
        double w = 16 + text_w(buf) + 14;
        if (cx + w > x + width && cx > x) {
            cx = x;
            cy += 16;
        }
        hatch(o, c->id, cx, cy - 9, 10, 10, buf);
        text(o, cx + 14, cy, "start", "h", 11, buf);
    }
    return cy - y + 16;
}

static bool any_hidden(const ks_svg_chart *c)
{
    for (size_t s = 0; s < c->nseries; s++)
        for (size_t i = 0; i < c->ncat; i++)
            if (is_hidden(&c->series[s], i))
                return true;
    return false;
}

/* ---- horizontal bars ------------------------------------------------------------ */

/* One function for the reason ks_svg_stacked gives: drawing steps in
 * order over one shared layout. */
void ks_svg_hbar(ks_buf *o, const ks_svg_chart *c)
{
    double width = c->width > 0 ? c->width : 640;
    size_t cap_cols = 26;
    double maxlab = 0;
    for (size_t i = 0; i < c->ncat; i++) {
        double w = text_w(c->cats[i]);
        if (w > maxlab)
            maxlab = w;
    }
    double label_w = fmin(maxlab, (double)cap_cols * COL_W) + 10;
    double x0 = label_w + 4, right = 64, plot_w = width - x0 - right;
    double bar_h = 14, lh = FS * 1.2;
    bool show_legend = c->nseries > 1;
    double top = show_legend ? 22 : 6;
    double *row_h = ks_calloc(c->ncat ? c->ncat : 1, sizeof *row_h);
    double y = top;
    for (size_t i = 0; i < c->ncat; i++) {
        double lines = (double)wrap_lines(c->cats[i], cap_cols);
        row_h[i] = fmax((double)c->nseries * bar_h, lines * lh) + 8;
        y += row_h[i];
    }
    double axis_y = y + 2;
    double height = axis_y + 18 + (c->axis_label ? 16 : 0);
    bool percent = c->fmt == KS_SVG_PERCENT;
    scale sc = c->fixed_max > 0 ? nice_scale(c->fixed_max, 5, false) : nice_scale(series_max(c), 5, !percent);
    if (c->fixed_max > 0)
        sc.max = c->fixed_max;
    open_svg(o, c->id, c->title, width, height);
    if (show_legend)
        legend(o, c, x0, 14, plot_w, false);
    /* grid and ticks */
    for (double t = 0; t <= sc.max + 1e-9; t += sc.step) {
        double x = x0 + t / sc.max * plot_w;
        line(o, x, top - 2, x, axis_y, t == 0 ? "#777777" : "#e3e3e3", t == 0 ? 1 : 0.8);
        char buf[32];
        tick_label(buf, sizeof buf, t, percent);
        text(o, x, axis_y + 13, "middle", "t", 10, buf);
    }
    if (c->axis_label)
        text(o, x0 + plot_w / 2, axis_y + 30, "middle", "l", 11, c->axis_label);
    y = top;
    for (size_t i = 0; i < c->ncat; i++) {
        text_block(o, label_w, y + row_h[i] / 2 - 2, "end", FS, c->cats[i], cap_cols, true);
        double by = y + (row_h[i] - (double)c->nseries * bar_h) / 2 - 2;
        for (size_t s = 0; s < c->nseries; s++, by += bar_h) {
            const ks_svg_series *se = &c->series[s];
            if (is_hidden(se, i)) {
                hatch(o, c->id, x0, by + 1, 14, bar_h - 2, c->mark);
                text(o, x0 + 18, by + bar_h - 3, "start", "h", 11, c->mark);
                continue;
            }
            double v = se->v[i];
            if (!isfinite(v))
                continue; /* no value at all (e.g. no cases): nothing to draw */
            double w = fmax(0, fmin(v, sc.max)) / sc.max * plot_w;
            rect(o, x0, by + 1, w, bar_h - 2, colour(se, s));
            double end = x0 + w;
            if (se->lo && se->hi && isfinite(se->lo[i]) && isfinite(se->hi[i])) {
                double xl = x0 + fmax(0, se->lo[i]) / sc.max * plot_w;
                double xh = x0 + fmin(sc.max, se->hi[i]) / sc.max * plot_w;
                double cy = by + bar_h / 2;
                line(o, xl, cy, xh, cy, "#222222", 1.2);
                line(o, xl, cy - 4, xl, cy + 4, "#222222", 1.2);
                line(o, xh, cy - 4, xh, cy + 4, "#222222", 1.2);
                if (xh > end)
                    end = xh;
            }
            char buf[40];
            fmt_value(buf, sizeof buf, c->fmt, v);
            text(o, end + 4, by + bar_h - 3, "start", fmt_class(c->fmt), 11, buf);
        }
        y += row_h[i];
    }
    close_svg(o);
    free(row_h);
}

/* ---- vertical stacked bars ------------------------------------------------------ */

/* Every k-th category label so that labels of `cols` columns do not overlap. */
static size_t label_every(size_t ncat, double slot, double label_w)
{
    size_t k = 1;
    while (k < ncat && slot * (double)k < label_w + 6)
        k++;
    return k;
}

/* One function: an SVG chart is a straight run of drawing steps (frame,
 * axis, bars, labels, legend) that share one layout (scale, slot width,
 * label column); split, each step would take a dozen geometry values. */
void ks_svg_stacked(ks_buf *o, const ks_svg_chart *c)
{
    double width = c->width > 0 ? c->width : 640;
    double x0 = 46, right = 12, top = 18, plot_h = 200;
    double plot_w = width - x0 - right;
    double maxv = 0;
    for (size_t i = 0; i < c->ncat; i++) {
        double sum = 0;
        for (size_t s = 0; s < c->nseries; s++)
            if (!is_hidden(&c->series[s], i) && isfinite(c->series[s].v[i]))
                sum += c->series[s].v[i];
        if (c->totals && !(c->totals_hidden && c->totals_hidden[i]) && c->totals[i] > sum)
            sum = c->totals[i];
        if (sum > maxv)
            maxv = sum;
    }
    scale sc = nice_scale(maxv, 5, true);
    double slot = c->ncat ? plot_w / (double)c->ncat : plot_w;
    double bw = slot * 0.66;
    double maxlab = 0;
    for (size_t i = 0; i < c->ncat; i++)
        maxlab = fmax(maxlab, text_w(c->cats[i]));
    size_t every = label_every(c->ncat, slot, fmin(maxlab, 8 * COL_W * 2));
    double axis_y = top + plot_h;
    /* legend below the labels: estimate its height first */
    double lx = x0, lrows = 1;
    for (size_t s = 0; s < c->nseries; s++) {
        double w = 16 + text_w(c->series[s].name) + 14;
        if (lx + w > x0 + plot_w && lx > x0) {
            lx = x0;
            lrows++;
        }
        lx += w;
    }
    lx += 16 + text_w(c->mark ? c->mark : "x") + 14;
    if (lx > x0 + plot_w)
        lrows++;
    double legend_y = axis_y + 40 + (c->axis_label ? 4 : 0);
    double height = legend_y + lrows * 16 + 4;
    open_svg(o, c->id, c->title, width, height);
    for (double t = 0; t <= sc.max + 1e-9; t += sc.step) {
        double y = axis_y - t / sc.max * plot_h;
        line(o, x0, y, x0 + plot_w, y, t == 0 ? "#777777" : "#e3e3e3", t == 0 ? 1 : 0.8);
        char buf[32];
        tick_label(buf, sizeof buf, t, false);
        text(o, x0 - 4, y + 4, "end", "t", 10, buf);
    }
    if (c->axis_label)
        text(o, 2, 10, "start", "l", 11, c->axis_label);
    for (size_t i = 0; i < c->ncat; i++) {
        double bx = x0 + slot * (double)i + (slot - bw) / 2, y = axis_y, sum = 0;
        bool hid = false;
        for (size_t s = 0; s < c->nseries; s++) {
            const ks_svg_series *se = &c->series[s];
            if (is_hidden(se, i)) {
                hid = true;
                continue;
            }
            double v = se->v[i];
            if (!isfinite(v) || v <= 0)
                continue;
            double h = v / sc.max * plot_h;
            rect(o, bx, y - h, bw, h, colour(se, s));
            y -= h;
            sum += v;
        }
        bool total_shown = c->totals && !(c->totals_hidden && c->totals_hidden[i]);
        if (hid) {
            double rest = total_shown ? c->totals[i] - sum : 0;
            double h = rest > 0 ? rest / sc.max * plot_h : 6;
            hatch(o, c->id, bx, y - h, bw, h, c->mark);
            y -= h;
            if (!total_shown)
                text(o, bx + bw / 2, y - 3, "middle", "h", 9, c->mark);
        }
        if (total_shown) {
            char buf[32];
            fmt_value(buf, sizeof buf, KS_SVG_COUNT, c->totals[i]);
            text(o, bx + bw / 2, y - 3, "middle", "n", 9, buf);
        } else if (c->totals && !hid) {
            text(o, bx + bw / 2, y - 3, "middle", "h", 9, c->mark);
        }
        if (i % every == 0)
            text_block(o, bx + bw / 2, axis_y + 14, "middle", 10, c->cats[i], 12, false);
    }
    legend(o, c, x0, legend_y, plot_w, true);
    close_svg(o);
}

/* ---- lines ---------------------------------------------------------------------- */

/* Draws the bands, axis and series of one line panel inside the box. */
static void line_panel(ks_buf *o, const ks_svg_chart *c, const ks_svg_series *ser, size_t nser, size_t first_colour,
                       double x0, double y0, double w, double h, bool all_labels)
{
    double maxv = 0;
    for (size_t s = 0; s < nser; s++)
        for (size_t i = 0; i < c->ncat; i++)
            if (!is_hidden(&ser[s], i) && isfinite(ser[s].v[i]) && ser[s].v[i] > maxv)
                maxv = ser[s].v[i];
    scale sc = nice_scale(maxv, all_labels ? 5 : 2, true);
    double slot = c->ncat ? w / (double)c->ncat : w;
    double base = y0 + h;
    if (c->band2_to > c->band2_from)
        rect(o, x0 + slot * (double)c->band2_from, y0, slot * (double)(c->band2_to - c->band2_from), h, "#e9eef4");
    if (c->band_to > c->band_from)
        rect(o, x0 + slot * (double)c->band_from, y0, slot * (double)(c->band_to - c->band_from), h, "#fff0bf");
    for (double t = 0; t <= sc.max + 1e-9; t += sc.step) {
        double y = base - t / sc.max * h;
        line(o, x0, y, x0 + w, y, t == 0 ? "#777777" : "#e3e3e3", t == 0 ? 1 : 0.8);
        char buf[32];
        tick_label(buf, sizeof buf, t, false);
        text(o, x0 - 4, y + 4, "end", "t", 10, buf);
    }
    if (all_labels) {
        double maxlab = 0;
        for (size_t i = 0; i < c->ncat; i++)
            maxlab = fmax(maxlab, text_w(c->cats[i]) * 10 / FS);
        size_t every = label_every(c->ncat, slot, maxlab);
        for (size_t i = 0; i < c->ncat; i += every)
            text(o, x0 + slot * ((double)i + 0.5), base + 14, "middle", "l", 10, c->cats[i]);
    } else if (c->ncat) {
        text(o, x0, base + 12, "start", "l", 9, c->cats[0]);
        text(o, x0 + w, base + 12, "end", "l", 9, c->cats[c->ncat - 1]);
    }
    for (size_t s = 0; s < nser; s++) {
        const ks_svg_series *se = &ser[s];
        const char *col = colour(se, first_colour + s);
        bool open = false;
        ks_buf path;
        ks_buf_init(&path);
        for (size_t i = 0; i < c->ncat; i++) {
            double x = x0 + slot * ((double)i + 0.5);
            if (is_hidden(se, i) || !isfinite(se->v[i])) {
                open = false;
                continue;
            }
            double y = base - fmin(se->v[i], sc.max) / sc.max * h;
            ks_buf_adds(&path, open ? " L" : " M");
            num(&path, x);
            ks_buf_addc(&path, ' ');
            num(&path, y);
            open = true;
        }
        if (path.len) {
            ks_buf_addf(o, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" d=\"%s\"/>", col, path.buf + 1);
        }
        ks_buf_release(&path);
        for (size_t i = 0; i < c->ncat; i++) {
            double x = x0 + slot * ((double)i + 0.5);
            if (is_hidden(se, i)) {
                double hs = fmin(6, slot * 0.8);
                hatch(o, c->id, x - hs / 2, base - hs, hs, hs, c->mark);
            } else if (isfinite(se->v[i]) && nser == 1 && c->ncat <= 36) {
                ks_buf_adds(o, "<circle");
                attr(o, "cx", x);
                attr(o, "cy", base - fmin(se->v[i], sc.max) / sc.max * h);
                ks_buf_addf(o, " r=\"1.8\" fill=\"%s\"/>", col);
            }
        }
    }
}

static double band_legend(ks_buf *o, const ks_svg_chart *c, double x, double y)
{
    if (c->band_label && c->band_to > c->band_from) {
        rect(o, x, y - 9, 12, 10, "#fff0bf");
        text(o, x + 16, y, "start", "l", 11, c->band_label);
        x += 16 + text_w(c->band_label) + 14;
    }
    if (c->band2_label && c->band2_to > c->band2_from) {
        rect(o, x, y - 9, 12, 10, "#e9eef4");
        text(o, x + 16, y, "start", "l", 11, c->band2_label);
        x += 16 + text_w(c->band2_label) + 14;
    }
    return x;
}

void ks_svg_line(ks_buf *o, const ks_svg_chart *c)
{
    double width = c->width > 0 ? c->width : 640;
    double x0 = 46, right = 12, top = 34, plot_h = 170;
    double plot_w = width - x0 - right;
    double height = top + plot_h + 24;
    open_svg(o, c->id, c->title, width, height);
    double lx = band_legend(o, c, x0, 12);
    if (c->nseries > 1 || any_hidden(c)) {
        ks_svg_chart tmp = *c;
        if (c->nseries == 1)
            tmp.nseries = 0; /* one line needs no colour key, only the hidden mark */
        legend(o, &tmp, lx, 12, width - lx, any_hidden(c));
    }
    if (c->axis_label)
        text(o, 2, top - 6, "start", "l", 10, c->axis_label);
    line_panel(o, c, c->series, c->nseries, 0, x0, top, plot_w, plot_h, true);
    close_svg(o);
}

void ks_svg_multiples(ks_buf *o, const ks_svg_chart *c, size_t per_row)
{
    double width = c->width > 0 ? c->width : 640;
    if (per_row == 0)
        per_row = 3;
    size_t rows = (c->nseries + per_row - 1) / per_row;
    double gap = 14, pw = (width - gap * (double)(per_row - 1)) / (double)per_row;
    double title_h = 22, ph = 84, cell_h = title_h + ph + 22;
    double top = 22;
    double height = top + (double)rows * cell_h + 4;
    open_svg(o, c->id, c->title, width, height);
    double lx = band_legend(o, c, 0, 12);
    if (any_hidden(c)) {
        ks_svg_chart tmp = *c;
        tmp.nseries = 0;
        legend(o, &tmp, lx, 12, width - lx, true);
    }
    for (size_t s = 0; s < c->nseries; s++) {
        double px = (double)(s % per_row) * (pw + gap), py = top + (double)(s / per_row) * cell_h;
        text(o, px + 2, py + 13, "start", "l", 11, c->series[s].name);
        line_panel(o, c, &c->series[s], 1, s, px + 30, py + title_h, pw - 34, ph, false);
    }
    close_svg(o);
}

/* ---- population pyramid --------------------------------------------------------- */

void ks_svg_pyramid(ks_buf *o, const ks_svg_chart *c)
{
    double width = c->width > 0 ? c->width : 640;
    double mid_w = 64, side = 46, top = 24, row_h = 18;
    double half = (width - mid_w - 2 * side) / 2;
    double cx_l = side + half, cx_r = cx_l + mid_w;
    double height = top + row_h * (double)c->ncat + 22;
    double maxv = series_max(c);
    scale sc = nice_scale(maxv, 4, true);
    open_svg(o, c->id, c->title, width, height);
    if (c->nseries >= 2) {
        text(o, cx_l - 4, 13, "end", "l", 12, c->series[0].name);
        text(o, cx_r + 4, 13, "start", "l", 12, c->series[1].name);
    }
    if (any_hidden(c)) {
        hatch(o, c->id, width - side - 40, 4, 10, 10, c->mark);
        text(o, width - side - 26, 13, "start", "h", 11, c->mark);
    }
    double axis_y = top + row_h * (double)c->ncat;
    for (double t = 0; t <= sc.max + 1e-9; t += sc.step) {
        double d = t / sc.max * half;
        char buf[32];
        tick_label(buf, sizeof buf, t, false);
        line(o, cx_l - d, top, cx_l - d, axis_y, t == 0 ? "#777777" : "#e3e3e3", 0.8);
        line(o, cx_r + d, top, cx_r + d, axis_y, t == 0 ? "#777777" : "#e3e3e3", 0.8);
        text(o, cx_l - d, axis_y + 13, "middle", "t", 10, buf);
        text(o, cx_r + d, axis_y + 13, "middle", "t", 10, buf);
    }
    for (size_t i = 0; i < c->ncat; i++) {
        double y = top + row_h * (double)(c->ncat - 1 - i);
        text(o, (cx_l + cx_r) / 2, y + row_h - 5, "middle", "l", 11, c->cats[i]);
        for (size_t s = 0; s < c->nseries && s < 2; s++) {
            const ks_svg_series *se = &c->series[s];
            bool left = s == 0;
            if (is_hidden(se, i)) {
                double hx = left ? cx_l - 12 : cx_r;
                hatch(o, c->id, hx, y + 2, 12, row_h - 4, c->mark);
                text(o, left ? cx_l - 16 : cx_r + 16, y + row_h - 5, left ? "end" : "start", "h", 10, c->mark);
                continue;
            }
            double v = se->v[i];
            if (!isfinite(v))
                continue;
            double w = fmin(v, sc.max) / sc.max * half;
            rect(o, left ? cx_l - w : cx_r, y + 2, w, row_h - 4, colour(se, s));
            char buf[32];
            fmt_value(buf, sizeof buf, KS_SVG_COUNT, v);
            text(o, left ? cx_l - w - 3 : cx_r + w + 3, y + row_h - 5, left ? "end" : "start", "n", 10, buf);
        }
    }
    close_svg(o);
}

/* ---- heat map ------------------------------------------------------------------- */

/* Diverging ramp: 0 orange (213,94,0), 0.5 white, 1 blue (0,114,178). */
static void ramp(char out[8], double t)
{
    static const double lo[3] = {213, 94, 0}, mid[3] = {255, 255, 255}, hi[3] = {0, 114, 178};
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    int rgb[3];
    for (int k = 0; k < 3; k++) {
        double v = t < 0.5 ? lo[k] + (mid[k] - lo[k]) * (t / 0.5) : mid[k] + (hi[k] - mid[k]) * ((t - 0.5) / 0.5);
        rgb[k] = (int)lround(v);
    }
    snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

/* One function for the reason ks_svg_stacked gives: drawing steps in
 * order over one shared layout. */
void ks_svg_heatmap(ks_buf *o, const ks_svg_heat *h)
{
    double width = h->width > 0 ? h->width : 640;
    size_t cap = 22;
    double maxlab = 0;
    for (size_t i = 0; i < h->nrow; i++)
        maxlab = fmax(maxlab, text_w(h->rows[i]));
    double label_w = fmin(maxlab, (double)cap * COL_W) + 8;
    double maxcol = 0;
    for (size_t j = 0; j < h->ncol; j++)
        maxcol = fmax(maxcol, text_w(h->cols[j]) * 11 / FS);
    double x0 = label_w + 4;
    double cell = h->ncol ? fmin(40, (width - x0 - 8) / (double)h->ncol) : 40;
    double top = fmin(maxcol, 150) * 0.72 + 14;
    double y0 = top;
    double grid_h = cell * (double)h->nrow;
    double legend_h = h->legend ? 46 : 0;
    double height = y0 + grid_h + legend_h + 6;
    open_svg(o, h->id, h->title, width, height);
    for (size_t j = 0; j < h->ncol; j++) {
        double x = x0 + cell * ((double)j + 0.5);
        ks_buf_adds(o, "<text");
        attr(o, "x", x);
        attr(o, "y", y0 - 6);
        ks_buf_adds(o, " class=\"l\" font-size=\"11\" transform=\"rotate(-45 ");
        num(o, x);
        ks_buf_addc(o, ' ');
        num(o, y0 - 6);
        ks_buf_adds(o, ")\">");
        ks_svg_escape(o, h->cols[j]);
        ks_buf_adds(o, "</text>");
    }
    for (size_t i = 0; i < h->nrow; i++) {
        double y = y0 + cell * (double)i;
        text_block(o, label_w, y + cell / 2, "end", 11, h->rows[i], cap, true);
        for (size_t j = 0; j < h->ncol; j++) {
            size_t at = i * h->ncol + j;
            double x = x0 + cell * (double)j;
            if (h->hidden && h->hidden[at]) {
                hatch(o, h->id, x + 1, y + 1, cell - 2, cell - 2, h->mark);
                text(o, x + cell / 2, y + cell / 2 + 4, "middle", "h", 10, h->mark);
                continue;
            }
            double t = h->shade ? h->shade[at] : NAN;
            char fill[8] = "#f4f4f4";
            if (isfinite(t))
                ramp(fill, t);
            rect(o, x + 1, y + 1, cell - 2, cell - 2, fill);
            if (h->text && h->text[at]) {
                bool dark = isfinite(t) && fabs(t - 0.5) > 0.33;
                ks_buf_adds(o, "<text");
                attr(o, "x", x + cell / 2);
                attr(o, "y", y + cell / 2 + 4);
                ks_buf_addf(o, " class=\"n\" font-size=\"10\" text-anchor=\"middle\"%s>",
                            dark ? " fill=\"#ffffff\"" : "");
                ks_svg_escape(o, h->text[at]);
                ks_buf_adds(o, "</text>");
            }
        }
    }
    if (h->legend) {
        double ly = y0 + grid_h + 14, lx = x0;
        if (h->legend_title) {
            text(o, lx, ly + 8, "start", "l", 11, h->legend_title);
            lx += text_w(h->legend_title) * 11 / FS + 10;
        }
        for (int k = 0; k < 5; k++) {
            char fill[8];
            ramp(fill, k / 4.0);
            rect(o, lx + 44 * k, ly, 44, 10, fill);
            ks_buf_adds(o, "<rect");
            attr(o, "x", lx + 44 * k);
            attr(o, "y", ly);
            ks_buf_adds(o, " width=\"44\" height=\"10\" fill=\"none\" stroke=\"#bbbbbb\" stroke-width=\"0.6\"/>");
            if (h->legend[k])
                text(o, lx + 44 * k + 22, ly + 24, "middle", "t", 10, h->legend[k]);
        }
        double hx = lx + 44 * 5 + 16;
        hatch(o, h->id, hx, ly, 10, 10, h->mark);
        text(o, hx + 14, ly + 9, "start", "h", 11, h->mark);
    }
    close_svg(o);
}

/* ---- step curves ---------------------------------------------------------------- */

/* One function for the reason ks_svg_stacked gives: drawing steps in
 * order over one shared layout. */
void ks_svg_stepcurves(ks_buf *o, const ks_svg_steps *s)
{
    double width = s->width > 0 ? s->width : 640;
    double x0 = 46, right = 12, top = 24, plot_h = 180;
    double plot_w = width - x0 - right;
    /* legend rows under the axis */
    double lx = x0, lrows = 1;
    for (size_t k = 0; k < s->ncurve; k++) {
        double w = 22 + text_w(s->curves[k].name) + (s->curves[k].hidden ? text_w(s->mark) + 6 : 0) + 14;
        if (lx + w > x0 + plot_w && lx > x0) {
            lx = x0;
            lrows++;
        }
        lx += w;
    }
    double axis_y = top + plot_h;
    double legend_y = axis_y + 52;
    double height = legend_y + lrows * 16 + 2;
    double xmax = s->x_max > 0 ? s->x_max : 1;
    open_svg(o, s->id, s->title, width, height);
    for (int k = 0; k <= 4; k++) {
        double y = axis_y - k / 4.0 * plot_h;
        char buf[16];
        snprintf(buf, sizeof buf, "%d%%", k * 25);
        line(o, x0, y, x0 + plot_w, y, k == 0 ? "#777777" : "#e3e3e3", k == 0 ? 1 : 0.8);
        text(o, x0 - 4, y + 4, "end", "t", 10, buf);
    }
    double step = s->x_step > 0 ? s->x_step : xmax / 4;
    for (double t = 0; t <= xmax + 1e-9; t += step) {
        double x = x0 + t / xmax * plot_w;
        char buf[32];
        snprintf(buf, sizeof buf, "%.0f", t);
        line(o, x, axis_y, x, axis_y + 4, "#777777", 1);
        text(o, x, axis_y + 15, "middle", "t", 10, buf);
    }
    if (s->x_label)
        text(o, x0 + plot_w / 2, axis_y + 30, "middle", "l", 11, s->x_label);
    if (s->y_label)
        text(o, 2, 11, "start", "l", 10, s->y_label);
    for (size_t k = 0; k < s->ncurve; k++) {
        const ks_svg_curve *cv = &s->curves[k];
        if (cv->hidden || cv->n == 0)
            continue;
        ks_buf path;
        ks_buf_init(&path);
        for (size_t i = 0; i < cv->n; i++) {
            double x = x0 + fmin(cv->x[i], xmax) / xmax * plot_w;
            double y = axis_y - fmax(0, fmin(1, cv->y[i])) * plot_h;
            if (i == 0) {
                ks_buf_adds(&path, "M");
                num(&path, x);
                ks_buf_addc(&path, ' ');
                num(&path, y);
            } else {
                ks_buf_adds(&path, " H");
                num(&path, x);
                ks_buf_adds(&path, " V");
                num(&path, y);
            }
        }
        ks_buf_addf(o, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" d=\"%s\"/>", palette[k % 8], path.buf);
        ks_buf_release(&path);
    }
    lx = x0;
    double ly = legend_y;
    for (size_t k = 0; k < s->ncurve; k++) {
        const ks_svg_curve *cv = &s->curves[k];
        double w = 22 + text_w(cv->name) + (cv->hidden ? text_w(s->mark) + 6 : 0) + 14;
        if (lx + w > x0 + plot_w && lx > x0) {
            lx = x0;
            ly += 16;
        }
        if (cv->hidden) {
            hatch(o, s->id, lx, ly - 9, 16, 10, s->mark);
            text(o, lx + 20, ly, "start", "l", 11, cv->name);
            text(o, lx + 20 + text_w(cv->name) * 11 / FS + 4, ly, "start", "h", 11, s->mark);
        } else {
            line(o, lx, ly - 4, lx + 16, ly - 4, palette[k % 8], 2.4);
            text(o, lx + 20, ly, "start", "l", 11, cv->name);
        }
        lx += w;
    }
    close_svg(o);
}
