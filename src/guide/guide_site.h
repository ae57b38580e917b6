/* guide_site.h: the consultation-window guide as a static site (issue 13,
 * `kasane directory build`): DIR/index.html, DIR/how.html and
 * DIR/assets/{site.css,site.js}.  No server and no network at run time: it
 * works from a USB stick (file://) and from any web server.
 *
 * index.html is complete without JavaScript (every window, in full); with
 * JavaScript, site.js filters and orders the same elements by the lookup
 * rule of guide.h, reading the data embedded in
 * <script type="application/json" id="guide-data">.  The page format is
 * described in docs/directory-site.md.
 *
 * Like every guide writer it only formats the protected tree: bands, share
 * classes and rounded rates, never a count. */
#ifndef KASANE_GUIDE_SITE_H
#define KASANE_GUIDE_SITE_H

#include "guide.h"
#include "util.h"

/* Writes the site into `dir` (made when missing, mode 0755; files 0644,
 * each replaced atomically).  lang: "ja" (default when NULL) or "en".
 * 0 or -KS_EUSAGE (bad lang, a path that is not a directory) / -KS_EIO. */
int ks_guide_write_site(const ks_guide *g, const char *dir, const char *lang, ks_error *err);

#endif
