#!/usr/bin/env python3
"""scripts/check-purity.py must fail on every way around the pure-layer rule that the
architecture review (2026-12, table T4) found in the grep it replaced, and pass on the real
tree. Each case plants one bypass in a scratch copy of src/ and include/ and runs the check
on that copy with the configured build's flags (--tree).

Usage: tests/scripts/check_purity_test.py [--build-dir build/dev] [unittest args]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.path.join(ROOT, "scripts", "check-purity.py")
BUILD_DIR = os.path.join(ROOT, "build", "dev")

TEXT = "src/core/text/text.cpp"


def prepend(line):
    return lambda text: line + "\n" + text


def append(code):
    return lambda text: text + "\n" + code + "\n"


def probe(includes, body):
    """A function with external linkage, so its symbols stay in the object."""
    return append(includes + "\nnamespace coltec {\nlong purity_probe() {\n" + body + "\n}\n}")


def after_pragma_once(line):
    return lambda text: text.replace("#pragma once", "#pragma once\n" + line, 1)


# (what, module, file in the tree, edit, a word the report must contain)
BYPASSES = [
    ("#  include with spaces", "text", TEXT, prepend("#  include <boost/asio.hpp>"),
     "boost/asio.hpp"),
    ("#include  with two spaces", "text", TEXT, prepend("#include  <spdlog/spdlog.h>"),
     "spdlog/spdlog.h"),
    ("a quoted POSIX header", "text", TEXT, prepend('#include "unistd.h"'), "unistd.h"),
    ("standalone <asio.hpp>", "text", TEXT, prepend("#include <asio.hpp>"), "asio.hpp"),
    ("a macro include", "text", TEXT, prepend("#define H <fcntl.h>\n#include H"), "fcntl.h"),
    ("Asio in a private header", "planner", "src/core/planner/planner_internal.hpp",
     after_pragma_once("#include <boost/asio/io_context.hpp>"), "boost/asio"),
    ("Asio through another module's header", "rclone", "src/core/rclone/rclone_command_env.cpp",
     prepend("#include <coltec/scheduler_driver.hpp>"), "boost/asio"),
    ("a POSIX header after an include guard saw it", "text", TEXT,
     prepend("#include <memory>\n#include <unistd.h>"), "unistd.h"),
    ("logging from pure code", "text", TEXT,
     probe("#include <coltec/logging.hpp>",
           "std::string s; return Logger::capture(LogSettings{}, &s) != nullptr;"),
     "coltec::Logger::capture"),
    ("a system_clock alias", "text", TEXT,
     probe("#include <chrono>",
           "using C = std::chrono::system_clock; return C::now().time_since_epoch().count();"),
     "system_clock::now"),
    ("std::time", "text", TEXT, probe("#include <chrono>", "return std::time(nullptr);"),
     "uses time"),
    ("high_resolution_clock", "text", TEXT,
     probe("#include <chrono>",
           "return std::chrono::high_resolution_clock::now().time_since_epoch().count();"),
     "clock::now"),
    ("steady_clock", "text", TEXT,
     probe("#include <chrono>",
           "return std::chrono::steady_clock::now().time_since_epoch().count();"),
     "steady_clock::now"),
    ("environ", "text", TEXT,
     append('extern "C" char** environ;\nnamespace coltec {\n'
            "long purity_probe() { return environ != nullptr; }\n}"), "uses environ"),
    ("getenv", "text", TEXT, probe("#include <cstdlib>", 'return std::getenv("HOME") != nullptr;'),
     "uses getenv"),
    ("<filesystem>", "text", TEXT, prepend("#include <filesystem>"), "<filesystem>"),
    ("<fstream>", "text", TEXT, prepend("#include <fstream>"), "<fstream>"),
    ("<dirent.h>", "text", TEXT, prepend("#include <dirent.h>"), "<dirent.h>"),
    ("<poll.h>", "text", TEXT, prepend("#include <poll.h>"), "<poll.h>"),
    ("std::filesystem reached through an allowed library", "spec", "src/core/spec/spec.cpp",
     probe("#include <nlohmann/json.hpp>",
           'return static_cast<long>(std::filesystem::exists("/x"));'), "std::filesystem"),
    ("fprintf outside the one TU valijson needs it in", "text", TEXT,
     probe("#include <cstdio>", 'return std::fprintf(stderr, "x");'), "uses fprintf"),
    ("spdlog in safety", "safety", "src/core/safety/safety.cpp",
     prepend("#include <spdlog/spdlog.h>"), "spdlog"),
    ("a new config_file_* source", "config", "src/core/config/config_file_probe.cpp",
     lambda _: '#include <fstream>\nnamespace coltec {\nlong purity_probe() {\n'
               '  std::ifstream in("/etc/hostname");\n  return in.good();\n}\n}\n',
     "config_file_probe.cpp"),
]


class Purity(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix="coltec-purity-test.")
        for sub in ("src", "include"):
            shutil.copytree(os.path.join(ROOT, sub), os.path.join(self.scratch, sub))
        # Standalone Asio is not installed here; a stand-in shows where it would resolve.
        with open(os.path.join(self.scratch, "include", "asio.hpp"), "w") as f:
            f.write("#pragma once\n")

    def tearDown(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def check(self, module):
        return subprocess.run([sys.executable, CHECK, "--build-dir", BUILD_DIR, "--tree",
                               self.scratch, "--module", module],
                              capture_output=True, text=True)

    def test_an_unchanged_copy_is_clean(self):
        for module in ("text", "planner"):
            run = self.check(module)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

    def test_every_bypass_fails(self):
        for what, module, path, edit, word in BYPASSES:
            with self.subTest(what):
                target = os.path.join(self.scratch, path)
                original = ""
                if os.path.exists(target):
                    with open(target) as f:
                        original = f.read()
                with open(target, "w") as f:
                    f.write(edit(original))
                try:
                    run = self.check(module)
                finally:
                    if original:
                        with open(target, "w") as f:
                            f.write(original)
                    else:
                        os.remove(target)
                self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
                self.assertIn(word, run.stdout, run.stdout + run.stderr)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--build-dir":
        BUILD_DIR = os.path.abspath(sys.argv[2])
        del sys.argv[1:3]
    unittest.main()
