#!/usr/bin/python3
"""validate.py DIR: checks DIR/hsds (kasane's HSDS 3.0 output, docs/hsds.md)
against the official HSDS 3.0 JSON Schemas beside this file, with
additionalProperties false everywhere (as the specification's own
validate_examples_json_schema.sh does), formats checked (uuid), and the
references between files resolved.  Exit 0 when valid, 1 with the errors."""
import gzip, json, os, sys
import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))

def load(name):
    p = os.path.join(HERE, name)
    if os.path.exists(p + ".gz"):
        with gzip.open(p + ".gz", "rt", encoding="utf-8") as f:
            return json.load(f)
    with open(p, encoding="utf-8") as f:
        return json.load(f)

def closed(s):
    if isinstance(s, dict):
        s = {k: closed(v) for k, v in s.items()}
        if "properties" in s:
            s["additionalProperties"] = False
        return s
    if isinstance(s, list):
        return [closed(v) for v in s]
    return s

def inline(s):
    """taxonomy.json etc. refer to metadata.json / taxonomy.json by name"""
    if isinstance(s, dict):
        if set(s) >= {"$ref"} and not s["$ref"].startswith("#"):
            r = dict(s)
            target = inline(load(r.pop("$ref")))
            target.update({k: v for k, v in r.items() if k not in ("name", "title", "description")})
            return target
        return {k: inline(v) for k, v in s.items()}
    if isinstance(s, list):
        return [inline(v) for v in s]
    return s

openapi = load("openapi.json")
page = openapi["components"]["schemas"]["Page"]

def paged(item):
    props = dict(page["properties"])
    props["contents"] = {"type": "array", "items": item}
    return {"type": "object", "properties": props, "required": list(props)}

single = {
    "services": load("compiled/service.json"),
    "organizations": load("compiled/organization.json"),
    "service_at_locations": load("compiled/service_at_location.json"),
    "taxonomies": inline(load("taxonomy.json")),
    "taxonomy_terms": inline(load("taxonomy_term.json")),
}
lists = {
    "services": load("compiled/service_list.json"),
    "organizations": load("compiled/organization_list.json"),
    "service_at_locations": load("compiled/service_at_location_list.json"),
    "taxonomies": single["taxonomies"],
    "taxonomy_terms": single["taxonomy_terms"],
}
root = openapi["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
root = dict(root, required=["version", "profile", "openapi_url"])

fc = jsonschema.FormatChecker()
errors = []

def check(path, schema):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    v = jsonschema.Draft7Validator(closed(schema), format_checker=fc)
    for e in v.iter_errors(doc):
        errors.append("%s: %s: %s" % (path, "/".join(map(str, e.absolute_path)), e.message[:300]))
    return doc

d = os.path.join(sys.argv[1], "hsds")
check(os.path.join(d, "index.json"), root)
ids = {}
nfiles = 1
for name in single:
    pg = check(os.path.join(d, name + ".json"), paged(lists[name]))
    nfiles += 1
    folder = os.path.join(d, name)
    files = sorted(os.listdir(folder))
    ids[name] = set()
    for fn in files:
        doc = check(os.path.join(folder, fn), single[name])
        nfiles += 1
        if fn != doc.get("id") + ".json":
            errors.append("%s/%s: file name is not its id %s" % (folder, fn, doc.get("id")))
        ids[name].add(doc["id"])
    listed = {c["id"] for c in pg.get("contents", [])}
    if listed != ids[name] or pg.get("total_items") != len(files):
        errors.append("%s.json: the list and the folder disagree" % name)
# references resolve
for fn in os.listdir(os.path.join(d, "services")):
    s = json.load(open(os.path.join(d, "services", fn), encoding="utf-8"))
    if s["organization_id"] not in ids["organizations"]:
        errors.append("service %s: unknown organization %s" % (s["id"], s["organization_id"]))
    for a in s.get("attributes", []):
        if a["taxonomy_term_id"] not in ids["taxonomy_terms"]:
            errors.append("service %s: unknown term %s" % (s["id"], a["taxonomy_term_id"]))
for fn in os.listdir(os.path.join(d, "taxonomy_terms")):
    t = json.load(open(os.path.join(d, "taxonomy_terms", fn), encoding="utf-8"))
    if t["taxonomy_id"] not in ids["taxonomies"]:
        errors.append("term %s: unknown taxonomy" % t["id"])
allids = [i for s in ids.values() for i in s]
if len(allids) != len(set(allids)):
    errors.append("an id is used by two objects")
for e in errors:
    print(e)
print("%s: %d files, %d errors" % (d, nfiles, len(errors)))
sys.exit(1 if errors else 0)
