#!/usr/bin/env python3
"""Generates Pier's bindings from the IDL (idl/): wire types and codecs, host
service interfaces and glue, capability callers, the C++ plugin kit's host
wrappers and capability bases, GoogleMock mocks, and the reference docs.

  tools/codegen/pier_codegen.py            # (re)write the generated files
  tools/codegen/pier_codegen.py --check    # exit 1, listing them, if any would change
  tools/codegen/pier_codegen.py --idl DIR --out DIR   # another IDL / output root (golden tests)
"""
import argparse
import difflib
import os
import sys

import jinja2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import Model  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


def render_all(model):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    records = model.ordered_records()
    result_types = sorted({fn.kit_return for s in model.services for fn in s.functions
                           if fn.kit_return != "::pier::Status"})
    ctx = dict(records=records, services=model.services, capabilities=model.capabilities,
               result_types=result_types,
               shared=[r for r in records if r.origin == "shared"],
               cap_types=[r for r in records if r.origin == "capability"],
               empty_records={r.name for r in records if not r.fields})
    out = {
        "include/pier/wire/types.h": env.get_template("wire_types.h.j2").render(ctx),
        "src/wire/types.cc": env.get_template("wire_types.cc.j2").render(ctx),
        "include/pier/services/host_services.h": env.get_template("host_services.h.j2").render(ctx),
        "src/services/generated/bindings.cc": env.get_template("bindings.cc.j2").render(ctx),
        "include/pier/capabilities/callers.h": env.get_template("callers.h.j2").render(ctx),
        "src/capabilities/generated/callers.cc": env.get_template("callers.cc.j2").render(ctx),
        "pdk/cpp/src/generated/host_wasm.cc": env.get_template("kit_host_wasm.cc.j2").render(ctx),
        "pdk/cpp/mocks/include/pier/mocks/host_mocks.h": env.get_template("kit_mocks.h.j2").render(ctx),
        "pdk/cpp/mocks/src/host_mocks.cc": env.get_template("kit_mocks.cc.j2").render(ctx),
        "docs/host-services.md": env.get_template("host_services.md.j2").render(ctx),
        "docs/capabilities.md": env.get_template("capabilities.md.j2").render(ctx),
        "tests/roundtrip/generated/samples.h": env.get_template("rt_samples.h.j2").render(ctx),
        "tests/roundtrip/generated/fake_services.h": env.get_template("rt_fakes.h.j2").render(ctx),
        "tests/roundtrip/generated/roundtrip_plugin.cc": env.get_template("rt_plugin.cc.j2").render(ctx),
        "tests/roundtrip/generated/caller_checks.h": env.get_template("rt_caller_checks.h.j2").render(ctx),
    }
    for svc in model.services:
        out[f"include/pier/services/{svc.file}.h"] = env.get_template("service.h.j2").render(ctx, svc=svc)
        out[f"pdk/cpp/include/pier/host/{svc.file}.h"] = env.get_template("kit_host.h.j2").render(ctx, svc=svc)
    for cap in model.capabilities:
        out[f"pdk/cpp/include/pier/capabilities/{cap.file}.h"] = (
            env.get_template("kit_capability.h.j2").render(ctx, cap=cap))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--idl", default=os.path.join(ROOT, "idl"))
    ap.add_argument("--out", default=ROOT)
    ap.add_argument("--check", action="store_true", help="report files that regenerating would change")
    ap.add_argument("--suffix", default="", help="append to every output name (golden files use .golden)")
    args = ap.parse_args()
    files = render_all(Model(args.idl))
    stale = []
    files = {rel + args.suffix: text for rel, text in files.items()}
    for rel, text in sorted(files.items()):
        path = os.path.join(args.out, rel)
        old = open(path).read() if os.path.exists(path) else None
        if old == text:
            continue
        if args.check:
            stale.append(rel)
            diff = difflib.unified_diff((old or "").splitlines(True), text.splitlines(True), rel, rel + " (regenerated)")
            sys.stdout.writelines(list(diff)[:40])
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {rel}")
    if args.check:
        if stale:
            print(f"\n{len(stale)} generated file(s) out of date; run tools/codegen/pier_codegen.py:")
            for rel in stale:
                print(f"  {rel}")
            return 1
        print(f"{len(files)} generated files up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
