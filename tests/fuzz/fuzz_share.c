/* fuzz_share: the custodians' share sheets (`kasane key join FILE...`,
 * ks_share_parse and ks_share_join in src/base/shamir.h).  A share is typed
 * back from paper, so its text is outside input like any CSV.  The input
 * holds up to four share texts separated by the byte 0x1E (ASCII record
 * separator).  Each is parsed; an accepted share must be sane (format 1 or
 * 2, 2 <= t <= n <= 16, 1 <= x <= n, epochs that fit the format) and must
 * print (ks_share_format) to a text that parses back to the same share.
 * Two or more accepted shares are joined: a key that comes out must be the
 * key the shares name (their fingerprint and epochs).  Random text never
 * authenticates, so the join's refusals are what is exercised; the seeds
 * are real sheets (v1 and v2), whose join succeeds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pseudo.h"
#include "shamir.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_SHARES = 4 };

static int same_share(const ks_share *a, const ks_share *b)
{
    return a->version == b->version && memcmp(a->fp, b->fp, sizeof a->fp) == 0 && a->t == b->t &&
           a->n == b->n && a->x == b->x && memcmp(a->w, b->w, sizeof a->w) == 0 &&
           memcmp(a->nonce, b->nonce, sizeof a->nonce) == 0 && a->epochs == b->epochs &&
           a->ct_len == b->ct_len && memcmp(a->ct, b->ct, a->ct_len) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the largest sheet (a 32-epoch chain) is about 3 KB of text */
    if (size > 4 * 8192)
        return 0;
    ks_error err = {0};
    if (ks_crypto_init(&err) != 0)
        abort();
    static ks_share shares[MAX_SHARES]; /* ~1.2 KB each: off the stack */
    int k = 0;
    const char *p = (const char *)data, *end = p + size;
    while (k < MAX_SHARES) {
        const char *sep = memchr(p, 0x1E, (size_t)(end - p));
        size_t len = (size_t)((sep ? sep : end) - p);
        ks_share *s = &shares[k];
        if (ks_share_parse(p, len, "share", s, &err) == 0) {
            int epochs_ok = s->version == KS_SHARE_V1 ? s->epochs == 1
                                                      : s->version == KS_SHARE_V2 && s->epochs >= 2 &&
                                                            s->epochs <= KS_KEY_EPOCHS_MAX;
            if (!epochs_ok || s->t < 2 || s->n < s->t || s->n > KS_SHARE_MAX_N || s->x < 1 || s->x > s->n)
                abort(); /* accepted a share the header calls impossible */
            ks_buf text;
            ks_buf_init(&text);
            ks_share_format(s, &text);
            ks_share back;
            ks_error e2 = {0};
            if (ks_share_parse(text.buf, text.len, "printed", &back, &e2) != 0 || !same_share(s, &back))
                abort(); /* a printed share that does not read back */
            ks_buf_release(&text);
            k++;
        } else if (err.msg[0] == '\0') {
            abort(); /* a refusal without a message */
        }
        if (!sep)
            break;
        p = sep + 1;
    }
    if (k >= 2) {
        ks_key *key = NULL;
        int bad[MAX_SHARES] = {0};
        if (ks_share_join(shares, k, &key, bad, &err) == 0) {
            char want[2 * KS_SHARE_FP_BYTES + 1];
            sodium_bin2hex(want, sizeof want, shares[0].fp, KS_SHARE_FP_BYTES);
            if (!key || strcmp(ks_key_fingerprint(key), want) != 0 || ks_key_epochs(key) != shares[0].epochs)
                abort(); /* joined to a key other than the one the shares name */
        } else if (key) {
            abort(); /* a refused join that still gave a key */
        }
        ks_key_free(key);
    }
    return 0;
}
