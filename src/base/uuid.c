/* uuid.c: SHA-1 after FIPS 180-4 section 6.1 and UUIDv5 after RFC 9562
 * section 5.5 (uuid.h). */
#include <string.h>

#include "uuid.h"

const unsigned char KS_UUID_NS_DNS[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                          0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
const unsigned char KS_UUID_NS_URL[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                          0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
const unsigned char KS_UUID_NS_KASANE[16] = {0xb4, 0xe2, 0x5e, 0x9b, 0x26, 0x65, 0x54, 0xe5,
                                             0xbc, 0x31, 0x22, 0xe7, 0xe6, 0xa3, 0xc5, 0x9f};

static uint32_t rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

/* FIPS 180-4 6.1.2: one 512-bit block */
static void block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 |
               (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 80; t++)
        w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; t++) {
        uint32_t f, k;
        if (t < 20) {
            f = (b & c) | (~b & d); /* Ch */
            k = 0x5a827999;
        } else if (t < 40) {
            f = b ^ c ^ d;          /* Parity */
            k = 0x6ed9eba1;
        } else if (t < 60) {
            f = (b & c) | (b & d) | (c & d); /* Maj */
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        uint32_t tmp = rol(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = tmp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void ks_sha1_init(ks_sha1 *s)
{
    /* FIPS 180-4 5.3.1 */
    s->h[0] = 0x67452301;
    s->h[1] = 0xefcdab89;
    s->h[2] = 0x98badcfe;
    s->h[3] = 0x10325476;
    s->h[4] = 0xc3d2e1f0;
    s->len = 0;
    s->nblk = 0;
}

void ks_sha1_update(ks_sha1 *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    s->len += n;
    while (n > 0) {
        size_t take = 64 - s->nblk;
        if (take > n)
            take = n;
        memcpy(s->blk + s->nblk, p, take);
        s->nblk += take;
        p += take;
        n -= take;
        if (s->nblk == 64) {
            block(s->h, s->blk);
            s->nblk = 0;
        }
    }
}

void ks_sha1_final(ks_sha1 *s, unsigned char out[20])
{
    /* FIPS 180-4 5.1.1: a 1 bit, zeros to 448 mod 512, the length in bits */
    uint64_t bits = s->len * 8;
    unsigned char pad = 0x80;
    ks_sha1_update(s, &pad, 1);
    unsigned char zero = 0;
    while (s->nblk != 56)
        ks_sha1_update(s, &zero, 1);
    unsigned char lenb[8];
    for (int i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    ks_sha1_update(s, lenb, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s->h[i];
    }
}

void ks_sha1_digest(const void *data, size_t n, unsigned char out[20])
{
    ks_sha1 s;
    ks_sha1_init(&s);
    ks_sha1_update(&s, data, n);
    ks_sha1_final(&s, out);
}

void ks_uuid5(const unsigned char ns[16], const char *name, size_t n, char out[37])
{
    unsigned char d[20];
    ks_sha1 s;
    ks_sha1_init(&s);
    ks_sha1_update(&s, ns, 16);
    ks_sha1_update(&s, name, n);
    ks_sha1_final(&s, d);
    /* RFC 9562 5.5: the first 128 bits, version 5 in the high nibble of
     * octet 6, variant 10 in the two high bits of octet 8 */
    d[6] = (unsigned char)((d[6] & 0x0f) | 0x50);
    d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[d[i] >> 4];
        out[o++] = hex[d[i] & 15];
    }
    out[o] = '\0';
}

void ks_uuid5_kasane(const char *name, char out[37])
{
    ks_uuid5(KS_UUID_NS_KASANE, name, strlen(name), out);
}
