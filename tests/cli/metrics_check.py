#!/usr/bin/python3
"""Reads Prometheus text from stdin, parses it with the Prometheus project's
own Python client (python3-prometheus-client) and checks what a scraper and
`promtool check metrics` care about. Prints every sample as one JSON line
{"name", "labels", "value"}; exits 1 with the problems on stderr.
"""
import json
import math
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
problems = []
name_re = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")

# Every family announces itself with HELP and TYPE before its samples.
declared = {}
for line in text.splitlines():
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split(" ", 3)
        declared[name] = kind
    elif line.startswith("# HELP "):
        pass
    elif line and not line.startswith("#"):
        sample = re.split(r"[{ ]", line, 1)[0]
        base = re.sub(r"_(bucket|sum|count)$", "", sample)
        if sample not in declared and base not in declared:
            problems.append(f"sample before its TYPE line: {sample}")

try:
    families = list(text_string_to_metric_families(text))
except Exception as e:  # the parser's own refusal is the first problem
    print(f"parse error: {e}", file=sys.stderr)
    sys.exit(1)

seen = set()
for f in families:
    if not name_re.match(f.name):
        problems.append(f"bad family name {f.name!r}")
    if f.type == "counter" and not f.name + "_total" in declared and f.name not in declared:
        problems.append(f"counter {f.name} has no TYPE line")
    if f.type == "histogram":
        series = {}
        for s in f.samples:
            key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
            series.setdefault(key, {"buckets": [], "count": None})
            if s.name.endswith("_bucket"):
                series[key]["buckets"].append((float(s.labels["le"]), s.value))
            elif s.name.endswith("_count"):
                series[key]["count"] = s.value
        for key, h in series.items():
            b = sorted(h["buckets"])
            if not b or not math.isinf(b[-1][0]):
                problems.append(f"{f.name}{dict(key)}: no +Inf bucket")
                continue
            if any(b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
                problems.append(f"{f.name}{dict(key)}: buckets not cumulative")
            if h["count"] != b[-1][1]:
                problems.append(f"{f.name}{dict(key)}: _count {h['count']} != +Inf bucket {b[-1][1]}")
    for s in f.samples:
        if f.type == "counter" and not s.name.endswith(("_total", "_created")):
            problems.append(f"counter sample {s.name} does not end in _total")
        if f.type == "counter" and s.value < 0:
            problems.append(f"counter {s.name} is negative")
        key = (s.name, tuple(sorted(s.labels.items())))
        if key in seen:
            problems.append(f"duplicate series {s.name}{s.labels}")
        seen.add(key)
        print(json.dumps({"name": s.name, "labels": s.labels, "value": s.value}))

if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
