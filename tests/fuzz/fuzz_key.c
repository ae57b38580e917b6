/* fuzz_key: the key file loader (ks_key_load, src/base/pseudo.h).  The
 * first byte picks the file's mode (0600, 0400, 0644, 0660, 0606); the rest
 * is the file.  A key is accepted only from a private regular file of
 * exactly 32 bytes or holding a well-formed key chain (pseudo.h), and an
 * accepted key writes back to exactly the bytes it was read from. */
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
        if (mode & 077)
            abort(); /* accepted a key the header says is refused */
        if (size - 1 != KS_KEY_BYTES &&
            (size - 1 < KS_KEY_CHAIN_MAGIC_BYTES || memcmp(data + 1, "kasane-keychain\1", 16) != 0))
            abort(); /* neither a 32-byte key nor a chain */
        if (strlen(ks_key_fingerprint(k)) != 32)
            abort();
        uint8_t bytes[KS_KEY_FILE_MAX];
        size_t n = ks_key_serialise(k, bytes);
        if (n != size - 1 || memcmp(bytes, data + 1, n) != 0)
            abort(); /* read as something other than what the file holds */
        uint8_t out[KS_PSEUDO_BYTES];
        ks_pseudo(k, KS_ID_CASE, "R1", 2, out);
        if (ks_key_epochs(k) > 1)
            ks_pseudo_step(k, KS_ID_PERSON, out, out);
    }
    ks_key_free(k);
    return 0;
}
