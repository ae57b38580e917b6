/* uuid.h: SHA-1 (FIPS 180-4) and name-based UUIDs, version 5 (RFC 9562
 * section 5.5), for the stable identifiers of the guide's exports (HSDS
 * wants a UUID for every object; a v5 UUID of a stable name gives the
 * same id to the same window in every build).
 *
 * SHA-1 is here only to make those names into ids, as RFC 9562 defines;
 * it protects nothing (libsodium has no SHA-1 and base must not link
 * libcrypto).  Nothing allocates; nothing fails. */
#ifndef KASANE_UUID_H
#define KASANE_UUID_H

#include <stddef.h>
#include <stdint.h>

typedef struct ks_sha1 {
    uint32_t h[5];          /* chaining value */
    uint64_t len;           /* bytes hashed so far */
    unsigned char blk[64];  /* partial block */
    size_t nblk;            /* bytes in blk */
} ks_sha1;

void ks_sha1_init(ks_sha1 *s);
void ks_sha1_update(ks_sha1 *s, const void *data, size_t n);
void ks_sha1_final(ks_sha1 *s, unsigned char out[20]);
/* One call: SHA-1 of data. */
void ks_sha1_digest(const void *data, size_t n, unsigned char out[20]);

/* RFC 9562's namespaces (Appendix A / RFC 4122 C). */
extern const unsigned char KS_UUID_NS_DNS[16]; /* 6ba7b810-9dad-11d1-80b4-00c04fd430c8 */
extern const unsigned char KS_UUID_NS_URL[16]; /* 6ba7b811-9dad-11d1-80b4-00c04fd430c8 */
/* kasane's namespace: uuid5(NS_URL, "https://github.com/kasane/hsds")
 * = b4e25e9b-2665-54e5-bc31-22e7e6a3c59f (Python: uuid.uuid5(uuid.NAMESPACE_URL,
 * "https://github.com/kasane/hsds")).  Fixed forever: changing it changes
 * every published id. */
extern const unsigned char KS_UUID_NS_KASANE[16];

/* The v5 UUID of the n bytes of name in namespace ns, as 36 lowercase
 * characters and a NUL in out. */
void ks_uuid5(const unsigned char ns[16], const char *name, size_t n, char out[37]);
/* The same for a NUL-terminated name in kasane's namespace. */
void ks_uuid5_kasane(const char *name, char out[37]);

#endif
