/* db.c: opening the analysis database, creating its schema, metadata. */
#include "db.h"
#include "audit.h"
#include "epoch.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codes.h"
#include "date.h"
#include "rkey.h"
#include "schema.sql.h"

int ks_db_exec(sqlite3 *db, const char *sql, ks_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = ks_error_set(err, KS_EIO, "database: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

int ks_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, ks_error *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    return 0;
}

int ks_db_has_table(sqlite3 *db, const char *schema, const char *name, const char *what, int *has,
                    ks_error *err)
{
    *has = 0;
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\".sqlite_master WHERE type = 'table' AND name = ?1",
             schema);
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *has = sqlite3_column_int(st, 0) > 0;
    else if (what)
        rc = ks_error_set(err, KS_EIO, "database: reading %s: %s", what, sqlite3_errmsg(db));
    else
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

int ks_db_meta_get(sqlite3 *db, const char *key, ks_buf *out, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, "SELECT value FROM meta WHERE key = ?1", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        ks_buf_reset(out);
        ks_buf_adds(out, (const char *)sqlite3_column_text(st, 0));
        rc = 1;
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}

int ks_db_meta_set(sqlite3 *db, const char *key, const char *value, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                               "ON CONFLICT(key) DO UPDATE SET value = excluded.value", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

int ks_db_meta_delete(sqlite3 *db, const char *key, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, "DELETE FROM meta WHERE key = ?1", &st, err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

int ks_db_threshold(sqlite3 *db, int *k, ks_error *err)
{
    ks_buf v;
    ks_buf_init(&v);
    int rc = ks_db_meta_get(db, "threshold", &v, err);
    *k = KS_DEFAULT_THRESHOLD;
    if (rc == 1) {
        /* kasane threshold writes KS_THRESHOLD_MIN..MAX only; anything else was written
         * around kasane.  Refused, not replaced by the default: a k of 1
         * would publish single cases, and a silent 5 for a hand-set 200
         * would publish counts the city meant to hide. */
        char *end = NULL;
        errno = 0;
        long x = strtol(v.buf, &end, 10);
        if (errno || end == v.buf || *end || x < KS_THRESHOLD_MIN || x > KS_THRESHOLD_MAX) {
            rc = ks_error_set(err, KS_ESAFETY,
                              "the database's threshold '%.20s' is not a whole number from %d to %d (written "
                              "around kasane?); the data officer sets it with 'kasane threshold --key KEY K'",
                              v.buf, KS_THRESHOLD_MIN, KS_THRESHOLD_MAX);
        } else {
            *k = (int)x;
            rc = 0;
        }
    }
    ks_buf_release(&v);
    return rc;
}

static int fill_codes(sqlite3 *db, ks_code_kind kind, ks_error *err)
{
    char sql[256];
    const char *table = ks_code_kind_table(kind);
    if (kind == KS_CODE_PROBLEM)
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO %s VALUES(?1, ?2, ?3, ?4, ?5)", table);
    else
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO %s VALUES(?1, ?2, ?3, ?4)", table);
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, sql, &st, err);
    if (rc)
        return rc;
    size_t n;
    const ks_code *c = ks_codes(kind, &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        sqlite3_bind_int(st, 1, c[i].id);
        sqlite3_bind_text(st, 2, c[i].code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c[i].label_ja, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c[i].label_en, -1, SQLITE_STATIC);
        if (kind == KS_CODE_PROBLEM)
            sqlite3_bind_int(st, 5, c[i].field);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int fill_age_bands(sqlite3 *db, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, "INSERT OR REPLACE INTO age_band VALUES(?1, ?2, ?3, ?4, ?5, ?6)", &st, err);
    for (int b = 0; rc == 0 && b < KS_AGE_BANDS; b++) {
        const char *label = ks_age_band_label(b);
        char ja[32];
        int lo = b * 5;
        if (b == KS_AGE_BANDS - 1)
            snprintf(ja, sizeof ja, "%d歳以上", lo);
        else
            snprintf(ja, sizeof ja, "%d〜%d歳", lo, lo + 4);
        sqlite3_bind_int(st, 1, b + 1); /* 1-based like every other code table */
        sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ja, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, label, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, lo);
        if (b == KS_AGE_BANDS - 1)
            sqlite3_bind_null(st, 6);
        else
            sqlite3_bind_int(st, 6, lo + 4);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

int ks_db_create_schema(sqlite3 *db, ks_error *err)
{
    int rc = ks_db_exec(db, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    rc = ks_db_exec(db, ks_schema_sql, err);
    if (!rc)
        rc = ks_db_exec(db, ks_index_sql, err);
    if (!rc)
        rc = ks_db_exec(db, ks_view_sql, err);
    for (int k = 0; !rc && k < KS_CODE_KIND_COUNT; k++)
        rc = fill_codes(db, (ks_code_kind)k, err);
    if (!rc)
        rc = fill_age_bands(db, err);
    if (!rc) {
        ks_buf v;
        ks_buf_init(&v);
        rc = ks_db_meta_get(db, "schema_version", &v, err);
        if (rc == 0) {
            char num[16];
            snprintf(num, sizeof num, "%d", KS_SCHEMA_VERSION);
            rc = ks_db_meta_set(db, "schema_version", num, err);
            if (!rc)
                rc = ks_db_meta_set(db, "threshold", "5", err);
        } else if (rc == 1) {
            rc = 0;
        }
        ks_buf_release(&v);
    }
    if (!rc)
        rc = ks_db_exec(db, "COMMIT", err);
    else
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int ks_db_drop_indexes(sqlite3 *db, ks_error *err) { return ks_db_exec(db, ks_drop_index_sql, err); }
/* CREATE INDEX sorts every row with SQLite's sorter, whose in-memory runs
 * are as large as the page cache allows: a run that fits in the CPU's cache
 * sorts without a cache miss per comparison, and the runs are then merged
 * sequentially.  With a 2-4 MiB cache the three indexes over 1M cases built
 * in 1.25-1.45 s against 2.4 s with the writers' 32 MiB (bench/README.md);
 * the build only appends to the new index B-trees, which needs no cache. */
int ks_db_build_indexes(sqlite3 *db, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, "PRAGMA cache_size", &st, err);
    if (rc)
        return rc;
    int64_t cache = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -2000;
    sqlite3_finalize(st);
    rc = ks_db_exec(db, "PRAGMA cache_size = -3072", err);
    if (!rc)
        rc = ks_db_exec(db, ks_index_sql, err);
    char restore[64];
    snprintf(restore, sizeof restore, "PRAGMA cache_size = %lld", (long long)cache);
    int rc2 = ks_db_exec(db, restore, rc ? NULL : err);
    return rc ? rc : rc2;
}

/* Compares one profile table row by row with what the database holds; fills
 * it when empty. */
static int bind_rows(sqlite3 *db, const char *table, const char *id_col, int id, const char *code,
                     const char *ja, const char *en, int field, int kind, int listed, ks_error *err)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT code FROM %s WHERE %s = ?1", table, id_col);
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *have = (const char *)sqlite3_column_text(st, 0);
        if (!have || strcmp(have, code) != 0)
            rc = ks_error_set(err, KS_ESAFETY,
                              "the database's %s %d is '%s' but the profile now says '%s'; "
                              "a profile may only gain entries at its end",
                              table, id, have ? have : "", code);
        sqlite3_finalize(st);
        return rc;
    }
    if (step != SQLITE_DONE) {
        /* a failed read is not "absent": inserting then would report a
         * UNIQUE violation for what was a disk error (t0140's sweep) */
        rc = ks_error_set(err, KS_EIO, "database: reading its %s table: %s", table, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    if (strcmp(table, "partner") == 0)
        snprintf(sql, sizeof sql, "INSERT INTO partner VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    else
        snprintf(sql, sizeof sql, "INSERT INTO %s VALUES(?1, ?2, ?3, ?4)", table);
    rc = ks_db_prepare(db, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, id);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ja, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, en, -1, SQLITE_STATIC);
    if (strcmp(table, "partner") == 0) {
        if (field)
            sqlite3_bind_int(st, 5, field);
        if (kind)
            sqlite3_bind_int(st, 6, kind);
        sqlite3_bind_int(st, 7, listed);
    }
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

int ks_db_bind_profile(sqlite3 *db, const ks_profile *p, ks_error *err)
{
    ks_buf v;
    ks_buf_init(&v);
    int rc = ks_db_meta_get(db, "profile", &v, err);
    if (rc == 1 && strcmp(v.buf, ks_profile_name(p)) != 0) {
        rc = ks_error_set(err, KS_ESAFETY, "this database holds '%s' data; it cannot take an import "
                          "with profile '%s'", v.buf, ks_profile_name(p));
        goto done;
    }
    if (rc == 0)
        rc = ks_db_meta_set(db, "profile", ks_profile_name(p), err);
    if (rc < 0)
        goto done;
    rc = 0;
    size_t nd, np;
    const ks_district *d = ks_profile_districts(p, &nd);
    for (size_t i = 0; i < nd && !rc; i++)
        rc = bind_rows(db, "district", "district_id", d[i].id, d[i].name_en, d[i].name_ja,
                       d[i].name_en, 0, 0, 1, err);
    if (!rc)
        rc = bind_rows(db, "partner", "partner_id", 0, "unlisted", "未登録の連携先",
                       "unlisted partner", 0, 0, 0, err);
    const ks_partner *pt = ks_profile_partners(p, &np);
    if (np > 62) /* partner ids are bits of case_record.partner_mask (bit 0 = unlisted) */
        rc = ks_error_set(err, KS_EUSAGE, "profile '%s' lists %zu partners; at most 62 are supported",
                          ks_profile_name(p), np);
    for (size_t i = 0; i < np && !rc; i++)
        rc = bind_rows(db, "partner", "partner_id", pt[i].id, pt[i].code, pt[i].name_ja,
                       pt[i].name_en, pt[i].field, pt[i].kind, 1, err);
done:
    ks_buf_release(&v);
    return rc;
}

/* A database readable by others defeats every other protection: tighten it. */
static void tighten_mode(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && (sb.st_mode & 077)) {
        ks_warn("database '%s' was readable by group or others; setting mode 0600", path);
        chmod(path, 0600);
    }
}

/* Schema 1 -> 2: the stored case_problem, case_support and case_partner
 * tables become views over the masks they were filled from (schema.sql.h).
 * One transaction; secure_delete zeroes the freed pages. */
static int upgrade_1(sqlite3 *db, const char *path, ks_error *err)
{
    int rc = ks_db_exec(db, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    if (!(rc = ks_db_exec(db, ks_upgrade_1_sql, err)) && !(rc = ks_db_exec(db, ks_view_sql, err)) &&
        !(rc = ks_db_meta_set(db, "schema_version", "2", err)))
        rc = ks_db_exec(db, "COMMIT", err);
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        ks_error_prefix(err, "upgrading '%s' to schema 2: ", path);
        return rc;
    }
    ks_warn("upgraded '%s' to schema 2 (case_problem, case_support and case_partner are now views)", path);
    return 0;
}

/* Schema 2 -> 3: the row hashes of schema 1 and 2 were an unkeyed SipHash of
 * the whole record, exact age included, so trying the ages of a case's band
 * against it gave the exact age (issue 9).  They are zeroed here, where no
 * key is at hand; the next import or threshold recomputes them from the
 * stored values under the key (meta row_hash_pending, ks_loader_rehash).
 * secure_delete is on, and the checkpoint copies the rewritten pages over
 * the old ones in the main file and empties the WAL, so the old hashes are
 * gone from the file, not only from the table. */
static int upgrade_2(sqlite3 *db, const char *path, ks_error *err)
{
    char num[16];
    snprintf(num, sizeof num, "%d", 3);
    int rc = ks_db_exec(db, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    if (!(rc = ks_db_exec(db, "UPDATE case_record SET row_hash = zeroblob(16)", err)) &&
        !(rc = ks_db_meta_set(db, "row_hash_pending", "1", err)) &&
        !(rc = ks_db_meta_set(db, "schema_version", num, err)))
        rc = ks_db_exec(db, "COMMIT", err);
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        ks_error_prefix(err, "upgrading '%s' to schema %d: ", path, 3);
        return rc;
    }
    int busy = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        busy = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    ks_warn("upgraded '%s' to schema %d: its row hashes, which let a reader of the file test exact ages, "
            "are erased%s; the next import recomputes them with the key", path, 3,
            busy ? " (a reader kept the old pages in the file until the next checkpoint)" : "");
    return 0;
}

/* One schema step in one transaction: the schema's new tables (ks_schema_sql
 * creates only what is missing), fill() for what they need from the rows
 * already held, an audit row when `audit` is given (from schema 5 on), and
 * the version; on failure all of it is rolled back. */
static int upgrade_step(sqlite3 *db, const char *path, int to, int (*fill)(sqlite3 *, void *, ks_error *),
                        void *ctx, const char *audit, ks_error *err)
{
    int rc = ks_db_exec(db, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    char version[16];
    snprintf(version, sizeof version, "%d", to);
    if (!(rc = ks_db_exec(db, ks_schema_sql, err)) && !(rc = fill(db, ctx, err)) &&
        (!audit || !(rc = ks_audit_add(db, "upgrade", NULL, audit, err))) &&
        !(rc = ks_db_meta_set(db, "schema_version", version, err)))
        rc = ks_db_exec(db, "COMMIT", err);
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return ks_error_prefix(err, "upgrading '%s' to schema %d: ", path, to);
    }
    return 0;
}

static int fill_rkeys(sqlite3 *db, void *added, ks_error *err)
{
    return ks_rkey_assign(db, added, err);
}

static int fill_audit(sqlite3 *db, void *unused, ks_error *err)
{
    (void)unused;
    return ks_audit_backfill(db, err);
}

static int fill_epochs(sqlite3 *db, void *unused, ks_error *err)
{
    (void)unused;
    return ks_epoch_backfill(db, err);
}

/* Schema 3 -> 4: the record keys of the cell key method (rkey.h), one per
 * case, person and household already held, drawn here (no key file is
 * needed: they come from the CSPRNG, not from the data). */
static int upgrade_3(sqlite3 *db, const char *path, ks_error *err)
{
    int64_t n = 0;
    int rc = upgrade_step(db, path, 4, fill_rkeys, &n, NULL, err);
    if (rc == 0)
        ks_warn("upgraded '%s' to schema 4: %" PRId64 " record keys for the cell key method", path, n);
    return rc;
}

/* Schema 4 -> 5: the audit table (audit.h), with a row for every earlier
 * import from import_batch. */
static int upgrade_4(sqlite3 *db, const char *path, ks_error *err)
{
    int rc = upgrade_step(db, path, 5, fill_audit, NULL,
                          "schema 4 -> 5: the audit table; earlier imports from import_batch", err);
    if (rc == 0)
        ks_warn("upgraded '%s' to schema 5: the audit table (kasane audit)", path);
    return rc;
}

/* Schema 5 -> 6: the key's epochs (epoch.h), epoch 0 being the key the
 * database was built with. */
static int upgrade_5(sqlite3 *db, const char *path, ks_error *err)
{
    int rc = upgrade_step(db, path, 6, fill_epochs, NULL,
                          "schema 5 -> 6: the key's epochs (kasane rekey); epoch 0 is the key the database was "
                          "built with", err);
    if (rc == 0)
        ks_warn("upgraded '%s' to schema 6: the key's epochs (kasane rekey)", path);
    return rc;
}

/* ---- looking before touching (issue 10) ---- */

/* Why a directory cannot be written, or 0 when it can: a WAL database needs
 * its -wal and -shm beside it, so a writer (and a reader without an -shm)
 * needs the directory.  Access is asked for the effective user, so root's
 * answer is yes except on a read-only file system. */
static int dir_unwritable(const char *path)
{
    char *copy = ks_strdup(path);
    int e = faccessat(AT_FDCWD, dirname(copy), W_OK | X_OK, AT_EACCESS) == 0 ? 0 : errno;
    free(copy);
    return e;
}

static const char *access_why(int e)
{
    return e == EROFS ? "it is on a read-only file system" : e == EACCES || e == EPERM ? "this user may not write it"
                                                                                       : strerror(e);
}

/* The probe's first look, without SQLite: a regular file, not empty, that
 * starts with SQLite's header. */
static int probe_header(const char *path, const struct stat *sb, ks_error *err)
{
    if (!S_ISREG(sb->st_mode))
        return ks_error_set(err, KS_EUSAGE, "'%s' is not a regular file, so not a kasane database", path);
    if (sb->st_size == 0)
        return ks_error_set(err, KS_EUSAGE, "'%s' is an empty file, not a kasane database; nothing was written "
                            "to it (remove it, or give another --db)", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return ks_error_set(err, KS_EIO, "cannot read database '%s': %s", path,
                            errno == EACCES ? "permission denied (this user may not read it)" : strerror(errno));
    char head[16];
    ssize_t got = read(fd, head, sizeof head);
    int e = errno;
    close(fd);
    if (got < 0)
        return ks_error_set(err, KS_EIO, "cannot read database '%s': %s", path, strerror(e));
    if (got < (ssize_t)sizeof head || memcmp(head, "SQLite format 3", 16) != 0)
        return ks_error_set(err, KS_EUSAGE, "'%s' is not an SQLite database, so not a kasane database; "
                            "nothing was written to it", path);
    return 0;
}

/* A writer needs the file and its directory (for the -wal and -shm): said
 * before SQLite opens anything, which would otherwise create an -shm it then
 * cannot use and say only "unable to open".  rdir: dir_unwritable(path). */
static int probe_writable(const char *path, int rdir, ks_error *err)
{
    if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0)
        return ks_error_set(err, KS_EIO, "database '%s' cannot be written: %s", path, access_why(errno));
    if (rdir) {
        char *copy = ks_strdup(path);
        int rc = ks_error_set(err, KS_EIO, "database '%s' cannot be written: its directory '%s' cannot be "
                              "written (%s), and a writer needs to create the database's -wal and -shm "
                              "files there", path, dirname(copy), access_why(rdir));
        free(copy);
        return rc;
    }
    return 0;
}

/* The refusal for an SQLite result src (xsrc: its extended code) that is
 * not a row of kasane's meta table: which case it is, in words. */
static int probe_refusal(const char *path, sqlite3 *db, int src, int xsrc, int rdir, ks_error *err)
{
    if (src == SQLITE_DONE)
        return ks_error_set(err, KS_EUSAGE, "'%s' is an SQLite database, but not a kasane database (its meta "
                            "table has no schema_version); nothing was written to it", path);
    if ((src & 0xff) == SQLITE_ERROR && strstr(sqlite3_errmsg(db), "no such table"))
        return ks_error_set(err, KS_EUSAGE, "'%s' is an SQLite database, but not a kasane database (it has no "
                            "meta table); nothing was written to it", path);
    if ((src & 0xff) == SQLITE_CORRUPT || (src & 0xff) == SQLITE_NOTADB)
        return ks_error_set(err, KS_EIO, "database '%s' is damaged: SQLite says \"%s\"; nothing was written to "
                            "it (restore it from a backup)", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
    if ((src & 0xff) == SQLITE_BUSY)
        return ks_error_set(err, KS_EIO, "database '%s' stayed locked by another program for 10 s", path);
    if (rdir && ((src & 0xff) == SQLITE_CANTOPEN || (xsrc & 0xff) == SQLITE_READONLY ||
                 (src & 0xff) == SQLITE_IOERR)) {
        char *copy = ks_strdup(path);
        int rc = ks_error_set(err, KS_EIO, "cannot read database '%s': its directory '%s' cannot be written "
                              "(%s), and SQLite needs to create the database's -shm file there", path,
                              dirname(copy), access_why(rdir));
        free(copy);
        return rc;
    }
    return ks_error_set(err, KS_EIO, "cannot read database '%s': SQLite says \"%s\"", path,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
}

/* The schema version in kasane's meta table, read through SQLite. */
static int probe_meta(const char *path, ks_db_mode mode, int rdir, ks_error *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    /* A writer's probe opens read-write (never creating) and only reads:
     * being the last connection to a WAL database, it then removes the -wal
     * and -shm that opening made, where a read-only one would leave them
     * beside a file it is about to refuse.  A read is a read: no page of
     * the file is written either way. */
    int rc = 0, src = sqlite3_open_v2(path, &db,
                                      (mode == KS_DB_READ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                                          SQLITE_OPEN_NOMUTEX,
                                      NULL);
    if (src == SQLITE_OK) {
        sqlite3_busy_timeout(db, 10000);
        src = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, NULL);
        if (src == SQLITE_OK)
            src = sqlite3_step(st);
    }
    int xsrc = db ? sqlite3_extended_errcode(db) : src;
    if (src == SQLITE_ROW) {
        int version = atoi((const char *)sqlite3_column_text(st, 0));
        if (version < 1)
            rc = ks_error_set(err, KS_EUSAGE, "'%s' is an SQLite database whose meta table is not kasane's "
                              "(schema_version '%s'); nothing was written to it", path,
                              (const char *)sqlite3_column_text(st, 0));
        else if (version > KS_SCHEMA_VERSION)
            rc = ks_error_set(err, KS_EUSAGE, "database '%s' has schema version %d, from a newer kasane (this "
                              "one reads 1 to %d); nothing was written to it: use the newer kasane", path,
                              version, KS_SCHEMA_VERSION);
    } else {
        rc = probe_refusal(path, db, src, xsrc, rdir, err);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* Looks at an existing file before anything opens it for writing: a
 * regular file that starts with SQLite's header, that SQLite can read, with
 * kasane's meta table and a schema version this kasane knows; for writing,
 * one that the user can write, in a directory the user can write.  Each
 * refusal says which case it is, and nothing is written to the file — a
 * file that is not ours (another application's SQLite file, an empty file,
 * a database from a newer kasane) stays byte for byte as it was. */
static int probe(const char *path, const struct stat *sb, ks_db_mode mode, ks_error *err)
{
    int rc = probe_header(path, sb, err);
    if (rc)
        return rc;
    int rdir = dir_unwritable(path);
    if (mode != KS_DB_READ && (rc = probe_writable(path, rdir, err)))
        return rc;
    return probe_meta(path, mode, rdir, err);
}

/* The connection's settings for its mode. */
static int db_settings(sqlite3 *db, const char *path, ks_db_mode mode, ks_error *err)
{
    int rc;
    if (mode == KS_DB_BUILD) {
        /* Nobody else may see this file until it is renamed into place, and
         * a failed build is deleted, not rolled back: a journal would only
         * write every page twice.  secure_delete as for any writer.  8 KiB
         * pages (set before the first table, so for good): the 1M-row import
         * took 3.6 s instead of 3.8 s with 4 KiB ones, and the library's
         * queries as long or a little less (bench/README.md). */
        rc = ks_db_exec(db, "PRAGMA page_size = 8192; "
                            "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = OFF; "
                            "PRAGMA synchronous = OFF; PRAGMA secure_delete = ON; "
                            "PRAGMA foreign_keys = OFF;", err);
        if (rc)
            return rc;
    } else if (mode != KS_DB_READ) {
        tighten_mode(path);
        /* WAL lets analysts read while an import runs; secure_delete zeroes
         * freed pages so that a deleted value leaves no trace in the file. */
        rc = ks_db_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                            "PRAGMA secure_delete = ON; PRAGMA foreign_keys = OFF;", err);
        if (rc)
            return rc;
    }
    /* temp_store stays at its default (file): SQLite's in-memory sorter was
     * measured 2.4x slower on a 1M-row GROUP BY (bench/queries.md).  What a
     * sort may spill to an unlinked temporary file is what the database
     * holds — codes, dates, pseudonym prefixes — never an identifier, which
     * never reaches SQLite.  Writers get a 32 MiB page cache (the upgrades and
     * threshold's rehash; an import into a database that holds cases sets
     * 8 MiB itself, since it finds most rows by the next case id: load.c
     * and bench/README.md, "Re-import"); a new database's build
     * only appends, and was as fast with 2, 8 or 32 MiB: it gets 8 MiB, which
     * is 30 MB less peak memory.  Readers keep the default, since their scans
     * are sequential. */
    if (mode != KS_DB_READ && (rc = ks_db_exec(db, mode == KS_DB_BUILD ? "PRAGMA cache_size = -8192;"
                                                                      : "PRAGMA cache_size = -32768;", err)))
        return rc;
    /* Let SQLite's sorter use helper threads: building the three indexes
     * after a 1M-row import went from 4.9 s to 3.3 s with two. */
    return ks_db_exec(db, "PRAGMA threads = 2;", err);
}

/* The schema version: a writer upgrades an older one, a reader reads it as
 * it is. */
static int db_version(sqlite3 *db, const char *path, ks_db_mode mode, ks_error *err)
{
    ks_buf v;
    ks_buf_init(&v);
    int rc = ks_db_meta_get(db, "schema_version", &v, NULL);
    if (rc != 1) {
        ks_buf_release(&v);
        /* a read error is not "not a kasane database": the file may be fine
         * and the disk failing (t0140) */
        int code = sqlite3_errcode(db) & 0xff;
        if (rc < 0 && (code == SQLITE_IOERR || code == SQLITE_CORRUPT || code == SQLITE_NOMEM || code == SQLITE_FULL))
            return ks_error_set(err, KS_EIO, "database '%s': reading its schema version: %s", path,
                                sqlite3_errmsg(db));
        return ks_error_set(err, KS_EUSAGE, "'%s' is not a kasane database", path);
    }
    int version = atoi(v.buf);
    ks_buf_release(&v);
    if (version >= 1 && version < KS_SCHEMA_VERSION && mode != KS_DB_READ) {
        if ((version == 1 && (rc = upgrade_1(db, path, err))) || (version <= 2 && (rc = upgrade_2(db, path, err))) ||
            (version <= 3 && (rc = upgrade_3(db, path, err))) || (version <= 4 && (rc = upgrade_4(db, path, err))) ||
            (rc = upgrade_5(db, path, err)))
            return rc;
    } else if (version >= 3 && version <= 5) {
        /* read as it is: only the record keys (3), the audit table (4) or
         * the key's epochs (5) are missing, which nothing reads until a
         * cell-keyed output, `kasane audit` or a rekey (each says so then
         * or upgrades first) */
    } else if (version >= 1 && version < KS_SCHEMA_VERSION) {
        /* read as it is: version 1's tables hold the same rows as the views
         * that replace them, and no reader uses the row hash */
        ks_warn("database '%s' has schema %d, whose row hashes let a reader of the file test exact ages; "
                "the next import or threshold upgrades it", path, version);
    } else if (version != KS_SCHEMA_VERSION) {
        return ks_error_set(err, KS_EUSAGE, "database '%s' has schema version %d; this kasane reads 1 to %d",
                            path, version, KS_SCHEMA_VERSION);
    }
    return 0;
}

int ks_db_open(const char *path, ks_db_mode mode, sqlite3 **out, ks_error *err)
{
    *out = NULL;
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (!exists && mode != KS_DB_CREATE)
        return ks_error_set(err, KS_EUSAGE, "database '%s' does not exist; create it with 'kasane import'",
                            path);
    int flags = mode == KS_DB_READ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (mode == KS_DB_CREATE)
        flags |= SQLITE_OPEN_CREATE;
    if (mode == KS_DB_BUILD && (!exists || sb.st_size != 0))
        return ks_error_set(err, KS_EUSAGE, "'%s' is not an empty staging file", path);
    int rc = 0;
    if (exists && mode != KS_DB_BUILD && (rc = probe(path, &sb, mode, err)))
        return rc;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = ks_error_set(err, KS_EIO, "cannot open database '%s': %s", path,
                          db ? sqlite3_errmsg(db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    if ((rc = db_settings(db, path, mode, err)))
        goto fail;
    if (((mode == KS_DB_CREATE && !exists) || mode == KS_DB_BUILD) && (rc = ks_db_create_schema(db, err)))
        goto fail;
    if ((rc = db_version(db, path, mode, err)))
        goto fail;
    *out = db;
    return 0;
fail:
    sqlite3_close(db);
    return rc;
}

int ks_db_error_name(const char *db_path, ks_error *err)
{
    static const char lead[] = "database: ";
    if (!err || !db_path || strncmp(err->msg, lead, sizeof lead - 1) != 0)
        return 0;
    size_t rest = strlen(err->msg + sizeof lead - 1);
    memmove(err->msg, err->msg + sizeof lead - 1, rest + 1);
    ks_error_prefix(err, "database '%s': ", db_path);
    return 1;
}

void ks_db_close(sqlite3 *db)
{
    if (db)
        sqlite3_close(db);
}

const char *ks_db_temp_view_sql(void) { return ks_temp_view_sql; }

/* ---- building a new database (db.h) ---- */

static void build_release(ks_db_build *b)
{
    if (b->lock_fd >= 0)
        close(b->lock_fd);
    b->lock_fd = -1;
    free(b->final_path);
    free(b->tmp_path);
    b->final_path = b->tmp_path = NULL;
}

/* Removes the staging file's -journal, -wal and -shm (and with `self`, the
 * staging file itself). */
static void unlink_staging(const ks_db_build *b, int self)
{
    static const char *const suffix[] = {"-journal", "-wal", "-shm", ""};
    ks_buf t;
    ks_buf_init(&t);
    for (size_t i = 0; i < KS_ARRAY_LEN(suffix) - (self ? 0 : 1); i++) {
        ks_buf_reset(&t);
        ks_buf_addf(&t, "%s%s", b->tmp_path, suffix[i]);
        unlink(t.buf);
    }
    ks_buf_release(&t);
}

/* Closes *db and opens the locked staging file again, emptied: whatever it
 * held was left by an import that died before publishing, or by this one
 * starting over. */
static int build_reset(ks_db_build *b, sqlite3 **db, ks_error *err)
{
    if (*db)
        sqlite3_close(*db);
    *db = NULL;
    if (ftruncate(b->lock_fd, 0) != 0)
        return ks_error_set(err, KS_EIO, "cannot truncate '%s': %s", b->tmp_path, strerror(errno));
    unlink_staging(b, 0);
    return ks_db_open(b->tmp_path, KS_DB_BUILD, db, err);
}

/* Whether the staging file open on fd is ours to build in, made 0600 and
 * locked; a refusal says why. */
static int staging_claim(int fd, const char *final_path, const char *tmp_path, ks_error *err)
{
    struct stat sb;
    const char *why = NULL;
    if (fstat(fd, &sb) != 0)
        why = strerror(errno);
    else if (!S_ISREG(sb.st_mode))
        why = "it is not a regular file";
    else if (sb.st_uid != geteuid())
        why = "it belongs to another user";
    else if (sb.st_nlink != 1)
        why = "it has other links (hard links) to it";
    if (why)
        return ks_error_set(err, KS_ESAFETY, "'%s' is already there and %s: kasane did not make it, so it "
                            "will not build the database in it; nothing was imported (remove it, and check "
                            "who can write in that directory)", tmp_path, why);
    if (fchmod(fd, 0600) != 0)
        return ks_error_set(err, KS_EIO, "cannot set mode 0600 on '%s': %s", tmp_path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0)
        return errno == EWOULDBLOCK
                   ? ks_error_set(err, KS_EUSAGE, "another import is creating '%s' right now (it holds '%s'); "
                                                  "wait for it to finish, then import into the database it made",
                                  final_path, tmp_path)
                   : ks_error_set(err, KS_EIO, "cannot lock '%s': %s", tmp_path, strerror(errno));
    return 0;
}

int ks_db_build_open(const char *final_path, ks_db_build *b, sqlite3 **db, ks_error *err)
{
    *db = NULL;
    b->lock_fd = -1;
    b->final_path = ks_strdup(final_path);
    ks_buf t;
    ks_buf_init(&t);
    ks_buf_addf(&t, "%s.importing", final_path);
    b->tmp_path = ks_buf_detach(&t, NULL);

    /* Created here (O_EXCL), or one a killed import left behind — which must
     * then be ours alone: in a directory others can write, a file planted
     * beforehand (another user's, mode 0666, or a second link to a file of
     * theirs) would otherwise be filled with the database and renamed into
     * place, theirs to read and to change (issue 10). */
    int fd = open(b->tmp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST)
        fd = open(b->tmp_path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        int rc = ks_error_set(err, KS_EIO, "cannot create '%s': %s", b->tmp_path,
                              errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        build_release(b);
        return rc;
    }
    int rc = staging_claim(fd, final_path, b->tmp_path, err);
    if (rc) {
        close(fd);
        build_release(b); /* not ours, or someone else's import's: leave it */
        return rc;
    }
    b->lock_fd = fd;
    rc = build_reset(b, db, err);
    if (rc)
        ks_db_build_abandon(b, db);
    return rc;
}

int ks_db_build_restart(ks_db_build *b, sqlite3 **db, ks_error *err) { return build_reset(b, db, err); }

void ks_db_build_abandon(ks_db_build *b, sqlite3 **db)
{
    if (*db)
        sqlite3_close(*db);
    *db = NULL;
    if (b->tmp_path)
        unlink_staging(b, 1);
    build_release(b); /* unlinked first, unlocked after: no one can take it over half-gone */
}

void ks_db_build_writeback(const ks_db_build *b)
{
    /* Asks the kernel to start writing what SQLite has handed it so far, in
     * the background: the fsync at publish then waits only for the rest. */
    if (b->lock_fd >= 0)
        (void)sync_file_range(b->lock_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

/* Makes the directory entry of a rename durable. */
static int fsync_dir_of(const char *path)
{
    char *copy = ks_strdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int ks_db_build_publish(ks_db_build *b, sqlite3 **db, ks_error *err)
{
    int rc = 0;
    /* The file is read in WAL mode from now on, like every kasane database
     * (analysts read while later imports write).  Switching from no journal
     * writes only the header; closing the connection folds the tiny WAL of
     * that change back and removes it. */
    if ((rc = ks_db_exec(*db, "PRAGMA journal_mode = WAL", err)))
        goto fail;
    if (sqlite3_close(*db) != SQLITE_OK) {
        rc = ks_error_set(err, KS_EIO, "cannot close '%s': %s", b->tmp_path, sqlite3_errmsg(*db));
        goto fail;
    }
    *db = NULL;
    if (fsync(b->lock_fd) != 0) {
        rc = ks_error_set(err, KS_EIO, "cannot write '%s' to disk: %s", b->tmp_path, strerror(errno));
        goto fail;
    }
    /* Never replaces: a database that appeared at the final path while this
     * one was built (another tool, a user) is not ours to overwrite. */
    if (renameat2(AT_FDCWD, b->tmp_path, AT_FDCWD, b->final_path, RENAME_NOREPLACE) != 0) {
        int e = errno;
        if (e == EINVAL || e == ENOSYS) { /* a file system without RENAME_NOREPLACE */
            if (link(b->tmp_path, b->final_path) == 0) {
                unlink(b->tmp_path);
                e = 0;
            } else {
                e = errno;
            }
        }
        if (e) {
            rc = e == EEXIST ? ks_error_set(err, KS_EUSAGE, "'%s' appeared while this import was building it; "
                                                             "nothing was imported: import again to add to it",
                                            b->final_path)
                             : ks_error_set(err, KS_EIO, "cannot rename '%s' to '%s': %s", b->tmp_path,
                                            b->final_path, strerror(e));
            goto fail;
        }
    }
    if (fsync_dir_of(b->final_path) != 0)
        ks_warn("could not flush the directory of '%s' to disk: %s", b->final_path, strerror(errno));
    build_release(b);
    return 0;
fail:
    ks_db_build_abandon(b, db);
    return rc;
}
