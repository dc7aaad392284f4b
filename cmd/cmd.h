/* cmd.h - the commands of the mapdiag command line: each parses its own
 * options into an engine's options struct, runs the engine, prints the
 * report and returns the exit code (report.h's md_exit). */
#ifndef MD_CMD_H
#define MD_CMD_H

typedef struct md_command {
	const char *name;
	int (*run)(int argc, char **argv);   /* argv[0] is the command's name */
} md_command;

extern const md_command md_cmd_attach;   /* cmd/attach.c */
extern const md_command md_cmd_watch;    /* cmd/watch.c */
extern const md_command md_cmd_scan;     /* cmd/scan.c */
extern const md_command md_cmd_ps;       /* cmd/ps.c */
extern const md_command md_cmd_complete; /* cmd/complete.c (hidden) */

#endif
