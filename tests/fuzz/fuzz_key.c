/* fuzz_key: the key file loader (ks_key_load, src/base/pseudo.h).  The
 * first byte picks the file's mode (0600, 0400, 0644, 0660, 0606); the rest
 * is the file.  A key is accepted only from a private regular file of
 * exactly 32 bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "pseudo.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const mode_t modes[] = {0600, 0400, 0644, 0660, 0606};
    if (size < 1 || size > 4096)
        return 0;
    mode_t mode = modes[data[0] % 5];
    char path[4200];
    ks_fuzz_write("key", data + 1, size - 1, mode, path, sizeof path);
    ks_error err = {0};
    ks_key *k = ks_key_load(path, &err);
    if (k) {
        if (size - 1 != KS_KEY_BYTES || (mode & 077))
            abort(); /* accepted a key the header says is refused */
        if (strlen(ks_key_fingerprint(k)) != 32)
            abort();
        uint8_t out[KS_PSEUDO_BYTES];
        ks_pseudo(k, KS_ID_CASE, "R1", 2, out);
    }
    ks_key_free(k);
    return 0;
}
