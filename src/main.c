/* placeholder main; replaced by the dispatcher */
#include <stdio.h>
int main(void) { puts("kasane " KASANE_VERSION); return 0; }
