#!/usr/bin/python3
"""Validates NIST SP 1500-100 V2 election results files (Canvass's release-N-cdf.json) against
the published V2 JSON schema, with a JSON Schema draft-04 validator (Debian's python3-jsonschema).

    validate_cdf.py SCHEMA.json FILE.json [FILE.json ...]

Beyond the schema's draft-04 rules it checks what the schema states but draft-04 cannot enforce:
every "@id" is unique in its file, and every reference the schema marks with "refTypes"
(GpUnitId, ComposingGpUnitIds, CandidateIds, ElectionDistrictId, ElectionScopeId, ...) names an
object of the file whose "@type" is one of those types. A "oneOf" among classes is decided by the
object's "@type" (each such class requires "@type" to be its own name, so the verdict is the
same), and its errors are the errors of that class.

Prints every error as "FILE: /json/pointer: message", then one line per file with its count.
Exit 0: every file is valid; 1: errors; 2: usage, unreadable input or no validator.
"""

import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate_cdf.py: the jsonschema module is missing (Debian: apt-get install "
          "python3-jsonschema, as scripts/setup does); run it with /usr/bin/python3",
          file=sys.stderr)
    sys.exit(2)


def pointer(path):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def collect_ids(node, ids, duplicates, path):
    if isinstance(node, dict):
        if "@id" in node and isinstance(node["@id"], str):
            if node["@id"] in ids:
                duplicates.append((path, node["@id"]))
            else:
                ids[node["@id"]] = node.get("@type")
        for k, v in node.items():
            collect_ids(v, ids, duplicates, path + [k])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            collect_ids(v, ids, duplicates, path + [i])


def validator_for(schema, ids):
    def ref_types(validator, types, instance, _schema):
        if not isinstance(instance, str):
            return
        if instance not in ids:
            yield jsonschema.ValidationError(
                "%r names no object of this file (it must be a %s)" % (instance, " or ".join(types)))
        elif ids[instance] not in types:
            yield jsonschema.ValidationError(
                "%r is a %s, where the schema requires %s" % (instance, ids[instance],
                                                              " or ".join(types)))

    draft4_one_of = jsonschema.Draft4Validator.VALIDATORS["oneOf"]

    def one_of(validator, branches, instance, schema):
        # Every class the schema chooses among with "oneOf" (a GpUnit is a ReportingUnit or a
        # ReportingDevice, a Contest one of four kinds, ...) requires "@type" to be its own name,
        # so the object's "@type" decides the branch: validating it against that class alone is
        # the same verdict, names the real errors rather than "not valid under any of the given
        # schemas", and does not walk every VoteCounts of a contest four times over.
        kind = instance.get("@type") if isinstance(instance, dict) else None
        if isinstance(kind, str):
            for i, branch in enumerate(branches):
                if isinstance(branch, dict) and branch.get("$ref", "").endswith("/" + kind):
                    yield from validator.descend(instance, branch, schema_path=i)
                    return
        yield from draft4_one_of(validator, branches, instance, schema)

    cls = jsonschema.validators.extend(jsonschema.Draft4Validator,
                                       {"refTypes": ref_types, "oneOf": one_of})
    return cls(schema, format_checker=jsonschema.draft4_format_checker)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft4Validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print("validate_cdf.py: %s: %s" % (argv[1], e), file=sys.stderr)
        return 2
    total = 0
    for name in argv[2:]:
        try:
            with open(name, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print("validate_cdf.py: %s: %s" % (name, e), file=sys.stderr)
            return 2
        ids, duplicates = {}, []
        collect_ids(doc, ids, duplicates, [])
        errors = []
        for path, value in duplicates:
            errors.append((pointer(path + ["@id"]), "%r is the @id of an earlier object" % value))
        for error in validator_for(schema, ids).iter_errors(doc):
            errors.append((pointer(error.absolute_path), error.message))
        for where, message in errors:
            print("%s: %s: %s" % (name, where, message))
        print("%s: %d error%s against %s" % (name, len(errors), "" if len(errors) == 1 else "s",
                                             argv[1]))
        total += len(errors)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
