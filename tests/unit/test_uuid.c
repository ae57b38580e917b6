/* test_uuid: SHA-1 against FIPS 180-2's test vectors (Appendix A: "abc",
 * the 448-bit message, one million 'a') and a few padding edges, and
 * UUIDv5 against values computed independently with CPython's uuid module:
 *
 *   /usr/bin/python3 -c 'import hashlib; print(hashlib.sha1(b"a"*55).hexdigest())'   (and 56, 64, empty)
 *   /usr/bin/python3 -c 'import uuid; print(uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"))'
 *   /usr/bin/python3 -c 'import uuid; ns = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/kasane/hsds");
 *                        print(ns, uuid.uuid5(ns, "kasane:mitaka:houkatsu"), uuid.uuid5(ns, "kasane:mitaka:相談"))'
 *
 * (Python 3.11.2, Debian 12.)  Feeding the message in odd pieces checks
 * that the incremental interface buffers correctly. */
#include "test.h"
#include "uuid.h"

static void hex(const unsigned char *d, size_t n, char *out)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = h[d[i] >> 4];
        out[2 * i + 1] = h[d[i] & 15];
    }
    out[2 * n] = '\0';
}

static void check_sha1(const char *msg, size_t n, const char *want)
{
    unsigned char d[20];
    char got[41];
    ks_sha1_digest(msg, n, d);
    hex(d, 20, got);
    KS_CHECK_STR(got, want);
    /* the same in pieces of 1, 7, 63, ... bytes */
    ks_sha1 s;
    ks_sha1_init(&s);
    size_t off = 0, step = 1;
    while (off < n) {
        size_t take = n - off < step ? n - off : step;
        ks_sha1_update(&s, msg + off, take);
        off += take;
        step = step * 7 % 97 + 1;
    }
    ks_sha1_final(&s, d);
    hex(d, 20, got);
    KS_CHECK_STR(got, want);
}

int main(void)
{
    /* FIPS 180-2 Appendix A.1, A.2, A.3 */
    check_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_sha1(m448, strlen(m448), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    char *million = ks_malloc(1000000);
    memset(million, 'a', 1000000);
    check_sha1(million, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    /* padding edges: 55 bytes fit one block, 56 need a second, 64 exactly one plus padding */
    check_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    check_sha1(million, 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a");
    check_sha1(million, 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699");
    check_sha1(million, 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d");
    free(million);

    char u[37];
    ks_uuid5(KS_UUID_NS_DNS, "python.org", 10, u);
    KS_CHECK_STR(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    ks_uuid5(KS_UUID_NS_DNS, "", 0, u);
    KS_CHECK_STR(u, "4ebd0208-8328-5d69-8c44-ec50939c0967");
    const char *longurl = "https://example.org/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                          "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    ks_uuid5(KS_UUID_NS_URL, longurl, strlen(longurl), u);
    KS_CHECK_STR(u, "c292cce9-0f34-50c0-bcf6-9ef76f6350a6");
    /* kasane's namespace is what uuid.h says it is derived from */
    const char *nsurl = "https://github.com/kasane/hsds";
    ks_uuid5(KS_UUID_NS_URL, nsurl, strlen(nsurl), u);
    KS_CHECK_STR(u, "b4e25e9b-2665-54e5-bc31-22e7e6a3c59f");
    char nshex[33];
    hex(KS_UUID_NS_KASANE, 16, nshex);
    KS_CHECK_STR(nshex, "b4e25e9b266554e5bc3122e7e6a3c59f");
    ks_uuid5_kasane("kasane:mitaka:houkatsu", u);
    KS_CHECK_STR(u, "d94bb9cf-120d-5664-b8c7-43ef26e35a22");
    ks_uuid5_kasane("kasane:mitaka:相談", u); /* UTF-8 bytes as they are */
    KS_CHECK_STR(u, "dda835ef-49b1-54b9-8356-a53141e3e459");
    KS_CHECK_INT(strlen(u), 36);
    return ks_test_report();
}
