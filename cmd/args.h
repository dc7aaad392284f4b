/* args.h - parsing of command-line values, shared by the commands.  Each
 * parser returns 0, or -1 for a value it rejects (the caller names the
 * option in its message). */
#ifndef MD_ARGS_H
#define MD_ARGS_H

#include <stdint.h>
#include <sys/types.h>

enum { EXIT_UNKNOWN = 3 };

/* "mapdiag: <message> (see mapdiag --help)" on stderr; returns 3. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* getopt_long's '?' for `cmd`: the message above; returns 3. */
int bad_option(const char *cmd, char **argv);

int parse_double(const char *s, double lo, double hi, double *out);
int parse_bytes(const char *s, uint64_t *out);     /* 10, 4K, 1M, 2GiB */
int parse_duration(const char *s, uint64_t *out);  /* ns: 500us, 10ms, 2s */
int parse_color(const char *s, int *out);          /* -1 auto, 1, 0 */
int resolve_color(int color);                      /* auto -> tty, NO_COLOR */
int parse_pid(const char *s, pid_t *out);

#endif
