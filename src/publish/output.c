/* output.c: the output options, and one table published in one step. */
#include "output.h"

#include <string.h>

#include "db.h"
#include "publish.h"
#include "write.h"

void ks_output_init(ks_output *o)
{
    memset(o, 0, sizeof *o);
    o->mode = "table";
    o->lang = KS_LANG_JA;
}

int ks_output_option(ks_output *o, int opt, const char *arg, ks_error *err)
{
    switch (opt) {
    case KS_OPT_FORMAT: {
        const ks_writer *w = ks_writer_find(arg);
        if (!w) {
            ks_buf names;
            ks_buf_init(&names);
            ks_writer_names(&names);
            ks_error_set(err, KS_EUSAGE, "unknown output format '%s' (%s)", arg, names.buf);
            ks_buf_release(&names);
            return -KS_EUSAGE;
        }
        o->mode = w->name;
        return 1;
    }
    case KS_OPT_OUT: o->out_path = arg; return 1;
    case KS_OPT_LANG:
        if (strcmp(arg, "ja") == 0)
            o->lang = KS_LANG_JA;
        else if (strcmp(arg, "en") == 0)
            o->lang = KS_LANG_EN;
        else
            return ks_error_set(err, KS_EUSAGE, "--lang takes ja or en");
        return 1;
    case KS_OPT_BOM: o->bom = true; return 1;
    case KS_OPT_COMMENTS: o->comments = true; return 1;
    default: return 0;
    }
}

/* A result of one table, through the one publish step; `adhoc`: the cell
 * key method whatever the database's method. */
static int output_one(const ks_output *o, sqlite3 *db, ks_table *t, bool adhoc, const char *excluded,
                      const char *const *notes, size_t n_notes, ks_error *err)
{
    ks_policy pol;
    int rc = ks_policy_load(db, &pol, err);
    if (rc)
        return rc;
    ks_result *r = ks_result_new(&pol);
    ks_policy_release(&pol);
    if (adhoc) {
        ks_result_adhoc(r);
        ks_result_groups_only(r);
    }
    if ((rc = ks_result_add(r, "result", NULL, t, excluded, notes, n_notes, NULL, err)) == 0)
        rc = ks_publish(r, o, 0, err);
    ks_result_free(r);
    return rc;
}

int ks_output_table(const ks_output *o, sqlite3 *db, ks_table *t, const char *excluded,
                    const char *const *notes, size_t n_notes, ks_error *err)
{
    return output_one(o, db, t, false, excluded, notes, n_notes, err);
}

int ks_output_table_adhoc(const ks_output *o, sqlite3 *db, ks_table *t, const char *excluded,
                          const char *const *notes, size_t n_notes, ks_error *err)
{
    return output_one(o, db, t, true, excluded, notes, n_notes, err);
}
