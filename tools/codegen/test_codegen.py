"""Tests of the generator: the repository's generated files are current, the
output for a small fixture IDL matches its golden files, and bad IDL is
refused with a clear message.

  python3 -m unittest discover -s tools/codegen -p 'test_*.py'
  # after an intended change of output:
  tools/codegen/pier_codegen.py --idl tools/codegen/testdata/mini_idl --out tools/codegen/testdata/golden --suffix .golden
"""
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pier_codegen  # noqa: E402
from model import IdlError, Model, Type  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
MINI = os.path.join(HERE, "testdata", "mini_idl")
GOLDEN = os.path.join(HERE, "testdata", "golden")


class RepositoryIsCurrent(unittest.TestCase):
    def test_regenerating_changes_nothing(self):
        stale = []
        for rel, text in pier_codegen.render_all(Model(os.path.join(ROOT, "idl"))).items():
            path = os.path.join(ROOT, rel)
            if not os.path.exists(path) or open(path).read() != text:
                stale.append(rel)
        self.assertEqual(stale, [], "generated files are out of date: run tools/codegen/pier_codegen.py")


class Golden(unittest.TestCase):
    def test_mini_idl_matches_golden_files(self):
        files = pier_codegen.render_all(Model(MINI))
        on_disk = set()
        for base, _, names in os.walk(GOLDEN):
            for n in names:
                on_disk.add(os.path.relpath(os.path.join(base, n), GOLDEN)[: -len(".golden")])
        self.assertEqual(set(files), on_disk)
        for rel, text in files.items():
            with self.subTest(file=rel):
                self.assertEqual(text, open(os.path.join(GOLDEN, rel + ".golden")).read())

    def test_wire_names_and_shapes(self):
        m = Model(MINI)
        echo = m.services[0]
        self.assertEqual([f.wire_name for f in echo.functions], ["echo_bytes", "echo_points", "echo_forget"])
        self.assertEqual(echo.functions[0].kit_return, "::pier::Result<std::string>")
        self.assertEqual(echo.functions[1].kit_return, "::pier::Result<::pier::wire::EchoPointsResponse>")
        self.assertEqual(echo.functions[2].kit_return, "::pier::Status")
        self.assertTrue(all(r.omitempty for f in echo.functions for r in f.results), "results are always omitempty")
        greeter = m.capabilities[0]
        self.assertEqual(greeter.spec_name, "Greeting")
        self.assertEqual(greeter.macro, "PIER_REGISTER_GREETER")
        self.assertTrue(greeter.exports[0].required)


class Types(unittest.TestCase):
    def test_spelling(self):
        records = {"Point": None}
        self.assertEqual(Type.parse("map<list<bytes>>", records).cpp,
                         "std::map<std::string, std::vector<std::string>>")
        self.assertEqual(Type.parse("Point?", records).cpp, "std::optional<::pier::wire::Point>")
        self.assertEqual(Type.parse("bytes", records).decoder, "::pier::wire::DecodeBytes")
        self.assertEqual(Type.parse("string", records).param_cpp, "std::string_view")
        self.assertFalse(Type.parse("Point", records).can_be_zero)

    def test_bad_types_are_refused(self):
        with self.assertRaisesRegex(IdlError, "unknown type 'Nope'"):
            Type.parse("list<Nope>", {})
        with self.assertRaisesRegex(IdlError, "only records and scalars may be optional"):
            Type.parse("list<string>?", {})
        self.assertEqual(Type.parse("int64?", {}).cpp, "std::optional<int64_t>")
        self.assertEqual(Type.parse("map<list<string>>", {}).cpp,
                         "std::map<std::string, std::vector<std::string>>")


class BadIdl(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        shutil.copytree(MINI, self.dir, dirs_exist_ok=True)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write(self, rel, text):
        with open(os.path.join(self.dir, rel), "w") as f:
            f.write(text)

    def test_duplicate_wire_name(self):
        self.write("services/echo2.yaml",
                   "service: Echo2\nprefix: echo\nfunctions:\n  - {name: Bytes, params: [], results: []}\n")
        with self.assertRaisesRegex(IdlError, "share a wire name"):
            Model(self.dir)

    def test_record_containing_itself(self):
        self.write("types.yaml", "types:\n  - name: Loop\n    fields: [{name: next, type: Loop}]\n"
                                 "  - name: Point\n    fields: [{name: x, type: int32}]\n")
        with self.assertRaisesRegex(IdlError, "contains itself"):
            Model(self.dir).ordered_records()

    def test_unknown_field_type(self):
        self.write("services/echo.yaml",
                   "service: Echo\nprefix: echo\nfunctions:\n  - {name: X, params: [{name: a, type: Wat}], results: []}\n")
        with self.assertRaisesRegex(IdlError, "unknown type 'Wat'"):
            Model(self.dir)


if __name__ == "__main__":
    unittest.main()
