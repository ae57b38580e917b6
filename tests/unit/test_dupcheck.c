/* test_dupcheck.c: duplicate record ids in bounded memory — the first pass
 * only logs, finishing names the later duplicates, the second pass rejects
 * exactly the rows an in-memory "seen before" set would have rejected, across
 * files, with more rows than one sort run holds (so runs are merged from
 * temporary files), with and without a key. */
#include "dupcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

enum { FILES = 3, ROWS_PER_FILE = 120000, IDS = 300000 };

/* The record id of row r: mostly distinct, some drawn again. */
static unsigned id_of(uint64_t *st, size_t r)
{
    return (r % 7 == 3) ? (unsigned)(ks_test_rand64(st) % IDS) : (unsigned)(IDS + r);
}

static void run(const ks_key *key)
{
    const size_t total = (size_t)FILES * ROWS_PER_FILE;
    unsigned *ids = ks_malloc(total * sizeof *ids);
    uint64_t st = 11;
    for (size_t r = 0; r < total; r++)
        ids[r] = id_of(&st, r);
    /* reference: a row is a duplicate when its id occurred at an earlier row */
    unsigned char *seen = ks_calloc(IDS + total, 1), *want = ks_calloc(total, 1);
    size_t ndup = 0;
    for (size_t r = 0; r < total; r++) {
        want[r] = seen[ids[r]];
        seen[ids[r]] = 1;
        ndup += want[r];
    }
    KS_CHECK(ndup > 1000);

    ks_dupcheck *d = ks_dupcheck_new(key);
    ks_error err = {0};
    char buf[32];
    size_t flagged = 0;
    for (int pass = 1; pass <= 2; pass++) {
        size_t wrong = 0;
        flagged = 0;
        for (size_t f = 0, r = 0; f < FILES; f++) {
            ks_dupcheck_file(d, (uint32_t)f);
            for (size_t line = 2; line < ROWS_PER_FILE + 2; line++, r++) {
                int n = snprintf(buf, sizeof buf, "K-%u", ids[r]);
                int dup = ks_dupcheck_row(d, buf, (size_t)n, line);
                flagged += (size_t)dup;
                if (pass == 2)
                    wrong += (size_t)(dup != want[r]);
            }
        }
        int rc = ks_dupcheck_finish(d, &err);
        if (pass == 1) {
            KS_CHECK_INT(flagged, 0); /* the first pass only logs */
            KS_CHECK_INT(rc, 1);
            KS_CHECK_INT(ks_dupcheck_known(d), ndup);
        } else {
            KS_CHECK_INT(wrong, 0);
            KS_CHECK_INT(flagged, ndup);
            KS_CHECK_INT(rc, 0);
        }
    }
    ks_dupcheck_free(d);

    /* no duplicates: one pass */
    d = ks_dupcheck_new(key);
    ks_dupcheck_file(d, 0);
    for (unsigned i = 0; i < 1000; i++) {
        int n = snprintf(buf, sizeof buf, "U-%u", i);
        KS_CHECK_INT(ks_dupcheck_row(d, buf, (size_t)n, i + 2), 0);
    }
    KS_CHECK_INT(ks_dupcheck_finish(d, &err), 0);
    KS_CHECK_INT(ks_dupcheck_known(d), 0);
    ks_dupcheck_free(d);

    /* the same id on the same line of two files is a duplicate (positions
     * carry the file) */
    d = ks_dupcheck_new(key);
    for (uint32_t f = 0; f < 2; f++) {
        ks_dupcheck_file(d, f);
        KS_CHECK_INT(ks_dupcheck_row(d, "same", 4, 2), 0);
    }
    KS_CHECK_INT(ks_dupcheck_finish(d, &err), 1);
    ks_dupcheck_file(d, 0);
    KS_CHECK_INT(ks_dupcheck_row(d, "same", 4, 2), 0);
    ks_dupcheck_file(d, 1);
    KS_CHECK_INT(ks_dupcheck_row(d, "same", 4, 2), 1);
    ks_dupcheck_free(d);

    free(ids);
    free(seen);
    free(want);
}

int main(void)
{
    ks_buf dir;
    ks_test_scratch_tmpdir("test_dupcheck", &dir);
    ks_error err = {0};
    KS_CHECK_INT(ks_crypto_init(&err), 0);

    run(NULL); /* validating: a random key of the process */

    unsigned char kb[32];
    for (int i = 0; i < 32; i++)
        kb[i] = (unsigned char)(i * 5 + 1);
    ks_buf kp;
    ks_buf_init(&kp);
    ks_buf_addf(&kp, "%s/k.key", dir.buf);
    FILE *f = fopen(kp.buf, "wb");
    KS_CHECK(f != NULL);
    if (f) {
        fwrite(kb, 1, sizeof kb, f);
        fclose(f);
        chmod(kp.buf, 0600);
        ks_key *key = ks_key_load(kp.buf, &err);
        KS_CHECK(key != NULL);
        if (key)
            run(key);
        ks_key_free(key);
    }
    unlink(kp.buf);
    ks_buf_release(&kp);
    rmdir(dir.buf);
    ks_buf_release(&dir);
    return ks_test_report();
}
