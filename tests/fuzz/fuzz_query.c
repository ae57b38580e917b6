/* fuzz_query: the query-file header parser (ks_query_parse, src/query).
 * Outside query files (--dir, $KASANE_QUERY_PATH, a path) are read by it
 * before anything checks them. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "query.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *text = ks_fuzz_cstr(data, size);
    ks_error err = {0};
    ks_query *q = ks_query_parse("fuzz", "fuzz.sql", text, &err);
    ks_query_free(q);
    free(text);
    return 0;
}
