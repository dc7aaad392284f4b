/* plugin.h - the first line of attach and scan in the monitoring-plugins
 * format (the Nagios plugin guidelines, which Icinga, Naemon, Sensu and
 * check_mk read too):
 *
 *   MAPDIAG WARNING - main.stale oversized: holds 16.5 MiB, 132.2 KiB if rebuilt | 'main.stale_bytes'=17301504B;;;0 ...
 *
 * The status word is the exit code's; the summary names the worst map and
 * why (an unreadable map first: it is why the status is UNKNOWN); perfdata
 * is label=value[UOM];warn;crit;min;max, labels quoted, and a quote or '='
 * in a label (from the target) written as '_'.  Internal to src/report. */
#ifndef MD_PLUGIN_H
#define MD_PLUGIN_H

#include <stdio.h>
#include "report.h"
#include "pen.h"

/* "MAPDIAG <STATUS> - " with the status word coloured. */
void md_plugin_begin(const md_pen *p, md_exit code);

/* The summary of the worst map among r's (scan: sr non-NULL, for
 * "N maps hold X" when nothing is wrong), written to f. */
void md_plugin_summary(FILE *f, const md_report *r, const md_scan_report *sr);

/* One perfdata item " 'label'=value;;;0" (uom "B", "%", "s" or ""). */
void md_plugin_perf_u64(FILE *f, const char *label, const char *suffix, uint64_t v,
                        const char *uom);
void md_plugin_perf_double(FILE *f, const char *label, const char *suffix, double v,
                           const char *uom);

/* A short account of one finding for the summary: "holds 16.5 MiB,
 * 132.2 KiB if rebuilt" for oversized; the code alone when there is none. */
const char *md_finding_brief(const md_map_report *m, const md_finding *x, char *buf, size_t n);

#endif
