/* fuzz_mapping: a city's header mapping file (`kasane import --mapping
 * FILE`, ks_mapping_load in src/import/header.c), then that mapping applied
 * to a header row the way the import does (ks_header_parse).  The input is
 * the mapping file; the header row is a fixed one of own names that a
 * mapping would point at the contract's fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "fuzz_util.h"
#include "import.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"ケースNo", "生年月日", "地区", "相談日", "課題",  "同意",
                                        "状況",     "氏名",     "宛名番号", "記録番号", "受付日", "支援状況"};
    enum { NNAMES = sizeof names / sizeof names[0] };
    if (size > 65536)
        return 0;
    char path[4200];
    ks_fuzz_write("mapping.csv", data, size, 0600, path, sizeof path);
    ks_error err = {0};
    ks_mapping *m = ks_mapping_load(path, &err);
    if (!m)
        return 0;
    ks_decoder *dec = ks_decoder_new(KS_ENC_UTF8, &err);
    if (!dec)
        abort();
    ks_csv_field f[NNAMES];
    for (size_t i = 0; i < NNAMES; i++)
        f[i] = (ks_csv_field){names[i], strlen(names[i])};
    /* the first 7 names alone, then all 12 (some fields twice: duplicates) */
    for (size_t cols = 7; cols <= NNAMES; cols += 5) {
        ks_csv_record rec = {.fields = f, .nfields = cols, .line = 1};
        ks_header h = {0};
        ks_error e2 = {0};
        if (ks_header_parse(&rec, dec, m, "fuzz.csv", &h, &e2) == 0) {
            for (int c = 0; c < KS_F_COUNT; c++)
                if (h.col[c] < -1 || h.col[c] >= (int)cols)
                    abort();
            ks_header_release(&h);
        }
    }
    ks_decoder_free(dec);
    ks_mapping_free(m);
    return 0;
}
