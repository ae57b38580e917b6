/* db.h: the analytic SQLite database — opening it safely, its schema, its
 * metadata.  The schema is documented in README.md ("The database").
 *
 * Files: the database, its -wal and -shm are created with mode 0600 (the
 * process umask is 077, set in main), and opening a database for writing that
 * group or others can read tightens it to 0600 with a warning. */
#ifndef KASANE_DB_H
#define KASANE_DB_H

#include <sqlite3.h>
#include <stdbool.h>

#include "profile.h"
#include "util.h"

/* Schema 2: case_problem, case_support, case_partner are views over the
 * case masks (schema 1 stored them).  Schema 3: case_record.row_hash is
 * keyed and covers only stored values (load.h); the hashes of schema 1 and
 * 2 were an unkeyed hash of the exact age, so opening one for writing zeroes
 * them, marks the database with meta "row_hash_pending" and checkpoints, and
 * the next import or threshold, which have the key, recomputes them
 * (ks_loader_rehash).  Schema 4: record keys; 5: the audit table; 6: the
 * key's epochs (epoch.h).  Reading an older database works and warns. */
enum { KS_SCHEMA_VERSION = 6, KS_DEFAULT_THRESHOLD = 5 };
/* The thresholds k that kasane threshold sets and a database may hold. */
enum { KS_THRESHOLD_MIN = 2, KS_THRESHOLD_MAX = 100 };

typedef enum ks_db_mode {
    KS_DB_READ,   /* read-only; the file must exist */
    KS_DB_WRITE,  /* read-write; the file must exist and be a kasane database */
    KS_DB_CREATE, /* read-write; created (with the schema) when missing */
    KS_DB_BUILD,  /* a new database written into an empty file by one import:
                   * no journal, exclusive lock (see ks_db_build_open) */
} ks_db_mode;

/* Opens `path`, sets WAL mode and the pragmas kasane relies on, and checks
 * the schema version.  *out is NULL on failure. */
int ks_db_open(const char *path, ks_db_mode mode, sqlite3 **out, ks_error *err);
void ks_db_close(sqlite3 *db);

/* Building a new database.  An import into a path where no database exists
 * writes it to "<path>.importing" with no journal and renames it into place
 * once complete: nothing is written twice (a WAL would hold every page once
 * more), and the database appears whole or not at all.  The staging file is
 * held with flock(2) while it is built, so a second import creating the same
 * database is refused, and the file a killed import left behind is
 * recognised as stale (nobody holds it) and replaced.
 *
 *   ks_db_build_open     creates the staging file and opens it (*db)
 *   ks_db_build_publish  closes *db, switches the file to WAL mode, makes it
 *                        durable (fsync) and renames it to the final path —
 *                        refusing if a database appeared there meanwhile
 *   ks_db_build_abandon  closes *db and removes the staging file
 *   ks_db_build_restart  closes *db and starts the staging file afresh
 * Exactly one of publish and abandon ends a build that opened. */
typedef struct ks_db_build {
    char *final_path;    /* where the database appears */
    char *tmp_path;      /* "<final_path>.importing": the file being built */
    int lock_fd;         /* holds flock(LOCK_EX) on tmp_path; -1 when none */
} ks_db_build;

int ks_db_build_open(const char *final_path, ks_db_build *b, sqlite3 **db, ks_error *err);
int ks_db_build_publish(ks_db_build *b, sqlite3 **db, ks_error *err);
/* Starts writing out, in the background, what the build has written so far
 * (a hint: publish makes it durable either way). */
void ks_db_build_writeback(const ks_db_build *b);
void ks_db_build_abandon(ks_db_build *b, sqlite3 **db);
/* Closes *db, empties the staging file and opens it again, as new (an
 * import that has to start over keeps its lock). */
int ks_db_build_restart(ks_db_build *b, sqlite3 **db, ks_error *err);

/* Creates the schema and fills the code tables; a no-op on an existing one. */
int ks_db_create_schema(sqlite3 *db, ks_error *err);

/* Binds the database to a municipality profile: on first use writes its
 * districts and partners; afterwards refuses a different profile, or one whose
 * partner or district list no longer matches what the database holds (the ids
 * stored in cases would change meaning). */
int ks_db_bind_profile(sqlite3 *db, const ks_profile *p, ks_error *err);

/* Metadata (table meta).  get returns 1 and fills out when the key exists, 0
 * when it does not, negative on error. */
int ks_db_meta_get(sqlite3 *db, const char *key, ks_buf *out, ks_error *err);
int ks_db_meta_set(sqlite3 *db, const char *key, const char *value, ks_error *err);
int ks_db_meta_delete(sqlite3 *db, const char *key, ks_error *err);

/* Runs SQL with no result rows; the message carries SQLite's. */
int ks_db_exec(sqlite3 *db, const char *sql, ks_error *err);

/* The store's messages start "database: " (a connection does not know its
 * path); a command that does names the file: "database 'x.db': disk I/O
 * error".  Returns 1 when it rewrote the message, 0 when it did not start
 * so (left as it is). */
int ks_db_error_name(const char *db_path, ks_error *err);
/* Prepares or records SQLite's message in err. */
int ks_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, ks_error *err);

/* Whether schema SCHEMA ("main", "temp" or an attached name) of db has the
 * table NAME: *has 1 or 0.  A failed read is an error ("database: reading
 * WHAT: ...", or "database: ..." when WHAT is NULL), never "no": every
 * caller falls back to something else for an older schema without the table
 * (default disclosure method, new record keys, keyless sums, no epochs). */
int ks_db_has_table(sqlite3 *db, const char *schema, const char *name, const char *what, int *has,
                    ks_error *err);

/* Secondary indexes: dropped before a bulk load into an empty database, built after. */
int ks_db_drop_indexes(sqlite3 *db, ks_error *err);
int ks_db_build_indexes(sqlite3 *db, ks_error *err);

/* "CREATE TEMP VIEW v_case AS ...": main's v_case over whatever case tables
 * the connection's temp schema shadows (the row-level consent filter). */
const char *ks_db_temp_view_sql(void);

/* The suppression threshold k stored in the database (5 when none is
 * stored).  A stored value that is not a whole number from KS_THRESHOLD_MIN
 * to KS_THRESHOLD_MAX was written
 * around kasane and is refused (-KS_ESAFETY), never replaced. */
int ks_db_threshold(sqlite3 *db, int *k, ks_error *err);

#endif
