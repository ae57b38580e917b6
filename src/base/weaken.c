/* weaken.c: ks_weakened() of the attack tests' kasane-weak binary (see
 * src/base/weaken.h).  Empty in every other build. */
#include "weaken.h"

#ifdef KASANE_WEAKENABLE
#include <stdlib.h>
#include <string.h>

bool ks_weakened(const char *name)
{
    const char *list = getenv("KASANE_WEAKEN");
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p = end ? end + 1 : p + len;
    }
    return false;
}
#else
typedef int ks_weaken_unused; /* ISO C wants a translation unit to declare something */
#endif
