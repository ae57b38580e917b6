/* fuzz_csv: a case-record CSV file as `kasane import` reads it (import.c's
 * file_open and reader loop): encoding detection on the first bytes (BOM,
 * UTF-8 or CP932), the field decoder, the streaming reader, the header
 * mapping and the row normaliser against the built-in "mitaka" profile, with
 * duplicate-record detection.  No key and no database: the validation path,
 * which runs exactly the same reading and normalising code.
 *
 * The input is read through fmemopen, as import.c reads its FILE. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dupcheck.h"
#include "encoding.h"
#include "import.h"
#include "profile.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { SAMPLE = 64 * 1024 }; /* import.c's detection sample */

static const ks_profile *profile(void)
{
    static ks_profile *p; /* loaded once: the built-in profile never changes */
    if (!p) {
        ks_error err = {0};
        if (!(p = ks_profile_load("mitaka", &err)))
            abort();
    }
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 256 * 1024)
        return 0;
    const unsigned char *u = data;
    size_t n = size < SAMPLE ? size : SAMPLE;
    ks_encoding enc = ks_encoding_bom_len(u, n) ? KS_ENC_UTF8 : ks_encoding_detect(u, n, size <= SAMPLE);
    (void)ks_encoding_looks_utf16(u, n);
    FILE *in = fmemopen((void *)data, size, "rb");
    if (!in)
        abort();
    ks_error err = {0};
    ks_decoder *dec = ks_decoder_new(enc, &err);
    ks_dupcheck *dups = ks_dupcheck_new(NULL);
    ks_csv_reader *csv = dec ? ks_csv_reader_new(in, "fuzz.csv", 4096, &err) : NULL;
    ks_header hdr = {0};
    int have_hdr = 0;
    ks_normaliser *norm = NULL;
    if (!csv)
        abort();
    ks_csv_reader_set_max_fields(csv, 64); /* smaller than the default so the fuzzer reaches it */
    ks_dupcheck_file(dups, 0);
    ks_csv_record rec;
    size_t oversize = 0;
    if (ks_csv_next(csv, &rec, &oversize, &err) != 1)
        goto done;
    if (ks_header_parse(&rec, dec, NULL, "fuzz.csv", &hdr, &err) != 0)
        goto done;
    have_hdr = 1;
    norm = ks_normaliser_new(&hdr, dec, NULL, profile(), dups);
    ks_name_tally tally = {0};
    ks_normaliser_tally(norm, &tally);
    int r;
    while ((r = ks_csv_next(csv, &rec, &oversize, &err)) == 1) {
        ks_record out;
        ks_reject rej;
        if (ks_normalise(norm, &rec, oversize, &out, NULL, &rej)) {
            char msg[256];
            if ((unsigned)rej.reason >= KS_R_COUNT)
                abort();
            (void)ks_reject_message(&rej, msg, sizeof msg);
        }
    }
    (void)ks_normaliser_quality(norm);
    uint64_t distinct;
    (void)ks_normaliser_unlisted(norm, &distinct);
    ks_name_tally_release(&tally);
    (void)ks_dupcheck_finish(dups, &err);
done:
    ks_normaliser_free(norm);
    if (have_hdr)
        ks_header_release(&hdr);
    ks_csv_reader_free(csv);
    ks_dupcheck_free(dups);
    ks_decoder_free(dec);
    fclose(in);
    return 0;
}
