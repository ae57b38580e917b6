/* fuzz_ptable: the ptable reader (ks_ptable_parse, src/publish/cellkey.h)
 * that `kasane threshold --ptable FILE` and the publish step (from the
 * database) use, then the check and a few perturbations of an accepted
 * table.  The first byte picks k for ks_ptable_check. */
#include <stdint.h>
#include <stdlib.h>

#include "cellkey.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 20)
        return 0;
    int k = 1 + data[0] % 20;
    ks_ptable *pt = NULL;
    ks_error err = {0};
    if (ks_ptable_parse("fuzz", (const char *)data + 1, size - 1, 0, &pt, &err) == 0) {
        ks_error err2 = {0};
        if (ks_ptable_check(pt, "fuzz", k, &err2) == 0) {
            for (int64_t n = 0; n < 40; n += 7)
                for (uint64_t ks = 0; ks < 5000; ks += 997)
                    if (ks_ptable_perturb(pt, n, ks) < 0)
                        abort(); /* a checked table never publishes a negative count */
        }
        (void)ks_ptable_max_abs_pvalue(pt);
        ks_buf csv;
        ks_buf_init(&csv);
        ks_ptable_write_csv(pt, &csv);
        ks_ptable *again = NULL;
        ks_error err3 = {0};
        if (ks_ptable_parse("again", csv.buf, csv.len, 0, &again, &err3) != 0)
            abort(); /* what kasane writes into the database must read back */
        ks_ptable_free(again);
        ks_buf_release(&csv);
        ks_ptable_free(pt);
    }
    return 0;
}
