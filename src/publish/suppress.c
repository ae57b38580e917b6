/* suppress.c: threshold rule, secondary suppression and the audit (see
 * suppress.h and docs/disclosure.md). */
#include "suppress.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* ---- the additive structure --------------------------------------------
 *
 * Nodes are line equations: row i is node i (when a total column exists),
 * count column j is node nrows + j (when a total row exists).  A missing
 * dimension is one free node with no equation: a cell whose row is no
 * equation hangs on it.  Every count cell is an edge between its row node and
 * its column node; in its row equation it has coefficient -1 when it is the
 * total column's cell and +1 otherwise, likewise in its column equation. */

typedef struct model {
    const ks_table *t; /* the table described */
    size_t nrows;      /* rows in t */
    size_t ncols;      /* columns in t */
    long trow;         /* total row, -1 none */
    long tcol;         /* total column, -1 none */
    bool row_lines;    /* rows are equations: a total column exists */
    bool col_lines;    /* count columns are equations: a total row exists */
    size_t free_node;  /* the node standing for a missing dimension */
    size_t nnodes;     /* free_node + 1 */
} model;

static void model_init(model *m, const ks_table *t)
{
    m->t = t;
    m->nrows = ks_table_nrows(t);
    m->ncols = ks_table_ncols(t);
    m->trow = ks_table_total_row(t);
    m->tcol = ks_table_total_col(t);
    m->row_lines = m->tcol >= 0;
    m->col_lines = m->trow >= 0;
    m->free_node = ks_add(m->nrows, m->ncols);
    m->nnodes = ks_add(m->free_node, 1);
}

static bool is_count(const model *m, size_t j) { return ks_table_column(m->t, j)->is_count; }

static size_t row_node(const model *m, size_t i) { return m->row_lines ? i : m->free_node; }

static size_t col_node(const model *m, size_t j)
{
    return m->col_lines ? m->nrows + j : m->free_node;
}

static bool is_total_cell(const model *m, size_t i, size_t j)
{
    return (long)i == m->trow || (long)j == m->tcol;
}

/* What a count cell contributes: HIDDEN (an unknown), VALUE (a published
 * constant; NULL counts as 0), or BAD (text in a count column). */
enum { CELL_VALUE, CELL_HIDDEN, CELL_BAD };

static int cell_state(const model *m, size_t i, size_t j, double *v)
{
    const ks_cell *c = ks_table_cell(m->t, i, j);
    *v = 0;
    if (c->kind == KS_CELL_SUPPRESSED)
        return CELL_HIDDEN;
    if (c->kind == KS_CELL_NULL || ks_cell_number(c, v))
        return CELL_VALUE;
    return CELL_BAD;
}

static bool eligible(const model *m, size_t i, size_t j)
{
    double v;
    /* zeros are never complements: a reader may know a zero is structural
     * (no 8050 case aged 20), and a hidden cell is promised to be >= 1 */
    return is_count(m, j) && cell_state(m, i, j, &v) == CELL_VALUE && v > 0;
}

/* The best complement so far: non-total cells first, then the smallest
 * value, then the first offered (so results are reproducible). */
typedef struct pick {
    bool found;  /* a candidate was seen */
    bool total;  /* it is a total cell */
    double v;    /* its value */
    size_t i;    /* its row */
    size_t j;    /* its column */
} pick;

static void pick_offer(pick *p, const model *m, size_t i, size_t j)
{
    if (!eligible(m, i, j))
        return;
    double v;
    cell_state(m, i, j, &v);
    bool total = is_total_cell(m, i, j);
    if (p->found && (total > p->total || (total == p->total && v >= p->v)))
        return;
    *p = (pick){.found = true, .total = total, .v = v, .i = i, .j = j};
}

static int pick_take(ks_table *t, const pick *p, ks_suppress_stats *st, ks_error *err)
{
    int rc = ks_table_suppress(t, p->i, p->j, KS_WHY_SECONDARY, err);
    if (rc == 0 && st)
        st->secondary++;
    return rc;
}

/* ---- checks and primary suppression ------------------------------------ */

static int check_shape(const model *m, ks_error *err)
{
    if (m->trow >= 0 && (size_t)m->trow >= m->nrows)
        return ks_error_set(err, KS_EUSAGE, "total row %ld out of range (table has %zu rows)",
                            m->trow, m->nrows);
    for (size_t j = 0; j < m->ncols; j++) {
        if (!is_count(m, j))
            continue;
        for (size_t i = 0; i < m->nrows; i++) {
            double v;
            int s = cell_state(m, i, j, &v);
            /* messages name the cell, never its value: stderr is output too */
            if (s == CELL_BAD)
                return ks_error_set(err, KS_EUSAGE, "count column '%s' holds text in row %zu",
                                    ks_table_column(m->t, j)->name, i + 1);
            /* the protection argument is about whole, non-negative counts */
            if (s == CELL_VALUE && !(v >= 0 && v < 9e15 && v == floor(v)))
                return ks_error_set(err, KS_EUSAGE,
                                    "count column '%s' holds a value that is not a count in row %zu",
                                    ks_table_column(m->t, j)->name, i + 1);
        }
    }
    return 0;
}

/* Sum of a line's addends minus its total, or NAN when a cell is hidden. */
static double line_residual(const model *m, bool is_row, size_t idx)
{
    double sum = 0;
    size_t n = is_row ? m->ncols : m->nrows;
    for (size_t x = 0; x < n; x++) {
        size_t i = is_row ? idx : x, j = is_row ? x : idx;
        if (!is_count(m, j))
            continue;
        double v;
        if (cell_state(m, i, j, &v) != CELL_VALUE)
            return NAN;
        bool total = is_row ? (long)j == m->tcol : (long)i == m->trow;
        sum += total ? -v : v;
    }
    return sum;
}

/* The protection argument assumes the equations hold, so a table whose
 * declared totals do not add up (e.g. a multi-response table) is refused. */
static int check_totals(const model *m, ks_error *err)
{
    for (size_t i = 0; m->row_lines && i < m->nrows; i++) {
        double r = line_residual(m, true, i);
        if (!isnan(r) && fabs(r) > 1e-9)
            return ks_error_set(err, KS_EUSAGE,
                                "declared totals do not add up in row %zu (a multi-response "
                                "table must not declare totals)", i + 1);
    }
    for (size_t j = 0; m->col_lines && j < m->ncols; j++) {
        if (!is_count(m, j))
            continue;
        double r = line_residual(m, false, j);
        if (!isnan(r) && fabs(r) > 1e-9)
            return ks_error_set(err, KS_EUSAGE, "declared totals do not add up in column '%s'",
                                ks_table_column(m->t, j)->name);
    }
    return 0;
}

int ks_suppress_primary(ks_table *t, int k, ks_suppress_stats *st, ks_error *err)
{
    if (k < 1)
        return ks_error_set(err, KS_EUSAGE, "threshold k must be at least 1, not %d", k);
    model m;
    model_init(&m, t);
    int rc = check_shape(&m, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < m.nrows; i++) {
        for (size_t j = 0; j < m.ncols; j++) {
            double v;
            if (!is_count(&m, j) || cell_state(&m, i, j, &v) != CELL_VALUE ||
                ks_table_cell(t, i, j)->kind == KS_CELL_NULL)
                continue;
            if (v > 0 && v < k) {
                if ((rc = ks_table_suppress(t, i, j, KS_WHY_PRIMARY, err)))
                    return rc;
                if (st)
                    st->primary++;
            }
        }
    }
    return 0;
}

int ks_suppress_links(ks_table *t, ks_suppress_stats *st, ks_error *err)
{
    size_t nrows = ks_table_nrows(t), ncols = ks_table_ncols(t);
    for (size_t j = 0; j < ncols; j++) {
        const ks_column *c = ks_table_column(t, j);
        if (!c->is_share)
            continue;
        for (size_t i = 0; i < nrows; i++) {
            bool hide = ks_table_cell(t, i, (size_t)c->source)->kind == KS_CELL_SUPPRESSED;
            if (c->denom >= 0 && ks_table_cell(t, i, (size_t)c->denom)->kind == KS_CELL_SUPPRESSED)
                hide = true; /* share * published count would give the denominator */
            if (!hide || ks_table_cell(t, i, j)->kind == KS_CELL_SUPPRESSED)
                continue;
            int rc = ks_table_suppress(t, i, j, KS_WHY_LINKED, err);
            if (rc)
                return rc;
            if (st)
                st->linked++;
        }
    }
    return 0;
}

/* ---- the equation system over hidden cells ------------------------------
 *
 * The audit's rank test needs only the left-hand sides: each line with a
 * hidden cell becomes a row of coefficients over the hidden cells (the
 * published cells, on the right-hand side, do not change the row space). */

typedef struct eqsys {
    size_t nvar;     /* hidden count cells */
    size_t *var_i;   /* [nvar] their rows */
    size_t *var_j;   /* [nvar] their columns */
    size_t nlines;   /* equations kept (lines with a hidden cell) */
    size_t *start;   /* [nlines + 1] offsets into var/coef */
    size_t *var;     /* [start[nlines]] variable of each term */
    int *coef;       /* [start[nlines]] +1 or -1 */
} eqsys;

static void eqsys_release(eqsys *s)
{
    free(s->var_i);
    free(s->var_j);
    free(s->start);
    free(s->var);
    free(s->coef);
    memset(s, 0, sizeof *s);
}

/* Adds line (is_row, idx) to s; varof maps a cell to its variable. */
static void eqsys_add_line(eqsys *s, const model *m, const size_t *varof, bool is_row, size_t idx,
                           size_t *cap)
{
    size_t n = is_row ? m->ncols : m->nrows;
    size_t first = s->start[s->nlines];
    for (size_t x = 0; x < n; x++) {
        size_t i = is_row ? idx : x, j = is_row ? x : idx;
        if (!is_count(m, j))
            continue;
        bool total = is_row ? (long)j == m->tcol : (long)i == m->trow;
        int coef = total ? -1 : 1;
        double v;
        if (cell_state(m, i, j, &v) == CELL_HIDDEN) {
            size_t pos = first++;
            if (pos >= *cap) {
                *cap = ks_mul(*cap ? *cap : 16, 2);
                s->var = ks_realloc(s->var, ks_mul(*cap, sizeof *s->var));
                s->coef = ks_realloc(s->coef, ks_mul(*cap, sizeof *s->coef));
            }
            s->var[pos] = varof[i * m->ncols + j];
            s->coef[pos] = coef;
        }
    }
    if (first == s->start[s->nlines])
        return; /* nothing hidden: the line says nothing about the unknowns */
    s->nlines++;
    s->start[s->nlines] = first;
}

static void eqsys_build(eqsys *s, const model *m)
{
    memset(s, 0, sizeof *s);
    size_t ncells = ks_mul(m->nrows, m->ncols);
    size_t *varof = ks_malloc(ks_mul(ncells ? ncells : 1, sizeof *varof));
    s->var_i = ks_malloc(ks_mul(ncells ? ncells : 1, sizeof *s->var_i));
    s->var_j = ks_malloc(ks_mul(ncells ? ncells : 1, sizeof *s->var_j));
    for (size_t i = 0; i < m->nrows; i++) {
        for (size_t j = 0; j < m->ncols; j++) {
            double v;
            varof[i * m->ncols + j] = SIZE_MAX;
            if (is_count(m, j) && cell_state(m, i, j, &v) == CELL_HIDDEN) {
                varof[i * m->ncols + j] = s->nvar;
                s->var_i[s->nvar] = i;
                s->var_j[s->nvar] = j;
                s->nvar++;
            }
        }
    }
    size_t maxlines = ks_add(m->nrows, m->ncols);
    s->start = ks_calloc(ks_add(maxlines, 1), sizeof *s->start);
    size_t cap = 0;
    for (size_t i = 0; m->row_lines && i < m->nrows; i++)
        eqsys_add_line(s, m, varof, true, i, &cap);
    for (size_t j = 0; m->col_lines && j < m->ncols; j++)
        if (is_count(m, j))
            eqsys_add_line(s, m, varof, false, j, &cap);
    free(varof);
}

/* ---- exact bounds by network flow ------------------------------------------
 *
 * Scale each row equation by +1 (the total row's by -1) and each column
 * equation by -1 (the total column's by +1): then every cell has +1 in one of
 * its equations and -1 in the other, so the hidden cells are the arcs of a
 * flow network (from the node where the cell has -1 to the node where it has
 * +1), and each equation says inflow - outflow = a published constant.  The
 * free node's balance follows from all the others.  A reader knows this
 * network and that every hidden cell is >= 1.  The least and greatest value
 * of a cell over all such flows are its exact bounds: the matrix is totally
 * unimodular, so they are integers and every integer between them occurs. */

#define FLOW_INF (INT64_MAX / 4)

typedef struct flownet {
    size_t n;        /* nodes */
    size_t narcs;    /* arcs; arc a's reverse is a ^ 1 */
    size_t cap_arcs; /* allocated arcs */
    size_t *to;      /* [arcs] node an arc enters */
    size_t *next;    /* [arcs] next arc leaving the same node */
    int64_t *cap;    /* [arcs] residual capacity */
    size_t *first;   /* [n] first arc leaving each node, SIZE_MAX none */
    long *level;     /* [n] BFS level, -1 unreached */
    size_t *iter;    /* [n] next arc to try in the blocking-flow search */
    size_t *queue;   /* [n] BFS queue */
} flownet;

static void flownet_init(flownet *f, size_t n)
{
    memset(f, 0, sizeof *f);
    f->n = n;
    f->first = ks_malloc(ks_mul(n, sizeof *f->first));
    f->level = ks_malloc(ks_mul(n, sizeof *f->level));
    f->iter = ks_malloc(ks_mul(n, sizeof *f->iter));
    f->queue = ks_malloc(ks_mul(n, sizeof *f->queue));
    for (size_t v = 0; v < n; v++)
        f->first[v] = SIZE_MAX;
}

static void flownet_release(flownet *f)
{
    free(f->to);
    free(f->next);
    free(f->cap);
    free(f->first);
    free(f->level);
    free(f->iter);
    free(f->queue);
    memset(f, 0, sizeof *f);
}

/* Adds u -> v with capacity c (and its reverse); returns the arc's index. */
static size_t flownet_arc(flownet *f, size_t u, size_t v, int64_t c)
{
    if (f->narcs + 2 > f->cap_arcs) {
        f->cap_arcs = f->cap_arcs ? ks_mul(f->cap_arcs, 2) : 64;
        f->to = ks_realloc(f->to, ks_mul(f->cap_arcs, sizeof *f->to));
        f->next = ks_realloc(f->next, ks_mul(f->cap_arcs, sizeof *f->next));
        f->cap = ks_realloc(f->cap, ks_mul(f->cap_arcs, sizeof *f->cap));
    }
    size_t a = f->narcs;
    f->to[a] = v;
    f->cap[a] = c;
    f->next[a] = f->first[u];
    f->first[u] = a;
    f->to[a + 1] = u;
    f->cap[a + 1] = 0;
    f->next[a + 1] = f->first[v];
    f->first[v] = a + 1;
    f->narcs += 2;
    return a;
}

static bool flownet_bfs(flownet *f, size_t s, size_t t)
{
    for (size_t v = 0; v < f->n; v++)
        f->level[v] = -1;
    size_t head = 0, tail = 0;
    f->level[s] = 0;
    f->queue[tail++] = s;
    while (head < tail) {
        size_t v = f->queue[head++];
        for (size_t a = f->first[v]; a != SIZE_MAX; a = f->next[a]) {
            if (f->cap[a] > 0 && f->level[f->to[a]] < 0) {
                f->level[f->to[a]] = f->level[v] + 1;
                f->queue[tail++] = f->to[a];
            }
        }
    }
    return f->level[t] >= 0;
}

/* One augmenting path in the level graph (depth <= nodes: rows + columns). */
static int64_t flownet_dfs(flownet *f, size_t v, size_t t, int64_t push)
{
    if (v == t)
        return push;
    for (; f->iter[v] != SIZE_MAX; f->iter[v] = f->next[f->iter[v]]) {
        size_t a = f->iter[v], w = f->to[a];
        if (f->cap[a] <= 0 || f->level[w] != f->level[v] + 1)
            continue;
        int64_t got = flownet_dfs(f, w, t, push < f->cap[a] ? push : f->cap[a]);
        if (got > 0) {
            f->cap[a] -= got;
            f->cap[a ^ 1] += got;
            return got;
        }
    }
    return 0;
}

/* Dinic's maximum flow from s to t, FLOW_INF when unbounded. */
static int64_t flownet_max(flownet *f, size_t s, size_t t)
{
    int64_t total = 0;
    while (total < FLOW_INF && flownet_bfs(f, s, t)) {
        memcpy(f->iter, f->first, f->n * sizeof *f->iter);
        int64_t got;
        while (total < FLOW_INF && (got = flownet_dfs(f, s, t, FLOW_INF - total)) > 0)
            total += got;
    }
    return total < FLOW_INF ? total : FLOW_INF;
}

/* The hidden cells as arcs, and what the published cells demand of them. */
typedef struct cellnet {
    size_t nvar;     /* hidden count cells, in row-major order */
    size_t *var_i;   /* [nvar] rows */
    size_t *var_j;   /* [nvar] columns */
    size_t *tail;    /* [nvar] arc start, SIZE_MAX when the cell is in no equation */
    size_t *head;    /* [nvar] arc end */
    int64_t *x;      /* [nvar] one feasible value of each cell */
    size_t nnodes;   /* model nodes */
    int64_t *demand; /* [nnodes] required inflow - outflow */
} cellnet;

static void cellnet_release(cellnet *c)
{
    free(c->var_i);
    free(c->var_j);
    free(c->tail);
    free(c->head);
    free(c->x);
    free(c->demand);
    memset(c, 0, sizeof *c);
}

static void cellnet_build(cellnet *c, const model *m)
{
    memset(c, 0, sizeof *c);
    size_t ncells = ks_mul(m->nrows, m->ncols), cap = ncells ? ncells : 1;
    c->var_i = ks_malloc(ks_mul(cap, sizeof *c->var_i));
    c->var_j = ks_malloc(ks_mul(cap, sizeof *c->var_j));
    c->tail = ks_malloc(ks_mul(cap, sizeof *c->tail));
    c->head = ks_malloc(ks_mul(cap, sizeof *c->head));
    c->x = ks_calloc(cap, sizeof *c->x);
    c->nnodes = m->nnodes;
    c->demand = ks_calloc(c->nnodes, sizeof *c->demand);
    for (size_t i = 0; i < m->nrows; i++) {
        for (size_t j = 0; j < m->ncols; j++) {
            if (!is_count(m, j))
                continue;
            size_t a = row_node(m, i), b = col_node(m, j);
            /* coefficient in the scaled row equation; the column's is -sa */
            int sa = ((long)i == m->trow ? -1 : 1) * ((long)j == m->tcol ? -1 : 1);
            double v;
            if (cell_state(m, i, j, &v) == CELL_HIDDEN) {
                c->var_i[c->nvar] = i;
                c->var_j[c->nvar] = j;
                bool free_cell = a == m->free_node && b == m->free_node;
                c->head[c->nvar] = free_cell ? SIZE_MAX : sa > 0 ? a : b;
                c->tail[c->nvar] = free_cell ? SIZE_MAX : sa > 0 ? b : a;
                c->nvar++;
                continue;
            }
            /* a published cell moves to the right-hand side of its equations */
            int64_t iv = (int64_t)llround(v);
            if (a != m->free_node)
                c->demand[a] -= sa * iv;
            if (b != m->free_node)
                c->demand[b] += sa * iv;
        }
    }
    int64_t sum = 0;
    for (size_t v = 0; v < c->nnodes; v++)
        if (v != m->free_node)
            sum += c->demand[v];
    c->demand[m->free_node] = -sum;
}

/* Finds one flow with every cell >= 1 (x = 1 + z, z a flow from the nodes
 * with surplus to those with a deficit).  -KS_EDATA when none exists: the
 * published cells contradict the totals. */
static int cellnet_feasible(cellnet *c, ks_error *err)
{
    size_t S = c->nnodes, T = c->nnodes + 1;
    int64_t *need = ks_malloc(ks_mul(c->nnodes, sizeof *need));
    memcpy(need, c->demand, c->nnodes * sizeof *need);
    flownet f;
    flownet_init(&f, c->nnodes + 2);
    size_t *arc = ks_malloc(ks_mul(c->nvar ? c->nvar : 1, sizeof *arc));
    for (size_t e = 0; e < c->nvar; e++) {
        if (c->tail[e] == SIZE_MAX)
            continue;
        need[c->head[e]] -= 1; /* the 1 every cell carries anyway */
        need[c->tail[e]] += 1;
        arc[e] = flownet_arc(&f, c->tail[e], c->head[e], FLOW_INF);
    }
    int64_t want = 0;
    for (size_t v = 0; v < c->nnodes; v++) {
        if (need[v] > 0) {
            flownet_arc(&f, v, T, need[v]);
            want += need[v];
        } else if (need[v] < 0) {
            flownet_arc(&f, S, v, -need[v]);
        }
    }
    int rc = 0;
    if (flownet_max(&f, S, T) != want)
        rc = ks_error_set(err, KS_EDATA, "the published cells contradict the declared totals");
    for (size_t e = 0; rc == 0 && e < c->nvar; e++)
        c->x[e] = c->tail[e] == SIZE_MAX ? 1 : 1 + f.cap[arc[e] ^ 1];
    free(arc);
    free(need);
    flownet_release(&f);
    return rc;
}

/* Greatest change of cell e in one direction: flow sent around a cycle
 * through it, other cells rising freely and falling to no less than 1. */
static int64_t cellnet_slack(const cellnet *c, size_t e, bool up)
{
    flownet f;
    flownet_init(&f, c->nnodes);
    for (size_t g = 0; g < c->nvar; g++) {
        if (g == e || c->tail[g] == SIZE_MAX)
            continue;
        flownet_arc(&f, c->tail[g], c->head[g], FLOW_INF);
        if (c->x[g] > 1)
            flownet_arc(&f, c->head[g], c->tail[g], c->x[g] - 1);
    }
    int64_t r = up ? flownet_max(&f, c->head[e], c->tail[e]) : flownet_max(&f, c->tail[e], c->head[e]);
    flownet_release(&f);
    return r;
}

/* Exact bounds of every hidden cell (INFINITY when there is no upper one). */
static int cellnet_bounds(cellnet *c, double *lo, double *hi, ks_error *err)
{
    int rc = cellnet_feasible(c, err);
    if (rc)
        return rc;
    for (size_t e = 0; e < c->nvar; e++) {
        if (c->tail[e] == SIZE_MAX) {
            lo[e] = 1;
            hi[e] = INFINITY;
            continue;
        }
        int64_t up = cellnet_slack(c, e, true), down = cellnet_slack(c, e, false);
        hi[e] = up >= FLOW_INF ? INFINITY : (double)(c->x[e] + up);
        lo[e] = (double)(c->x[e] - (down < c->x[e] - 1 ? down : c->x[e] - 1));
    }
    return 0;
}

/* ---- secondary suppression ----------------------------------------------- */

/* Hidden cells in a line; *at gets the position of the last one. */
static size_t line_hidden(const model *m, bool is_row, size_t idx, size_t *at_i, size_t *at_j)
{
    size_t n = is_row ? m->ncols : m->nrows, hidden = 0;
    for (size_t x = 0; x < n; x++) {
        size_t i = is_row ? idx : x, j = is_row ? x : idx;
        double v;
        if (is_count(m, j) && cell_state(m, i, j, &v) == CELL_HIDDEN) {
            hidden++;
            *at_i = i;
            *at_j = j;
        }
    }
    return hidden;
}

static void line_offer(pick *p, const model *m, bool is_row, size_t idx)
{
    size_t n = is_row ? m->ncols : m->nrows;
    for (size_t x = 0; x < n; x++)
        pick_offer(p, m, is_row ? idx : x, is_row ? x : idx);
}

static int no_complement(const model *m, size_t i, size_t j, ks_error *err)
{
    return ks_error_set(err, KS_ESAFETY,
                        "cannot protect the hidden cell in row %zu, column '%s': no cell left "
                        "to hide with it", i + 1, ks_table_column(m->t, j)->name);
}

/* A line with exactly one hidden cell gives it away by subtraction: hide the
 * best other cell of the line.  Returns the number of cells hidden. */
static int fix_lines(ks_table *t, const model *m, ks_suppress_stats *st, ks_error *err)
{
    int fixed = 0;
    for (int pass = 0; pass < 2; pass++) {
        bool is_row = pass == 0;
        if (is_row ? !m->row_lines : !m->col_lines)
            continue;
        size_t n = is_row ? m->nrows : m->ncols;
        for (size_t idx = 0; idx < n; idx++) {
            if (!is_row && !is_count(m, idx))
                continue;
            size_t hi = 0, hj = 0;
            if (line_hidden(m, is_row, idx, &hi, &hj) != 1)
                continue;
            pick p = {0};
            line_offer(&p, m, is_row, idx);
            if (!p.found)
                return no_complement(m, hi, hj, err);
            int rc = pick_take(t, &p, st, err);
            if (rc)
                return rc;
            fixed++;
        }
    }
    return fixed;
}

/* Hidden cells as a multigraph over line nodes, in compressed adjacency form. */
typedef struct graph {
    size_t nnodes;   /* model nodes */
    size_t nedges;   /* hidden count cells */
    size_t *ea;      /* [nedges] one end (row node) */
    size_t *eb;      /* [nedges] other end (column node) */
    size_t *ei;      /* [nedges] table row of the cell */
    size_t *ej;      /* [nedges] table column */
    size_t *start;   /* [nnodes + 1] adjacency offsets */
    size_t *adj;     /* [2 * nedges] incident edge ids */
} graph;

static void graph_release(graph *g)
{
    free(g->ea);
    free(g->eb);
    free(g->ei);
    free(g->ej);
    free(g->start);
    free(g->adj);
    memset(g, 0, sizeof *g);
}

static void graph_build(graph *g, const model *m)
{
    memset(g, 0, sizeof *g);
    size_t ncells = ks_mul(m->nrows, m->ncols);
    size_t cap = ncells ? ncells : 1;
    g->nnodes = m->nnodes;
    g->ea = ks_malloc(ks_mul(cap, sizeof *g->ea));
    g->eb = ks_malloc(ks_mul(cap, sizeof *g->eb));
    g->ei = ks_malloc(ks_mul(cap, sizeof *g->ei));
    g->ej = ks_malloc(ks_mul(cap, sizeof *g->ej));
    for (size_t i = 0; i < m->nrows; i++) {
        for (size_t j = 0; j < m->ncols; j++) {
            double v;
            if (!is_count(m, j) || cell_state(m, i, j, &v) != CELL_HIDDEN)
                continue;
            g->ea[g->nedges] = row_node(m, i);
            g->eb[g->nedges] = col_node(m, j);
            g->ei[g->nedges] = i;
            g->ej[g->nedges] = j;
            g->nedges++;
        }
    }
    g->start = ks_calloc(ks_add(g->nnodes, 1), sizeof *g->start);
    g->adj = ks_malloc(ks_mul(ks_mul(2, g->nedges ? g->nedges : 1), sizeof *g->adj));
    for (size_t e = 0; e < g->nedges; e++) {
        g->start[g->ea[e] + 1]++;
        g->start[g->eb[e] + 1]++;
    }
    for (size_t v = 0; v < g->nnodes; v++)
        g->start[v + 1] += g->start[v];
    size_t *fill = ks_malloc(ks_mul(g->nnodes ? g->nnodes : 1, sizeof *fill));
    memcpy(fill, g->start, g->nnodes * sizeof *fill);
    for (size_t e = 0; e < g->nedges; e++) {
        g->adj[fill[g->ea[e]]++] = e;
        g->adj[fill[g->eb[e]]++] = e;
    }
    free(fill);
}

static size_t other_end(const graph *g, size_t e, size_t v) { return g->ea[e] == v ? g->eb[e] : g->ea[e]; }

/* First bridge (an edge on no cycle) by an iterative Tarjan search; SIZE_MAX
 * when there is none.  Parallel edges are distinct edges, so two hidden cells
 * in the same pair of lines protect each other, as they should. */
static size_t graph_bridge(const graph *g)
{
    size_t found = SIZE_MAX;
    size_t n = g->nnodes ? g->nnodes : 1;
    size_t *disc = ks_calloc(n, sizeof *disc), *low = ks_calloc(n, sizeof *low);
    size_t *st_v = ks_malloc(ks_mul(n, sizeof *st_v)), *st_e = ks_malloc(ks_mul(n, sizeof *st_e));
    size_t *st_pos = ks_malloc(ks_mul(n, sizeof *st_pos));
    size_t timer = 1;
    for (size_t s = 0; s < g->nnodes && found == SIZE_MAX; s++) {
        if (disc[s] || g->start[s] == g->start[s + 1])
            continue;
        size_t top = 0;
        st_v[0] = s;
        st_e[0] = SIZE_MAX;
        st_pos[0] = g->start[s];
        disc[s] = low[s] = timer++;
        while (found == SIZE_MAX) {
            size_t v = st_v[top];
            if (st_pos[top] < g->start[v + 1]) {
                size_t e = g->adj[st_pos[top]++];
                if (e == st_e[top])
                    continue;
                size_t w = other_end(g, e, v);
                if (!disc[w]) {
                    disc[w] = low[w] = timer++;
                    top++;
                    st_v[top] = w;
                    st_e[top] = e;
                    st_pos[top] = g->start[w];
                } else if (disc[w] < low[v]) {
                    low[v] = disc[w];
                }
                continue;
            }
            if (top == 0)
                break;
            size_t p = st_v[top - 1];
            if (low[v] < low[p])
                low[p] = low[v];
            if (low[v] > disc[p])
                found = st_e[top];
            top--;
        }
    }
    free(disc);
    free(low);
    free(st_v);
    free(st_e);
    free(st_pos);
    return found;
}

/* Marks with `mark` every node reachable from `from` without using edge `skip`. */
static void graph_reach(const graph *g, size_t from, size_t skip, unsigned char *side,
                        unsigned char mark)
{
    size_t *queue = ks_malloc(ks_mul(g->nnodes ? g->nnodes : 1, sizeof *queue));
    size_t head = 0, tail = 0;
    side[from] = mark;
    queue[tail++] = from;
    while (head < tail) {
        size_t v = queue[head++];
        for (size_t p = g->start[v]; p < g->start[v + 1]; p++) {
            if (g->adj[p] == skip)
                continue;
            size_t w = other_end(g, g->adj[p], v);
            if (!side[w]) {
                side[w] = mark;
                queue[tail++] = w;
            }
        }
    }
    free(queue);
}

/* A bridge cell is determined (cut the graph there: the lines on one side
 * sum to it).  Hide a cell joining the two sides, closing a cycle through it;
 * failing that, any cell touching the component, and try again. */
static int fix_bridge(ks_table *t, const model *m, ks_suppress_stats *st, ks_error *err)
{
    graph g;
    graph_build(&g, m);
    int rc = 0;
    unsigned char *side = NULL;
    size_t e = graph_bridge(&g);
    if (e == SIZE_MAX)
        goto done;
    side = ks_calloc(g.nnodes, 1);
    graph_reach(&g, g.ea[e], e, side, 1);
    graph_reach(&g, g.eb[e], e, side, 2);
    pick across = {0}, near = {0};
    for (size_t i = 0; i < m->nrows; i++) {
        for (size_t j = 0; j < m->ncols; j++) {
            unsigned char a = side[row_node(m, i)], b = side[col_node(m, j)];
            if (a && b && a != b)
                pick_offer(&across, m, i, j);
            else if (a || b)
                pick_offer(&near, m, i, j);
        }
    }
    const pick *p = across.found ? &across : &near;
    if (!p->found) {
        rc = no_complement(m, g.ei[e], g.ej[e], err);
        goto done;
    }
    rc = pick_take(t, p, st, err);
    if (rc == 0)
        rc = 1;
done:
    free(side);
    graph_release(&g);
    return rc;
}

/* A hidden cell whose bounds meet (two cells of 1 in a line whose published
 * remainder is 2, or the same across several lines) is disclosed although no
 * equation isolates it: hide the best cell of one of its lines, else of any
 * line with a hidden cell. */
static int fix_pinned(ks_table *t, const model *m, ks_suppress_stats *st, ks_error *err)
{
    cellnet c;
    cellnet_build(&c, m);
    size_t n = c.nvar ? c.nvar : 1;
    double *lo = ks_malloc(ks_mul(n, sizeof *lo)), *hi = ks_malloc(ks_mul(n, sizeof *hi));
    int rc = cellnet_bounds(&c, lo, hi, err);
    for (size_t v = 0; v < c.nvar && rc == 0; v++) {
        if (!(hi[v] - lo[v] < 0.5))
            continue;
        size_t i = c.var_i[v], j = c.var_j[v];
        pick p = {0};
        if (m->row_lines)
            line_offer(&p, m, true, i);
        if (m->col_lines)
            line_offer(&p, m, false, j);
        for (size_t w = 0; w < c.nvar && !p.found; w++) {
            if (m->row_lines)
                line_offer(&p, m, true, c.var_i[w]);
            if (m->col_lines)
                line_offer(&p, m, false, c.var_j[w]);
        }
        if (!p.found)
            rc = no_complement(m, i, j, err);
        else if ((rc = pick_take(t, &p, st, err)) == 0)
            rc = 1;
    }
    free(lo);
    free(hi);
    cellnet_release(&c);
    return rc;
}

int ks_suppress_secondary(ks_table *t, ks_suppress_stats *st, ks_error *err)
{
    model m;
    model_init(&m, t);
    int rc = check_shape(&m, err);
    if (rc || (!m.row_lines && !m.col_lines))
        return rc; /* no totals, no equations: nothing can be derived */
    /* Each round hides at least one more cell, so this ends; the bound is
     * a guard against a bug, not a limit the data can reach. */
    size_t limit = ks_add(ks_mul(m.nrows, m.ncols), 1);
    for (size_t round = 0; round < limit; round++) {
        if ((rc = fix_lines(t, &m, st, err)) != 0 ||
            (rc = fix_bridge(t, &m, st, err)) != 0 ||
            (rc = fix_pinned(t, &m, st, err)) != 0) {
            if (rc < 0)
                return rc;
            continue;
        }
        return 0;
    }
    return ks_error_set(err, KS_ESAFETY, "secondary suppression did not settle");
}

int ks_suppress(ks_table *t, int k, ks_suppress_stats *st, ks_error *err)
{
    if (k < 1)
        return ks_error_set(err, KS_EUSAGE, "threshold k must be at least 1, not %d", k);
    model m;
    model_init(&m, t);
    int rc = check_shape(&m, err);
    if (rc == 0)
        rc = check_totals(&m, err);
    if (rc == 0)
        rc = ks_suppress_primary(t, k, st, err);
    if (rc == 0)
        rc = ks_suppress_secondary(t, st, err);
    if (rc == 0)
        rc = ks_suppress_links(t, st, err);
    return rc;
}

int ks_suppress_check(const ks_table *t, int k, ks_error *err)
{
    if (k <= 0)
        return 0;
    size_t nrows = ks_table_nrows(t), ncols = ks_table_ncols(t);
    for (size_t j = 0; j < ncols; j++) {
        const ks_column *c = ks_table_column(t, j);
        for (size_t i = 0; i < nrows; i++) {
            const ks_cell *cell = ks_table_cell(t, i, j);
            double v;
            if (c->is_count && ks_cell_number(cell, &v) && v > 0 && v < k)
                return ks_error_set(err, KS_ESAFETY,
                                    "row %zu, column '%s': a count below k=%d would be printed",
                                    i + 1, c->name, k);
            if (!c->is_share || cell->kind == KS_CELL_SUPPRESSED || cell->kind == KS_CELL_NULL)
                continue;
            bool src = ks_table_cell(t, i, (size_t)c->source)->kind == KS_CELL_SUPPRESSED;
            bool den = c->denom >= 0 &&
                       ks_table_cell(t, i, (size_t)c->denom)->kind == KS_CELL_SUPPRESSED;
            if (src || den)
                return ks_error_set(err, KS_ESAFETY,
                                    "row %zu, column '%s': a share of a hidden count would be "
                                    "printed", i + 1, c->name);
        }
    }
    return 0;
}

/* ---- audit ---------------------------------------------------------------- */

void ks_audit_init(ks_audit *a) { memset(a, 0, sizeof *a); }

void ks_audit_release(ks_audit *a)
{
    free(a->cells);
    ks_audit_init(a);
}

/* Rank test on one connected block of the system (lines[] and vars[] are
 * its members; local[v] is v's column in the block).  e_v lies in the row
 * space of the block's matrix A exactly when the projection of e_v on the
 * null space of A is zero.  The SVD runs on A or on its transpose, whichever
 * is at least as tall as wide (GSL's requirement), and gives an orthonormal
 * basis of the null space or of the row space respectively. */
static int audit_block(const eqsys *s, const size_t *lines, size_t L, const size_t *vars,
                       size_t n, const size_t *local, bool *determined, size_t *rank,
                       ks_error *err)
{
    bool tall = L >= n;
    size_t rows = tall ? L : n, cols = tall ? n : L;
    gsl_matrix *A = gsl_matrix_calloc(rows, cols);
    gsl_matrix *Q = gsl_matrix_alloc(cols, cols);
    gsl_vector *S = gsl_vector_alloc(cols);
    gsl_vector *work = gsl_vector_alloc(cols);
    int rc = 0;
    if (!A || !Q || !S || !work) {
        rc = ks_error_set(err, KS_EIO, "out of memory for the audit matrix (%zu x %zu)", rows, cols);
        goto done;
    }
    for (size_t l = 0; l < L; l++)
        for (size_t p = s->start[lines[l]]; p < s->start[lines[l] + 1]; p++)
            gsl_matrix_set(A, tall ? l : local[s->var[p]], tall ? local[s->var[p]] : l,
                           s->coef[p]);
    /* small blocks by one-sided Jacobi (accurate small singular values, which
     * is what a rank decision needs); large ones by Golub-Kahan, several times
     * faster, and the smallest non-zero singular value of these incidence
     * matrices (about 1/size) is still far above the tolerance */
    int grc = cols <= 256 ? gsl_linalg_SV_decomp_jacobi(A, Q, S)
                          : gsl_linalg_SV_decomp(A, Q, S, work);
    if (grc != 0) {
        rc = ks_error_set(err, KS_EIO, "singular value decomposition failed");
        goto done;
    }
    double smax = 0;
    for (size_t c = 0; c < cols; c++)
        smax = fmax(smax, gsl_vector_get(S, c));
    double tol = fmax(smax * (double)rows * DBL_EPSILON * 16, 1e-10);
    for (size_t c = 0; c < cols; c++)
        *rank += gsl_vector_get(S, c) > tol;
    /* The projection of e_v on the null space has squared length at least
     * about 1/(cycle length) when v is free, so 1e-8 separates cleanly. */
    for (size_t x = 0; x < n; x++) {
        size_t v = local[vars[x]];
        double null2 = 0, row2 = 0;
        for (size_t c = 0; c < cols; c++) {
            bool kept = gsl_vector_get(S, c) > tol;
            if (tall && !kept)
                null2 += gsl_matrix_get(Q, v, c) * gsl_matrix_get(Q, v, c);
            if (!tall && kept)
                row2 += gsl_matrix_get(A, v, c) * gsl_matrix_get(A, v, c);
        }
        if (!tall)
            null2 = 1 - row2;
        determined[vars[x]] = null2 < 1e-8;
    }
done:
    gsl_vector_free(work);
    gsl_vector_free(S);
    gsl_matrix_free(Q);
    gsl_matrix_free(A);
    return rc;
}

static size_t uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Fills determined[] for every variable.  The matrix is block diagonal over
 * the connected pieces of the table (lines sharing hidden cells), and an SVD
 * costs the cube of its size, so each piece is decomposed on its own. */
static int audit_rank(const eqsys *s, bool *determined, size_t *rank, ks_error *err)
{
    size_t L = s->nlines, n = s->nvar;
    *rank = 0;
    for (size_t v = 0; v < n; v++)
        determined[v] = false; /* a cell in no equation is free */
    if (n == 0 || L == 0)
        return 0;
    size_t *parent = ks_malloc(ks_mul(L, sizeof *parent));
    size_t *line_of = ks_malloc(ks_mul(n, sizeof *line_of)); /* some line of each var */
    size_t *local = ks_malloc(ks_mul(n, sizeof *local));
    size_t *lines = ks_malloc(ks_mul(L, sizeof *lines));
    size_t *vars = ks_malloc(ks_mul(n, sizeof *vars));
    for (size_t l = 0; l < L; l++)
        parent[l] = l;
    for (size_t v = 0; v < n; v++)
        line_of[v] = SIZE_MAX;
    for (size_t l = 0; l < L; l++) {
        for (size_t p = s->start[l]; p < s->start[l + 1]; p++) {
            size_t v = s->var[p];
            if (line_of[v] == SIZE_MAX)
                line_of[v] = l;
            else
                parent[uf_find(parent, l)] = uf_find(parent, line_of[v]);
        }
    }
    int rc = 0;
    for (size_t root = 0; root < L && rc == 0; root++) {
        if (uf_find(parent, root) != root)
            continue;
        size_t nl = 0, nv = 0;
        for (size_t l = 0; l < L; l++)
            if (uf_find(parent, l) == root)
                lines[nl++] = l;
        for (size_t v = 0; v < n; v++)
            if (line_of[v] != SIZE_MAX && uf_find(parent, line_of[v]) == root) {
                local[v] = nv;
                vars[nv++] = v;
            }
        rc = audit_block(s, lines, nl, vars, nv, local, determined, rank, err);
    }
    free(parent);
    free(line_of);
    free(local);
    free(lines);
    free(vars);
    return rc;
}

int ks_suppress_audit(const ks_table *t, ks_audit *a, ks_error *err)
{
    ks_audit_release(a);
    model m;
    model_init(&m, t);
    int rc = check_shape(&m, err);
    if (rc)
        return rc;
    eqsys s;
    eqsys_build(&s, &m);
    cellnet c;
    cellnet_build(&c, &m);
    size_t n = s.nvar ? s.nvar : 1;
    double *lo = ks_malloc(ks_mul(n, sizeof *lo)), *hi = ks_malloc(ks_mul(n, sizeof *hi));
    bool *det = ks_calloc(n, sizeof *det);
    if ((rc = audit_rank(&s, det, &a->rank, err)) != 0 ||
        (rc = cellnet_bounds(&c, lo, hi, err)) != 0)
        goto done;
    a->cells = ks_calloc(n, sizeof *a->cells);
    a->n = s.nvar;
    a->lines = s.nlines;
    for (size_t v = 0; v < s.nvar; v++) {
        ks_audit_cell *ac = &a->cells[v];
        ac->row = s.var_i[v];
        ac->col = s.var_j[v];
        ac->determined = det[v];
        ac->pinned = hi[v] - lo[v] < 0.5;
        ac->lo = lo[v];
        ac->hi = hi[v];
        a->determined += ac->determined;
        a->pinned += ac->pinned;
    }
done:
    free(lo);
    free(hi);
    free(det);
    cellnet_release(&c);
    eqsys_release(&s);
    return rc;
}

/* ---- the audit across linked tables ------------------------------------- */

/* Appends term (var, coef) to the merged system's current line. */
static void merged_term(eqsys *s, size_t var, int coef, size_t *cap)
{
    size_t pos = s->start[s->nlines + 1]++;
    if (pos >= *cap) {
        *cap = ks_mul(*cap ? *cap : 64, 2);
        s->var = ks_realloc(s->var, ks_mul(*cap, sizeof *s->var));
        s->coef = ks_realloc(s->coef, ks_mul(*cap, sizeof *s->coef));
    }
    s->var[pos] = var;
    s->coef[pos] = coef;
}

/* The variable of a hidden count cell, or SIZE_MAX for a published one. */
static size_t ref_var(const ks_table *const *tables, const size_t *offset, const eqsys *per, ks_cell_ref r)
{
    const ks_table *t = tables[r.table];
    const ks_cell *c = ks_table_cell(t, r.row, r.col);
    const ks_column *col = ks_table_column(t, r.col);
    if (!c || !col || !col->is_count || c->kind != KS_CELL_SUPPRESSED)
        return SIZE_MAX;
    const eqsys *e = &per[r.table];
    for (size_t v = 0; v < e->nvar; v++)
        if (e->var_i[v] == r.row && e->var_j[v] == r.col)
            return offset[r.table] + v;
    return SIZE_MAX;
}

/* One function, 78 lines: it builds one linear system (every table's lines,
 * then one row per link) over one numbering of the hidden cells, ranks it
 * and reads the answer back through the same numbering; the three steps
 * share the numbering and the matrix. */
int ks_suppress_audit_linked(const ks_table *const *tables, size_t ntables, const ks_table_link *links,
                             size_t nlinks, size_t *determined, ks_cell_ref *first, ks_error *err)
{
    *determined = 0;
    for (size_t l = 0; l < nlinks; l++) {
        const ks_table_link *k = &links[l];
        bool bad = k->whole.table >= ntables || k->nparts == 0;
        for (size_t p = 0; p < k->nparts; p++)
            bad = bad || k->parts[p].table >= ntables;
        if (bad)
            return ks_error_set(err, KS_EUSAGE, "link %zu names a table that is not in the result", l);
    }
    eqsys *per = ks_calloc(ntables ? ntables : 1, sizeof *per);
    size_t *offset = ks_calloc(ntables + 1, sizeof *offset);
    int rc = 0;
    size_t nlines = nlinks;
    for (size_t t = 0; t < ntables && rc == 0; t++) {
        model m;
        model_init(&m, tables[t]);
        if ((rc = check_shape(&m, err)))
            break;
        eqsys_build(&per[t], &m);
        offset[t + 1] = offset[t] + per[t].nvar;
        nlines += per[t].nlines;
    }
    eqsys s;
    memset(&s, 0, sizeof s);
    bool *det = NULL;
    if (rc)
        goto done;
    s.nvar = offset[ntables];
    s.var_i = ks_calloc(s.nvar ? s.nvar : 1, sizeof *s.var_i);
    s.var_j = ks_calloc(s.nvar ? s.nvar : 1, sizeof *s.var_j);
    s.start = ks_calloc(nlines + 2, sizeof *s.start);
    size_t cap = 0;
    for (size_t t = 0; t < ntables; t++) {
        for (size_t v = 0; v < per[t].nvar; v++) {
            s.var_i[offset[t] + v] = per[t].var_i[v];
            s.var_j[offset[t] + v] = per[t].var_j[v];
        }
        for (size_t l = 0; l < per[t].nlines; l++) {
            s.start[s.nlines + 1] = s.start[s.nlines];
            for (size_t p = per[t].start[l]; p < per[t].start[l + 1]; p++)
                merged_term(&s, offset[t] + per[t].var[p], per[t].coef[p], &cap);
            s.nlines++;
        }
    }
    /* a link is the equation whole - sum(parts) = 0 over its hidden cells;
     * one with none hidden says nothing about the unknowns */
    for (size_t l = 0; l < nlinks; l++) {
        const ks_table_link *k = &links[l];
        s.start[s.nlines + 1] = s.start[s.nlines];
        size_t v = ref_var(tables, offset, per, k->whole);
        if (v != SIZE_MAX)
            merged_term(&s, v, -1, &cap);
        for (size_t p = 0; p < k->nparts; p++)
            if ((v = ref_var(tables, offset, per, k->parts[p])) != SIZE_MAX)
                merged_term(&s, v, 1, &cap);
        if (s.start[s.nlines + 1] > s.start[s.nlines])
            s.nlines++;
    }
    det = ks_calloc(s.nvar ? s.nvar : 1, sizeof *det);
    size_t rank = 0;
    if ((rc = audit_rank(&s, det, &rank, err)))
        goto done;
    for (size_t t = 0; t < ntables; t++)
        for (size_t v = offset[t]; v < offset[t + 1]; v++)
            if (det[v]) {
                if (*determined == 0 && first)
                    *first = (ks_cell_ref){.table = t, .row = s.var_i[v], .col = s.var_j[v]};
                ++*determined;
            }
done:
    free(det);
    eqsys_release(&s);
    for (size_t t = 0; t < ntables; t++)
        eqsys_release(&per[t]);
    free(per);
    free(offset);
    return rc;
}
