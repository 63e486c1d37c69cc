#!/usr/bin/python3
"""Validate broker records against brokers/schema.json with python3-jsonschema.

Usage: jsonschema-check.py SCHEMA FILE...

This is the reference the C validator (src/schema.c) is tested against: for each
FILE it prints one line per error as "FILE: PATH: message", PATH being the JSON
path of the offending value (procedures[1].channel, or "(top)" for the root).
Beyond the schema it checks what JSON Schema cannot say: no duplicate keys, the
id equals the file name, procedure ids are unique within a broker, and every
"sensitive" field is one the procedure asks for (requires or requires_one_of).

Exit status: 0 if every FILE is valid, 1 if any is not, 2 on a usage error or
an unreadable or invalid SCHEMA.
"""

import json
import os
import sys

import jsonschema


class DuplicateKey(ValueError):
    """A JSON object names the same key twice."""


def reject_duplicates(pairs):
    """object_pairs_hook for json.load: build a dict, refusing repeated keys."""
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise DuplicateKey(key)
        obj[key] = value
    return obj


def format_path(parts):
    """Turn a jsonschema absolute_path deque into procedures[1].channel."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += "[%d]" % part
        elif out:
            out += "." + part
        else:
            out = part
    return out or "(top)"


def load(path):
    """Read one JSON file, rejecting duplicate keys."""
    with open(path, encoding="utf-8") as f:
        return json.load(f, object_pairs_hook=reject_duplicates)


def check_file(validator, path):
    """Validate one file; return a list of (json-path, message) pairs."""
    try:
        doc = load(path)
    except DuplicateKey as e:
        return [("(top)", "duplicate key %s" % json.dumps(str(e)))]
    except (OSError, ValueError) as e:
        return [("(top)", "cannot read JSON: %s" % e)]

    problems = []
    for error in sorted(validator.iter_errors(doc),
                        key=lambda e: [str(p) for p in e.absolute_path]):
        problems.append((format_path(error.absolute_path), error.message))

    if isinstance(doc, dict):
        stem = os.path.basename(path)
        if stem.endswith(".json"):
            stem = stem[:-len(".json")]
        if "id" in doc and doc["id"] != stem:
            problems.append(("id", "%s does not match the file name %s" %
                             (json.dumps(doc["id"]), json.dumps(stem))))
        procedures = doc.get("procedures")
        if isinstance(procedures, list):
            seen = {}
            for i, proc in enumerate(procedures):
                if not isinstance(proc, dict) or not isinstance(proc.get("id"), str):
                    continue
                if proc["id"] in seen:
                    problems.append(("procedures[%d].id" % i,
                                     "%s repeats procedures[%d].id" %
                                     (json.dumps(proc["id"]), seen[proc["id"]])))
                else:
                    seen[proc["id"]] = i
            for i, proc in enumerate(procedures):
                if not isinstance(proc, dict):
                    continue
                asked = set()
                for key in ("requires", "requires_one_of"):
                    if isinstance(proc.get(key), list):
                        asked.update(f for f in proc[key] if isinstance(f, str))
                sensitive = proc.get("sensitive")
                if not isinstance(sensitive, list):
                    continue
                for j, field in enumerate(sensitive):
                    if isinstance(field, str) and field not in asked:
                        problems.append(("procedures[%d].sensitive[%d]" % (i, j),
                                         "%s is not in requires or requires_one_of" %
                                         json.dumps(field)))
    return problems


def main(argv):
    """Check every FILE named on the command line against SCHEMA."""
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        sys.stderr.write("usage: jsonschema-check.py SCHEMA FILE...\n")
        return 2
    try:
        schema = load(argv[1])
        jsonschema.Draft202012Validator.check_schema(schema)
    except (OSError, ValueError, DuplicateKey,
            jsonschema.exceptions.SchemaError) as e:
        sys.stderr.write("jsonschema-check.py: %s: %s\n" % (argv[1], e))
        return 2
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.FormatChecker())

    status = 0
    for path in argv[2:]:
        for where, message in check_file(validator, path):
            print("%s: %s: %s" % (path, where, message))
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
