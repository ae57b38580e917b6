/* fuzz_profile: a municipality profile read from a directory (`--profile
 * ./dir/`, ks_profile_load in src/base/profile.c): districts.csv,
 * partners.csv and the optional windows.csv (window records, hours,
 * holidays, channels).  The input holds the three files separated by the
 * byte 0x1E (ASCII record separator); with fewer than two separators
 * windows.csv is absent.  An accepted profile is then looked up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "profile.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const files[] = {"districts.csv", "partners.csv", "windows.csv"};
    if (size > 256 * 1024)
        return 0;
    char dir[4200], path[4300];
    snprintf(dir, sizeof dir, "%s/p", ks_fuzz_tmpdir());
    mkdir(dir, 0700);
    const uint8_t *p = data, *end = data + size;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
        if (!p)
            continue; /* windows.csv absent */
        const uint8_t *sep = i < 2 ? memchr(p, 0x1E, (size_t)(end - p)) : NULL;
        const uint8_t *stop = sep ? sep : end;
        char rel[64];
        snprintf(rel, sizeof rel, "p/%s", files[i]);
        ks_fuzz_write(rel, p, (size_t)(stop - p), 0600, path, sizeof path);
        p = sep ? sep + 1 : NULL;
    }
    snprintf(path, sizeof path, "%s/", dir);
    ks_error err = {0};
    ks_profile *prof = ks_profile_load(path, &err);
    if (prof) {
        size_t nd, np, nw;
        const ks_district *d = ks_profile_districts(prof, &nd);
        const ks_partner *pa = ks_profile_partners(prof, &np);
        (void)ks_profile_windows(prof, &nw);
        for (size_t i = 0; i < nd; i++)
            if (ks_profile_district(prof, "x", 1) < 0 || !d[i].name_ja)
                abort();
        for (size_t i = 0; i < np; i++)
            (void)ks_profile_window(prof, pa[i].id);
        (void)ks_profile_partner(prof, "houkatsu", 8);
        (void)ks_profile_name(prof);
    }
    ks_profile_free(prof);
    return 0;
}
