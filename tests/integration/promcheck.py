#!/usr/bin/env python3
"""promcheck - check Prometheus text exposition format 0.0.4.

    python3 promcheck.py [--strict] [--conventions] FILE...
                                              print problems; exit 1 on any
                                              error (or warning, --strict)
    python3 promcheck.py --self-test          'N passed, N failed'

    import promcheck
    problems = promcheck.check(text)          # ["line 3: error: ...", ...]
    promcheck.errors(problems)                # the error-level ones
    promcheck.conventions(text)               # naming problems, as above

The format (https://prometheus.io/docs/instrumenting/exposition_formats/,
"Text-based format", and the reference parser, Go's
prometheus/common/expfmt):

  * UTF-8 lines, each ended by a line feed, the last one included. Empty
    lines are ignored, and so are leading blanks (spaces, tabs). Trailing
    blanks on sample and TYPE lines are errors: the spec says to ignore
    them, but the reference parser (expfmt: promtool, node_exporter's
    textfile collector) rejects them ("expected integer as timestamp").
  * '#' starts a comment, unless the first token after it is HELP or TYPE:
        # HELP <metric name> <docstring>     (docstring escapes: \\\\ and \\n)
        # TYPE <metric name> counter|gauge|histogram|summary|untyped
    At most one HELP and one TYPE line per metric name; the TYPE line must
    come before the first sample of its metric family.
  * A sample:
        <metric name>[{<label name>="<label value>",...}] <value> [<timestamp>]
    metric name [a-zA-Z_:][a-zA-Z0-9_:]*, label name [a-zA-Z_][a-zA-Z0-9_]*
    (__name__ reserved; names starting with __ are for internal use),
    label values with the escapes \\\\, \\" and \\n only, a trailing comma
    allowed; value a float as Go's strconv.ParseFloat reads it, less what
    expfmt refuses (hex floats, '_'): decimal, NaN, +Inf, -Inf (any case),
    and in float64 range; timestamp an int64 of milliseconds.
  * A family is a metric name and, for a histogram x, also x_bucket, x_sum
    and x_count (x_bucket with an le label; a +Inf bucket per label set),
    for a summary x, also x_sum and x_count (x itself with a quantile
    label). All lines of a family are contiguous; no two samples have the
    same name and label set.

Stricter than the reference parser (which promtool uses) on: samples of
a family that are not contiguous, duplicate series, histogram and summary
structure (le/quantile labels, a +Inf bucket), negative counters, a TYPE
histogram/summary line after x_sum/x_count/x_bucket samples, "# TYPE"
without a name.

Warnings (legal, but what `promtool check metrics` lints, exit 3 there):
a family without HELP text, counters whose name does not end in _total,
':' in metric names, camelCase metric or label names, _bucket/_sum/_count
suffixes or le/quantile labels on typed families that are not histograms
or summaries, label names starting with __. (promtool also lints units.)
conventions() checks what the format allows but the naming conventions
(https://prometheus.io/docs/practices/naming/, /instrumentation/) and
mapdiag want, each an error: every family has a non-empty HELP and a TYPE
other than untyped; a counter's name ends in _total, and only a
counter's; a unit (bytes, seconds, ratio) is the last word of the name
(before _total): mapdiag_map_held_bytes, not mapdiag_map_bytes_held; no
pre-computed rate (_per_second, _per_sec, _rate); no unit prefix other
than base units (milliseconds, kilobytes ...); an _info family is a gauge
whose every value is 1; a _timestamp_seconds family is a gauge.
Standard library only.
"""
import math
import re
import sys

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
BLANKS = " \t"

# Values, le and quantile: what the reference parser accepts (expfmt's
# parseFloat: strconv.ParseFloat, but no 'p', 'P' or '_' at all, so no hex
# floats and no digit separators): decimal floats, and NaN, Inf, +Inf,
# -Inf, Infinity in any case.
_DEC = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_INF = re.compile(r"[+-]?(?:inf|infinity)\Z", re.I)
_NAN = re.compile(r"nan\Z", re.I)


def parse_go_float(s):
    """The float the reference parser reads from s, or None where it fails
    (syntax, a hex float, '_', or a finite literal out of float64 range)."""
    if _NAN.match(s):
        return math.nan
    if _INF.match(s):
        return -math.inf if s.startswith("-") else math.inf
    if not _DEC.match(s):
        return None
    v = float(s)
    if math.isinf(v):
        return None  # strconv.ErrRange
    return v


def parse_int64(s):
    if not re.match(r"[+-]?[0-9]+\Z", s):
        return None
    v = int(s)
    if not -(1 << 63) <= v < (1 << 63):
        return None
    return v


class _Problems:
    def __init__(self):
        self.list = []

    def error(self, line, msg):
        self.list.append("line %d: error: %s" % (line, msg) if line else "error: %s" % msg)

    def warn(self, line, msg):
        self.list.append("line %d: warning: %s" % (line, msg) if line else "warning: %s" % msg)


def _unescape(s, i, end_quote, allowed):
    """Read an escaped string from s[i:] up to an unescaped end_quote (None:
    to the end). Returns (value, index after the closing quote, error,
    escapes used)."""
    out = []
    used = set()
    while i < len(s):
        c = s[i]
        if c == "\\":
            if i + 1 >= len(s):
                return None, i, "backslash at end of line", used
            e = s[i + 1]
            if e not in allowed:
                return None, i, "invalid escape sequence '\\%s'" % e, used
            used.add(e)
            out.append({"\\": "\\", "n": "\n", '"': '"'}[e])
            i += 2
            continue
        if end_quote is not None and c == end_quote:
            return "".join(out), i + 1, None, used
        out.append(c)
        i += 1
    if end_quote is not None:
        return None, i, "unterminated label value", used
    return "".join(out), i, None, used


def _skip(s, i):
    while i < len(s) and s[i] in BLANKS:
        i += 1
    return i


def _parse_sample(s):
    """Parse one sample line (stripped). Returns (name, labels as a list of
    (name, value), value text, timestamp text or None, error or None)."""
    m = re.match(r"[^\s{]*", s)
    name = m.group(0)
    i = m.end()
    if not name:
        return None, None, None, None, "no metric name"
    if not METRIC_NAME.match(name):
        return name, None, None, None, "invalid metric name %r" % name
    labels = []
    j = _skip(s, i)
    if j < len(s) and s[j] == "{":
        i = _skip(s, j + 1)
        while True:
            if i < len(s) and s[i] == "}":
                i += 1
                break
            m = re.compile(r"[^\s=,}\"]*").match(s, i)
            lname = m.group(0)
            if not lname:
                return name, None, None, None, "expected a label name or '}' at column %d" % (i + 1)
            if not LABEL_NAME.match(lname):
                return name, None, None, None, "invalid label name %r" % lname
            i = _skip(s, m.end())
            if i >= len(s) or s[i] != "=":
                return name, None, None, None, "expected '=' after label name %r" % lname
            i = _skip(s, i + 1)
            if i >= len(s) or s[i] != '"':
                return name, None, None, None, "expected '\"' to start the value of label %r" % lname
            val, i, err, _ = _unescape(s, i + 1, '"', ('\\', 'n', '"'))
            if err:
                return name, None, None, None, "label %r: %s" % (lname, err)
            labels.append((lname, val))
            i = _skip(s, i)
            if i < len(s) and s[i] == ",":
                i = _skip(s, i + 1)
                continue
            if i < len(s) and s[i] == "}":
                i += 1
                break
            return name, None, None, None, "expected ',' or '}' after the value of label %r" % lname
    rest = s[i:]
    # A blank must separate tokens that would otherwise merge: a bare name
    # and its value; after '}' none is needed (expfmt reads a{x="1"}1).
    if rest and rest[0] not in BLANKS and s[i - 1] != "}":
        return name, labels, None, None, "expected blank after metric name, got %r" % rest[:10]
    toks = rest.split()
    if not toks:
        return name, labels, None, None, "no value"
    if len(toks) > 2:
        return name, labels, None, None, "unexpected text after timestamp: %r" % " ".join(toks[2:])
    return name, labels, toks[0], toks[1] if len(toks) > 1 else None, None


def _family_of(name, types):
    """The family a sample name belongs to, given the TYPEs declared so far."""
    for suffix, kinds in (("_bucket", ("histogram",)), ("_sum", ("histogram", "summary")),
                          ("_count", ("histogram", "summary"))):
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            if types.get(base) in kinds:
                return base
    return name


def check(text):
    """Problems of text (str or bytes) as Prometheus text format 0.0.4: a
    list of "line N: error: ..." / "line N: warning: ..." strings (empty:
    valid, with no warnings)."""
    p = _Problems()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            p.error(0, "not UTF-8: %s" % e)
            text = text.decode("utf-8", "replace")
    if text and not text.endswith("\n"):
        p.error(text.count("\n") + 1, "the last line does not end with a line feed")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()

    types = {}       # family -> type
    helps = set()    # families with a HELP line
    helptext = set()  # ... with a non-empty docstring
    started = {}     # family -> line of its first sample
    closed = set()   # families whose lines are over (another family came after)
    current = None   # family of the last HELP/TYPE/sample line
    series = {}      # (name, frozenset(labels)) -> line
    lint = set()     # (line, warning), once each
    hist_series = {}  # (family, labels without le) -> has +Inf bucket
    hist_first = {}   # same key -> first line

    def enter(fam, ln):
        nonlocal current
        if fam == current:
            return True
        if fam in closed or fam in started or fam in types or fam in helps:
            # Seen before, and another family since.
            p.error(ln, "metric family %s is not contiguous (its lines are interrupted by %s)"
                    % (fam, current))
            ok = False
        else:
            ok = True
        if current is not None:
            closed.add(current)
        current = fam
        return ok

    for n, raw in enumerate(lines, 1):
        if "\r" in raw:
            p.error(n, "carriage return in line (line feeds only)")
        s = raw.strip(BLANKS)
        if not s:
            continue
        if raw[-1] in BLANKS and not (s[0] == "#" and re.match(r"#[ \t]*HELP[ \t]", s + " ")
                                      or s[0] == "#" and not re.match(r"#[ \t]*TYPE[ \t]", s + " ")):
            p.error(n, "trailing blank (the reference parser, expfmt, rejects it)")
        if s[0] == "#":
            t = s[1:].lstrip(BLANKS)
            parts = re.split(r"[ \t]+", t, maxsplit=1)
            kw = parts[0]
            if kw not in ("HELP", "TYPE"):
                continue  # a comment
            rest = parts[1] if len(parts) > 1 else ""
            m = re.match(r"(\S+)[ \t]*(.*)\Z", rest)
            if not m:
                p.error(n, "%s line without a metric name" % kw)
                continue
            name, arg = m.group(1), m.group(2)
            if not METRIC_NAME.match(name):
                p.error(n, "%s line: invalid metric name %r" % (kw, name))
                continue
            if kw == "HELP":
                doc, _, err, _ = _unescape(arg, 0, None, ('\\', 'n'))
                if err:
                    p.error(n, "HELP %s: %s (only \\\\ and \\n are escapes in HELP)" % (name, err))
                if name in helps:
                    p.error(n, "second HELP line for %s" % name)
                    continue
                enter(name, n)
                helps.add(name)
                if doc:
                    helptext.add(name)
            else:
                typ = arg.rstrip(BLANKS)  # (a trailing blank is reported above)
                if typ not in TYPES:
                    p.error(n, "TYPE %s: unknown type %r (one of %s)" % (name, typ, ", ".join(TYPES)))
                    continue
                if name in types:
                    p.error(n, "second TYPE line for %s" % name)
                    continue
                if name in started:
                    p.error(n, "TYPE line for %s after its first sample (line %d)" % (name, started[name]))
                    continue
                # A TYPE that makes earlier samples x_sum etc. part of x
                # comes too late as well.
                if typ in ("histogram", "summary"):
                    late = [started[name + sfx] for sfx in ("_bucket", "_sum", "_count")
                            if name + sfx in started and not (typ == "summary" and sfx == "_bucket")]
                    if late:
                        p.error(n, "TYPE line for %s after its first sample (line %d)" % (name, min(late)))
                        continue
                enter(name, n)
                types[name] = typ
                if typ not in ("histogram", "untyped"):
                    if name.endswith("_bucket"):
                        p.warn(n, "%s %s: only histograms should have the _bucket suffix" % (typ, name))
                if typ not in ("histogram", "summary", "untyped"):
                    for sfx in ("_count", "_sum"):
                        if name.endswith(sfx):
                            p.warn(n, "%s %s: only histograms and summaries should have the %s suffix"
                                   % (typ, name, sfx))
                if typ == "counter" and not name.endswith("_total"):
                    p.warn(n, "counter %s: name should end in _total" % name)
            continue

        name, labels, val, ts, err = _parse_sample(s)
        if err:
            p.error(n, err)
            continue
        fam = _family_of(name, types)
        enter(fam, n)
        started.setdefault(fam, n)
        if fam != name:
            started.setdefault(name, n)
        typ = types.get(fam, "untyped")

        names = [l for l, _ in labels]
        for l in names:
            if re.search(r"[a-z][A-Z]", l):
                lint.add((n, "label name %s: should be snake_case, not camelCase" % l))
        bad = False
        for l in names:
            if l == "__name__":
                p.error(n, "label name __name__ is reserved")
                bad = True
            elif l.startswith("__"):
                p.warn(n, "label name %s: names starting with __ are reserved for internal use" % l)
        dups = sorted({l for l in names if names.count(l) > 1})
        if dups:
            p.error(n, "duplicate label %s" % ", ".join(dups))
            bad = True

        v = parse_go_float(val)
        if v is None:
            p.error(n, "value %r is not a float (Go strconv.ParseFloat syntax, in range)" % val)
        if ts is not None and parse_int64(ts) is None:
            p.error(n, "timestamp %r is not an int64 (milliseconds)" % ts)
        if bad:
            continue

        key = (name, frozenset(labels))
        if key in series:
            p.error(n, "duplicate series %s%s (first on line %d)" % (name, _fmt(labels), series[key]))
        else:
            series[key] = n

        ld = dict(labels)
        if typ not in ("histogram", "untyped") and "le" in ld:
            lint.add((started[fam], "%s %s: only histograms should have an le label" % (typ, fam)))
        if typ not in ("summary", "untyped") and "quantile" in ld:
            lint.add((started[fam], "%s %s: only summaries should have a quantile label" % (typ, fam)))
        if typ == "counter" and v is not None and not math.isnan(v) and v < 0:
            p.error(n, "counter %s has a negative value %s" % (name, val))
        if typ == "histogram":
            if name == fam:
                p.error(n, "histogram %s: sample named %s; histograms have %s_bucket, %s_sum, %s_count"
                        % (fam, name, fam, fam, fam))
            elif name.endswith("_bucket"):
                if "le" not in ld:
                    p.error(n, "histogram bucket %s without an le label" % name)
                else:
                    le = parse_go_float(ld["le"])
                    if le is None:
                        p.error(n, "histogram bucket %s: le=%r is not a float" % (name, ld["le"]))
                    rest = frozenset((k, x) for k, x in labels if k != "le")
                    hk = (fam, rest)
                    hist_first.setdefault(hk, n)
                    hist_series[hk] = hist_series.get(hk, False) or (le == math.inf)
            elif "le" in ld:
                p.error(n, "%s: le label on a histogram's _sum/_count" % name)
        elif typ == "summary":
            if name == fam:
                if "quantile" not in ld:
                    p.error(n, "summary %s: sample without a quantile label" % name)
                elif parse_go_float(ld["quantile"]) is None:
                    p.error(n, "summary %s: quantile=%r is not a float" % (name, ld["quantile"]))
            elif "quantile" in ld:
                p.error(n, "%s: quantile label on a summary's _sum/_count" % name)
        else:
            if "le" in ld and name.endswith("_bucket") and typ == "untyped":
                pass  # an untyped family that merely looks like a histogram
    for fam, ln in sorted(started.items(), key=lambda x: x[1]):
        if _family_of(fam, types) != fam:
            continue  # x_sum etc. of a histogram or summary x
        if fam not in helptext:
            lint.add((ln, "%s has no HELP text" % fam))
        if ":" in fam:
            lint.add((ln, "%s: metric names should not contain ':' (reserved for recording rules)" % fam))
        if re.search(r"[a-z][A-Z]", fam):
            lint.add((ln, "%s: metric names should be snake_case, not camelCase" % fam))
    for ln, msg in sorted(lint):
        p.warn(ln, msg)
    for hk, has_inf in hist_series.items():
        if not has_inf:
            p.error(hist_first[hk], "histogram %s%s has no le=\"+Inf\" bucket"
                    % (hk[0], _fmt(sorted(hk[1]))))
    return p.list


def _fmt(labels):
    if not labels:
        return ""
    return "{" + ",".join('%s="%s"' % (k, v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n"))
                          for k, v in labels) + "}"


UNITS = ("bytes", "seconds", "ratio")
NOT_BASE = re.compile(r"_(milli|micro|nano|kilo|mega|giga|kibi|mebi|gibi)?"
                      r"(milliseconds|microseconds|nanoseconds|minutes|hours|days|"
                      r"kilobytes|megabytes|gigabytes|kib|mib|gib|percent)(_|\Z)")


def conventions(text):
    """Naming and typing problems of a valid exposition: a list of "error:
    ..." strings (empty: it follows the conventions)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    types, helps, samples = {}, {}, {}
    for raw in text.split("\n"):
        s = raw.strip(BLANKS)
        if not s:
            continue
        if s.startswith("#"):
            parts = re.split(r"[ \t]+", s[1:].strip(BLANKS), maxsplit=2)
            if len(parts) >= 2 and parts[0] == "TYPE":
                types[parts[1]] = parts[2] if len(parts) > 2 else ""
            elif len(parts) >= 2 and parts[0] == "HELP":
                helps[parts[1]] = parts[2] if len(parts) > 2 else ""
            continue
        name, labels, val, _, err = _parse_sample(s)
        if not err:
            samples.setdefault(_family_of(name, types), []).append(val)
    out = []
    for fam in sorted(set(types) | set(helps) | set(samples)):
        typ = types.get(fam)
        if not helps.get(fam, "").strip():
            out.append("error: %s has no HELP text" % fam)
        if typ is None or typ == "untyped":
            out.append("error: %s has no TYPE (or is untyped)" % fam)
        if typ == "counter" and not fam.endswith("_total"):
            out.append("error: counter %s: name should end in _total" % fam)
        if typ not in (None, "counter") and fam.endswith("_total"):
            out.append("error: %s %s: only counters end in _total" % (typ, fam))
        base = fam[:-len("_total")] if fam.endswith("_total") else fam
        words = base.split("_")
        for u in UNITS:
            if u in words[:-1]:
                out.append("error: %s: the unit %s is not the last word of the name "
                           "(before _total)" % (fam, u))
        if re.search(r"_per_(second|sec|s)(_|\Z)|_rate(_|\Z)", fam):
            out.append("error: %s: a pre-computed rate (export a counter; rate() makes "
                       "the rate)" % fam)
        if NOT_BASE.search(fam):
            out.append("error: %s: not a base unit (seconds, bytes, ratio)" % fam)
        if fam.endswith("_info"):
            if typ != "gauge":
                out.append("error: %s: an _info family is a gauge" % fam)
            if any(parse_go_float(v) != 1.0 for v in samples.get(fam, [])):
                out.append("error: %s: an _info family's values are 1" % fam)
        if fam.endswith("_timestamp_seconds") and typ != "gauge":
            out.append("error: %s: a timestamp is a gauge" % fam)
    return out


def errors(problems):
    """The error-level problems of a check() result."""
    return [x for x in problems if ": error: " in x or x.startswith("error: ")]


# ---- self-test ----

GOOD = r'''# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="0.2"} 100392
http_request_duration_seconds_bucket{le="0.5"} 129389
http_request_duration_seconds_bucket{le="1"} 133988
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320

# Finally a summary, which has a complex representation, too:
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.05"} 3272
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="0.9"} 9001
rpc_duration_seconds{quantile="0.99"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
'''

MAPDIAG_LIKE = '''# HELP mapdiag_map_write_duty Share of samples with the writing flag set.
# TYPE mapdiag_map_write_duty gauge
mapdiag_map_write_duty{pid="123",var="main.bursty",impl="hmap"} 0.0452
mapdiag_map_write_duty{pid="123",var="example.com/acme/store.Sessions",impl="swiss"} 0
# HELP mapdiag_map_growths_total Growth events seen.
# TYPE mapdiag_map_growths_total counter
mapdiag_map_growths_total{pid="123",var="main.bursty",impl="hmap"} 7
mapdiag_map_growths_total{pid="123",var="example.com/acme/store.Sessions",impl="swiss"} 0
# HELP mapdiag_map_finding A finding about a map (1 while it holds).
# TYPE mapdiag_map_finding gauge
mapdiag_map_finding{pid="123",var="main.stuck",finding="writer-stuck",severity="critical"} 1
# HELP mapdiag_watch_last_sample_timestamp_seconds When the last sample was taken.
# TYPE mapdiag_watch_last_sample_timestamp_seconds gauge
mapdiag_watch_last_sample_timestamp_seconds 1.7e9
'''

# (name, text, want): want is a list of substrings that must each appear in
# some problem, [] for no errors (warnings allowed), None for no problems.
CASES = [
    ("spec example", GOOD, []),
    ("spec example warns no help", GOOD, ["warning: something_weird has no HELP text"]),
    ("mapdiag-like", MAPDIAG_LIKE, None),
    ("empty help text", "# HELP a\n# TYPE a gauge\na 1\n", ["warning: a has no HELP text"]),
    ("help for histogram", "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
     None),
    ("empty file", "", None),
    ("only comments", "# just a comment\n#\n", None),
    ("values", "a NaN\nb +Inf\nc -Inf\nd inf\ne -1.5e-3\nf 1E3\ng .5\nh 5.\ni +0\nj nan\nk Infinity\n", []),
    ("hex float", "a 0x1p-2\n", ["not a float"]),
    ("hex float underscore", "a 0x_1p0\n", ["not a float"]),
    ("timestamp negative", "a 1 -5\n", []),
    ("trailing comma", 'a{x="1",} 1\n', []),
    ("blanks", ' \ta { x = "1" , y="2" }\t2\n', []),
    ("trailing blank sample", "a 1 \n", ["trailing blank"]),
    ("trailing tab after timestamp", "a 1 5\t\n", ["trailing blank"]),
    ("trailing blank type", "# TYPE a gauge \na 1\n", ["trailing blank"]),
    ("trailing blank help ok", "# HELP a doc \n# TYPE a gauge\na 1\n", None),
    ("trailing blank comment ok", "# note \n", None),
    ("labels empty braces", "a{} 1\n", []),
    ("label value utf8", 'a{x="é日本"} 1\n', []),
    ("bad metric name", "1abc 1\n", ["invalid metric name"]),
    ("bad metric name dash", "a-b 1\n", ["invalid metric name"]),
    ("value glued to labels", 'a{x="1"}1\n', []),
    ("bad label name", 'a{1x="1"} 1\n', ["invalid label name"]),
    ("bad label name colon", 'a{x:y="1"} 1\n', ["invalid label name"]),
    ("reserved label", 'a{__name__="b"} 1\n', ["__name__ is reserved"]),
    ("internal label warn", 'a{__x="b"} 1\n', ["warning: label name __x"]),
    ("bad escape", 'a{x="\\t"} 1\n', ["invalid escape"]),
    ("unterminated", 'a{x="1} 1\n', ["unterminated"]),
    ("unquoted value", "a{x=1} 1\n", ["expected '\"'"]),
    ("missing comma", 'a{x="1" y="2"} 1\n', ["expected ',' or '}'"]),
    ("duplicate label", 'a{x="1",x="2"} 1\n', ["duplicate label x"]),
    ("no value", "a\n", ["no value"]),
    ("bad value", "a 1,5\n", ["not a float"]),
    ("python-only underscore", "a 1_000\n", ["not a float"]),
    ("signed nan", "a +NaN\n", ["not a float"]),
    ("out of range", "a 1e400\n", ["not a float"]),
    ("hex without p", "a 0x10\n", ["not a float"]),
    ("bad timestamp", "a 1 1.5\n", ["timestamp"]),
    ("timestamp overflow", "a 1 9223372036854775808\n", ["timestamp"]),
    ("extra token", "a 1 2 3\n", ["unexpected text"]),
    ("no final newline", "a 1", ["line feed"]),
    ("crlf", "a 1\r\n", ["carriage return"]),
    ("unknown type", "# TYPE a gauges\na 1\n", ["unknown type"]),
    ("second type", "# TYPE a gauge\n# TYPE a gauge\na 1\n", ["second TYPE"]),
    ("second help", "# HELP a x\n# HELP a y\na 1\n", ["second HELP"]),
    ("type after sample", "a 1\n# TYPE a gauge\n", ["after its first sample"]),
    ("type after sum sample", "a_sum 1\n# TYPE a summary\n", ["after its first sample"]),
    ("help after sample ok", "a 1\n# HELP a later\n", []),
    ("help bad escape", "# HELP a x\\ty\na 1\n", ["invalid escape"]),
    ("help quote escape", '# HELP a say \\"hi\\"\na 1\n', ["invalid escape"]),
    ("help escapes ok", "# HELP a back\\\\slash new\\nline\na 1\n", []),
    ("not contiguous", 'a{x="1"} 1\nb 2\na{x="2"} 3\n', ["not contiguous"]),
    ("not contiguous via help", "# HELP a x\nb 1\n# TYPE a gauge\na 1\n", ["not contiguous"]),
    ("histogram parts interleaved", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nx 1\nh_sum 1\n",
     ["not contiguous"]),
    ("duplicate series", 'a{x="1",y="2"} 1\na{y="2",x="1"} 2\n', ["duplicate series"]),
    ("duplicate series no labels", "a 1\na 2\n", ["duplicate series"]),
    ("counter without _total", "# TYPE a counter\na 1\n", ["warning: counter a"]),
    ("counter negative", "# TYPE a_total counter\na_total -1\n", ["negative"]),
    ("histogram no le", '# TYPE h histogram\nh_bucket 1\nh_sum 1\nh_count 1\n', ["without an le"]),
    ("histogram no +Inf", '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', ["no le=\"+Inf\""]),
    ("histogram bare name", '# TYPE h histogram\nh 1\n', ["sample named h"]),
    ("histogram bad le", '# TYPE h histogram\nh_bucket{le="x"} 1\nh_bucket{le="+Inf"} 1\n', ["le='x'"]),
    ("summary no quantile", "# TYPE s summary\ns 1\n", ["without a quantile"]),
    ("summary quantile on sum", '# TYPE s summary\ns_sum{quantile="0.5"} 1\n', ["quantile label on"]),
    ("gauge named like bucket", 'x_bucket{le="1"} 1\n', []),
    ("type without name", "# TYPE\n", ["without a metric name"]),
    ("help invalid name", "# HELP 9a x\n", ["invalid metric name"]),
    ("not utf8", b"a{x=\"\xff\"} 1\n", ["not UTF-8"]),
    ("name with colon", "job:rate5m 1\n", ["warning: job:rate5m: metric names should not contain ':'"]),
    ("camel case", '# HELP fooBar x\n# TYPE fooBar gauge\nfooBar{myLabel="1"} 1\n',
     ["warning: fooBar: metric names should be snake_case", "warning: label name myLabel"]),
    ("gauge with _count", "# HELP a_count x\n# TYPE a_count gauge\na_count 1\n", ["warning: gauge a_count"]),
    ("gauge with le", '# HELP a x\n# TYPE a gauge\na{le="1"} 1\n', ["only histograms should have an le"]),
]


# (name, text, substrings each expected in some conventions() problem; []
# for none)
CONV_CASES = [
    ("mapdiag-like follows them", MAPDIAG_LIKE.replace(
        "mapdiag_map_write_duty ", "mapdiag_map_write_duty_ratio ").replace(
        "mapdiag_map_write_duty{", "mapdiag_map_write_duty_ratio{"), []),
    ("no help", "# TYPE a gauge\na 1\n", ["a has no HELP"]),
    ("empty help", "# HELP a \n# TYPE a gauge\na 1\n", ["a has no HELP"]),
    ("no type", "# HELP a x\na 1\n", ["a has no TYPE"]),
    ("untyped", "# HELP a x\n# TYPE a untyped\na 1\n", ["a has no TYPE"]),
    ("counter without _total", "# HELP a x\n# TYPE a counter\na 1\n", ["counter a"]),
    ("gauge with _total", "# HELP a_total x\n# TYPE a_total gauge\na_total 1\n",
     ["only counters end in _total"]),
    ("unit in the middle", "# HELP m_bytes_held x\n# TYPE m_bytes_held gauge\nm_bytes_held 1\n",
     ["unit bytes is not the last"]),
    ("unit before _total ok", "# HELP m_idle_seconds_total x\n# TYPE m_idle_seconds_total counter\n"
     "m_idle_seconds_total 1\n", []),
    ("seconds in the middle of a counter", "# HELP m_seconds_idle_total x\n"
     "# TYPE m_seconds_idle_total counter\nm_seconds_idle_total 1\n", ["unit seconds"]),
    ("rate gauge", "# HELP m_inserts_per_second x\n# TYPE m_inserts_per_second gauge\n"
     "m_inserts_per_second 1\n", ["pre-computed rate"]),
    ("milliseconds", "# HELP m_pause_milliseconds x\n# TYPE m_pause_milliseconds gauge\n"
     "m_pause_milliseconds 1\n", ["not a base unit"]),
    ("info not 1", '# HELP m_build_info x\n# TYPE m_build_info gauge\nm_build_info{v="1"} 2\n',
     ["values are 1"]),
    ("info counter", '# HELP m_build_info x\n# TYPE m_build_info counter\nm_build_info 1\n',
     ["an _info family is a gauge"]),
    ("info ok", '# HELP m_build_info x\n# TYPE m_build_info gauge\nm_build_info{v="1"} 1\n', []),
    ("timestamp counter", "# HELP t_timestamp_seconds_total x\n"
     "# TYPE t_timestamp_seconds_total counter\nt_timestamp_seconds_total 1\n", []),
    ("timestamp gauge ok", "# HELP t_timestamp_seconds x\n# TYPE t_timestamp_seconds gauge\n"
     "t_timestamp_seconds 1.7e9\n", []),
    ("timestamp untyped", "# HELP t_timestamp_seconds x\nt_timestamp_seconds 1.7e9\n",
     ["a timestamp is a gauge"]),
    ("histogram parts are one family", "# HELP h_seconds x\n# TYPE h_seconds histogram\n"
     'h_seconds_bucket{le="+Inf"} 1\nh_seconds_sum 1\nh_seconds_count 1\n', []),
]


def self_test():
    passed = failed = 0
    for name, text, want in CONV_CASES:
        got = conventions(text)
        good = not got if not want else all(any(w in g for g in got) for w in want)
        if good:
            passed += 1
        else:
            failed += 1
            print("FAIL conventions %s: want %r, got %r" % (name, want, got))
    for name, text, want in CASES:
        got = check(text)
        if want is None:
            ok = not got
        elif want:
            ok = all(any(w in g for g in got) for w in want)
        else:
            ok = not errors(got)
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s: want %r, got %r" % (name, want, got))
    # parse_go_float spot checks
    for s, v in (("1", 1.0), ("-0x1.8p1", None), ("1E3", 1000.0), ("+.5e1", 5.0), ("1e400", None),
                 ("-1e-400", -0.0), ("INF", math.inf), ("-infinity", -math.inf)):
        if parse_go_float(s) == v:
            passed += 1
        else:
            failed += 1
            print("FAIL parse_go_float(%r) = %r, want %r" % (s, parse_go_float(s), v))
    print("%d passed, %d failed" % (passed, failed))
    return failed == 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return 0 if self_test() else 1
    strict = "--strict" in argv[1:]
    conv = "--conventions" in argv[1:]
    files = [a for a in argv[1:] if a not in ("--strict", "--conventions")]
    if not files:
        print("usage: promcheck.py [--strict] [--conventions] FILE... | --self-test", file=sys.stderr)
        return 2
    bad = False
    for f in files:
        try:
            with open(f, "rb") as fh:
                data = fh.read()
        except OSError as e:
            print("%s: %s" % (f, e))
            bad = True
            continue
        probs = check(data) + (conventions(data) if conv else [])
        for x in probs:
            print("%s: %s" % (f, x))
        if errors(probs) or (strict and probs):
            bad = True
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
