"""The IDL model: loads idl/*.yaml, checks it, and answers type questions
(C++ spelling, Go-JSON codec, zero test) for the templates."""
import os
import re
from dataclasses import dataclass, field

import yaml

PRIMITIVES = {
    # idl type: (C++ type, wire codec suffix, by-value parameter?)
    "string": ("std::string", "String", False),
    "bytes": ("std::string", "Bytes", False),
    "bool": ("bool", "Bool", True),
    "int32": ("int32_t", "Int32", True),
    "int64": ("int64_t", "Int64", True),
    "uint32": ("uint32_t", "Uint32", True),
    "float32": ("float", "Float32", True),
    "float64": ("double", "Float64", True),
}


class IdlError(Exception):
    pass


@dataclass
class Type:
    kind: str  # primitive | record | list | map | optional
    name: str = ""
    elem: "Type" = None

    @staticmethod
    def parse(text, records):
        text = text.strip()
        if text.endswith("?"):
            inner = Type.parse(text[:-1], records)
            if inner.kind not in ("record", "primitive"):
                raise IdlError(f"only records and scalars may be optional ('{text}')")
            return Type("optional", elem=inner)
        m = re.fullmatch(r"(list|map)<(.+)>", text)
        if m:
            return Type(m.group(1), elem=Type.parse(m.group(2), records))
        if text in PRIMITIVES:
            return Type("primitive", name=text)
        if text in records:
            return Type("record", name=text)
        raise IdlError(f"unknown type '{text}'")

    @property
    def cpp(self):
        if self.kind == "primitive":
            return PRIMITIVES[self.name][0]
        if self.kind == "record":
            return f"::pier::wire::{self.name}"
        if self.kind == "list":
            return f"std::vector<{self.elem.cpp}>"
        if self.kind == "map":
            return f"std::map<std::string, {self.elem.cpp}>"
        return f"std::optional<{self.elem.cpp}>"

    @property
    def param_cpp(self):
        """How a plugin-kit wrapper takes a value of this type."""
        if self.kind == "primitive" and self.name in ("string", "bytes"):
            return "std::string_view"
        if self.kind == "primitive":
            return self.cpp
        return f"const {self.cpp}&"

    @property
    def decoder(self):
        """A C++ callable (json, T*, path) -> Status."""
        if self.kind == "primitive":
            return f"::pier::wire::Decode{PRIMITIVES[self.name][1]}"
        if self.kind == "record":
            return f"::pier::wire::Decode{self.name}"
        fn = {"list": "DecodeList", "map": "DecodeMap", "optional": "DecodeOptional"}[self.kind]
        return (f"[](const ::pier::wire::Json& j, {self.cpp}* o, const std::string& p) "
                f"{{ return ::pier::wire::{fn}(j, o, p, {self.elem.decoder}); }}")

    @property
    def encoder(self):
        """A C++ callable (const T&) -> Json."""
        if self.kind == "primitive":
            return f"::pier::wire::Encode{PRIMITIVES[self.name][1]}"
        if self.kind == "record":
            return f"::pier::wire::Encode{self.name}"
        fn = {"list": "EncodeList", "map": "EncodeMap", "optional": "EncodeOptional"}[self.kind]
        return f"[](const {self.cpp}& v) {{ return ::pier::wire::{fn}(v, {self.elem.encoder}); }}"

    def sample(self, name):
        """A C++ expression of the round-trip sample of this type for variant `v`."""
        if self.kind == "primitive":
            return f'Sample{PRIMITIVES[self.name][1]}(v, "{name}")'
        if self.kind == "record":
            return f"Sample{self.name}(v)"
        fn = {"list": "SampleList", "map": "SampleMap", "optional": "SampleOptional"}[self.kind]
        return f"{fn}(v, [](int v) {{ return {self.elem.sample(name)}; }})"

    @property
    def can_be_zero(self):
        """Whether Go's omitempty can drop it (records never are)."""
        return self.kind != "record"

    @property
    def doc(self):
        if self.kind == "primitive":
            return self.name
        if self.kind == "record":
            return self.name
        if self.kind == "optional":
            return f"{self.elem.doc}?"
        return f"{self.kind}<{self.elem.doc}>"


def snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


@dataclass
class Field:
    name: str
    type: Type
    omitempty: bool = False
    doc: str = ""

    @property
    def member(self):
        return snake(self.name)


@dataclass
class Record:
    name: str
    fields: list
    doc: str = ""
    origin: str = ""  # shared | service | capability


@dataclass
class Function:
    service: "Service"
    name: str
    params: list
    results: list
    doc: str = ""

    @property
    def wire_name(self):
        return f"{self.service.prefix}_{self.name.lower()}"

    @property
    def request(self):
        return f"{self.service.name}{self.name}Request"

    @property
    def response(self):
        return f"{self.service.name}{self.name}Response"

    @property
    def kit_name(self):
        return f"{self.service.name}{self.name}"

    @property
    def kit_return(self):
        if not self.results:
            return "::pier::Status"
        if len(self.results) == 1:
            return f"::pier::Result<{self.results[0].type.cpp}>"
        return f"::pier::Result<::pier::wire::{self.response}>"


@dataclass
class Service:
    name: str
    prefix: str
    permission: str
    doc: str
    functions: list = field(default_factory=list)

    @property
    def file(self):
        return self.prefix

    @property
    def interface(self):
        return f"{self.name}Service"


@dataclass
class Export:
    capability: "Capability"
    export: str
    method: str
    input: Type
    output: Type  # None for none
    required: bool
    doc: str = ""

    @property
    def result_cpp(self):
        """What the plugin's method returns."""
        return "::pier::Status" if self.output is None else f"::pier::Result<{self.output.cpp}>"

    @property
    def value_cpp(self):
        """The decoded output on the host side."""
        return "std::monostate" if self.output is None else self.output.cpp


@dataclass
class Capability:
    name: str
    spec_name: str
    doc: str
    exports: list = field(default_factory=list)

    @property
    def file(self):
        return snake(self.name)

    @property
    def macro(self):
        return "PIER_REGISTER_" + snake(self.name).upper()


class Model:
    def __init__(self, idl_dir):
        self.records = {}
        self.services = []
        self.capabilities = []
        raw_shared = self._load(os.path.join(idl_dir, "types.yaml"))["types"]
        raw_services = [self._load(os.path.join(idl_dir, "services", f))
                        for f in sorted(os.listdir(os.path.join(idl_dir, "services"))) if f.endswith(".yaml")]
        raw_caps = [self._load(os.path.join(idl_dir, "capabilities", f))
                    for f in sorted(os.listdir(os.path.join(idl_dir, "capabilities"))) if f.endswith(".yaml")]
        # Declare every record name first so fields may refer to any of them.
        for t in raw_shared:
            self._declare(t["name"], "shared")
        for c in raw_caps:
            for t in c.get("types", []):
                self._declare(t["name"], "capability")
        for s in raw_services:
            for f in s["functions"]:
                self._declare(f"{s['service']}{f['name']}Request", "service")
                self._declare(f"{s['service']}{f['name']}Response", "service")
        for t in raw_shared:
            self._define(t["name"], t.get("fields", []), t.get("doc", ""))
        for c in raw_caps:
            for t in c.get("types", []):
                self._define(t["name"], t.get("fields", []), t.get("doc", ""))
        for s in raw_services:
            svc = Service(s["service"], s["prefix"], s.get("permission", ""), s.get("doc", ""))
            for f in s["functions"]:
                params = [self._field(p) for p in f.get("params", [])]
                results = [self._field({**r, "omitempty": True}) for r in f.get("results", [])]
                fn = Function(svc, f["name"], params, results, f.get("doc", ""))
                self._define(fn.request, f.get("params", []), f"Request of {fn.wire_name}.")
                self._define(fn.response, [{**r, "omitempty": True} for r in f.get("results", [])],
                             f"Response of {fn.wire_name}.")
                svc.functions.append(fn)
            self.services.append(svc)
        for c in raw_caps:
            cap = Capability(c["capability"], c.get("spec_name", c["capability"]), c.get("doc", ""))
            for e in c["exports"]:
                out = None if e["output"] == "none" else Type.parse(e["output"], self.records)
                cap.exports.append(Export(cap, e["export"], e["method"], Type.parse(e["input"], self.records),
                                          out, bool(e.get("required", False)), e.get("doc", "")))
            self.capabilities.append(cap)
        self._check()

    @staticmethod
    def _load(path):
        with open(path) as f:
            return yaml.safe_load(f)

    def _declare(self, name, origin):
        if name in self.records:
            raise IdlError(f"record {name} is defined twice")
        self.records[name] = Record(name, [], "", origin)

    def _field(self, raw):
        return Field(raw["name"], Type.parse(raw["type"], self.records), bool(raw.get("omitempty", False)),
                     raw.get("doc", ""))

    def _define(self, name, raw_fields, doc):
        rec = self.records[name]
        rec.fields = [self._field(f) for f in raw_fields]
        rec.doc = doc

    def _check(self):
        wire = [fn.wire_name for s in self.services for fn in s.functions]
        if len(wire) != len(set(wire)):
            raise IdlError("two host functions share a wire name")
        exports = [e.export for c in self.capabilities for e in c.exports]
        if len(exports) != len(set(exports)):
            raise IdlError("two capability exports share a name")

    def ordered_records(self):
        """Records with every record a field uses defined before it."""
        done, out = set(), []

        def visit(name, stack=()):
            if name in done:
                return
            if name in stack:
                raise IdlError(f"record {name} contains itself")
            for f in self.records[name].fields:
                t = f.type
                while t.kind in ("list", "map", "optional"):
                    t = t.elem
                if t.kind == "record":
                    visit(t.name, stack + (name,))
            done.add(name)
            out.append(self.records[name])

        for name in self.records:
            visit(name)
        return out
