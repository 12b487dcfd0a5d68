"""Prints benchmark figures as ratios to a baseline from the same run."""
import json
import sys

data = json.load(open(sys.argv[1]))
median = {}
for b in data["benchmarks"]:
    if b.get("aggregate_name") == "median":
        median[b["run_name"]] = b

def t(name):
    b = median.get(name)
    if not b:
        return None
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
    return b["real_time"] * scale

def show(label, value, base, base_label):
    if value is None or base is None:
        return
    print(f"  {label:<34} {value*1e6:>12.2f} us   = {value/base:>7.2f} x {base_label}")

print("\nFigures (median of 3) and ratios to a baseline from this run:")
floor = t("BM_MinimalCall")
if floor:
    print(f"  {'minimal warm call (baseline)':<34} {floor*1e6:>12.2f} us")
for lang in ("cpp", "go"):
    pooled = t(f"BM_JsonEcho/{lang}_pooled")
    fresh = t(f"BM_JsonEcho/{lang}_fresh")
    show(f"{lang} plain echo, pooled", t(f"BM_PlainEcho/{lang}_pooled"), floor, "minimal call")
    show(f"{lang} JSON echo, pooled", pooled, floor, "minimal call")
    show(f"{lang} JSON echo, fresh from snapshot", fresh, pooled, f"{lang} pooled")
    show(f"{lang} JSON echo, fresh + _initialize", t(f"BM_JsonEcho/{lang}_fresh_initialize"), pooled, f"{lang} pooled")
hc = t("BM_HostCalls1MiB")
if hc:
    print(f"  {'1 MiB via load/store_u64':<34} {hc*1e3:>12.2f} ms   = {hc/262144*1e9:.1f} ns per host call (262,144 calls)")
comp, cached = t("BM_GoLoad/compile/iterations:3"), t("BM_GoLoad/cached/iterations:10")
if comp and cached:
    print(f"  {'Go plugin load, compile':<34} {comp*1e3:>12.1f} ms")
    print(f"  {'Go plugin load, from disk cache':<34} {cached*1e3:>12.1f} ms   = {comp/cached:.1f} x faster than compiling")
