/* embed.h: files compiled into the binary by tools/embed.c (profiles). */
#ifndef KASANE_EMBED_H
#define KASANE_EMBED_H

#include <stddef.h>

typedef struct ks_embedded_file {
    const char *path;          /* relative to datasets/profiles/: "mitaka/districts.csv" */
    const unsigned char *data; /* file contents, NUL-terminated */
    size_t len;                /* length without the terminating NUL */
} ks_embedded_file;

/* Terminated by an entry whose path is NULL. */
extern const ks_embedded_file ks_embedded_files[];

#endif
