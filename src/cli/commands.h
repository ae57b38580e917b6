/* commands.h: one function per subcommand, one file each (src/cmd_NAME.c).
 * To add a command: write src/cmd_NAME.c with `int cmd_NAME(int, char **)`,
 * declare it here and add a row to the table in main.c. */
#ifndef KASANE_COMMANDS_H
#define KASANE_COMMANDS_H

int cmd_keygen(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_threshold(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
/* the body of import and validate (validating = 1: no database, no key) */
int cmd_import_common(int argc, char **argv, int validating);

#endif
