"""The subset of JSON Schema (2020-12) that doc/json-schema.json is written
in, validated with the standard library only (the machines that run the
tests have no pip and no network):

    type (a name or a list), enum, const, properties, required,
    additionalProperties: false, unevaluatedProperties: false, items,
    anyOf, allOf, $ref ("#/$defs/NAME"), minimum, pattern

Any other keyword in the schema is an error, so that the file cannot say
more than this checks.  JSON's integers and floats are told apart as
Python's json module parses them (1 is an integer, 1.0 a number), and a
boolean is never an integer.

    errors = validate(instance, schema, root)   # [] when it conforms
"""

import re

KEYWORDS = {"type", "enum", "const", "properties", "required", "additionalProperties",
            "unevaluatedProperties", "items", "anyOf", "allOf", "$ref", "minimum", "pattern"}


def _is(kind, v):
    if kind == "null":
        return v is None
    if kind == "boolean":
        return isinstance(v, bool)
    if kind == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if kind == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if kind == "string":
        return isinstance(v, str)
    if kind == "array":
        return isinstance(v, list)
    if kind == "object":
        return isinstance(v, dict)
    raise ValueError("unknown type %r" % kind)


def _same(a, b):
    """JSON equality: true is not 1."""
    return type(a) is type(b) and a == b or (
        isinstance(a, (int, float)) and isinstance(b, (int, float)) and
        not isinstance(a, bool) and not isinstance(b, bool) and a == b)


def resolve(ref, root):
    if not ref.startswith("#/$defs/"):
        raise ValueError("unsupported $ref %r" % ref)
    return root["$defs"][ref[len("#/$defs/"):]]


def _check(v, s, root, path, errs):
    """Append what is wrong with v at path; return the names of the
    members of v that s evaluated (for unevaluatedProperties)."""
    unknown = set(s) - KEYWORDS - {"$comment"}
    if unknown:
        raise ValueError("schema at %s uses %s, outside the subset" % (path, sorted(unknown)))
    seen = set()
    if "$ref" in s:
        seen |= _check(v, resolve(s["$ref"], root), root, path, errs)
    if "type" in s:
        kinds = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(_is(k, v) for k in kinds):
            errs.append("%s: %r is not %s" % (path, v, " or ".join(kinds)))
            return seen
    if "const" in s and not _same(v, s["const"]):
        errs.append("%s: %r is not %r" % (path, v, s["const"]))
    if "enum" in s and not any(_same(v, e) for e in s["enum"]):
        errs.append("%s: %r is not one of %r" % (path, v, s["enum"]))
    if "minimum" in s and _is("number", v) and v < s["minimum"]:
        errs.append("%s: %r is below %r" % (path, v, s["minimum"]))
    if "pattern" in s and isinstance(v, str) and not re.search(s["pattern"], v):
        errs.append("%s: %r does not match %s" % (path, v, s["pattern"]))
    if "items" in s and isinstance(v, list):
        for i, x in enumerate(v):
            _check(x, s["items"], root, "%s[%d]" % (path, i), errs)
    if isinstance(v, dict):
        props = s.get("properties", {})
        for k in s.get("required", []):
            if k not in v:
                errs.append("%s: member %r missing" % (path, k))
        for k, x in v.items():
            if k in props:
                _check(x, props[k], root, "%s.%s" % (path, k), errs)
                seen.add(k)
            elif s.get("additionalProperties") is False:
                errs.append("%s: member %r is not in the schema" % (path, k))
    for sub in s.get("allOf", []):
        seen |= _check(v, sub, root, path, errs)
    if "anyOf" in s:
        best = None
        for sub in s["anyOf"]:
            e = []
            got = _check(v, sub, root, path, e)
            if not e:
                seen |= got
                best = []
            elif best is None or (best and len(e) < len(best)):
                best = e
        if best:
            errs.append("%s: matches none of anyOf; the closest: %s" % (path, "; ".join(best)))
    if s.get("unevaluatedProperties") is False and isinstance(v, dict):
        for k in v:
            if k not in seen:
                errs.append("%s: member %r is not in the schema" % (path, k))
    return seen


def validate(instance, schema, root, path="$"):
    errs = []
    _check(instance, schema, root, path, errs)
    return errs


def members(schema, root):
    """{def name: {member: set of JSON types}} of every definition with
    properties: what doc/json-schema.md must document, member by member."""
    out = {}
    for name, d in root["$defs"].items():
        if "properties" in d:
            out[name] = {k: types(p, root) for k, p in d["properties"].items()}
    return out


def types(s, root):
    """The JSON types a schema admits, as names (integer counts as such)."""
    if "$ref" in s:
        return types(resolve(s["$ref"], root), root)
    if "type" in s:
        return set(s["type"] if isinstance(s["type"], list) else [s["type"]])
    if "anyOf" in s:
        return set().union(*(types(x, root) for x in s["anyOf"]))
    if "allOf" in s:
        return types(s["allOf"][0], root)
    vals = s["enum"] if "enum" in s else [s["const"]] if "const" in s else None
    if vals is None:
        raise ValueError("no type in %r" % s)
    names = set()
    for x in vals:
        names.add(next(k for k in ("null", "boolean", "integer", "number", "string",
                                   "array", "object") if _is(k, x)))
    return names
