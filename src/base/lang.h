/* lang.h: the language of labels and text in every output (--lang). */
#ifndef KASANE_LANG_H
#define KASANE_LANG_H

typedef enum ks_lang { KS_LANG_JA, KS_LANG_EN } ks_lang;

#endif
