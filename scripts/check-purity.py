#!/usr/bin/env python3
"""Keeps the pure layer pure: every module under src/core/ (ARCHITECTURE.md, "The layer rule").

Two checks per translation unit of every core module, both on what the compiler sees rather
than on how the source is spelled:

1. Headers. The TU is preprocessed with its exact flags from compile_commands.json and
   `-E -dI`, which keeps every #include directive in the output together with the file it
   appears in, including the ones an include guard then skips. No file of ours (src/,
   include/, the generated headers), at any depth, may include an OS, threading, file or
   clock header, and nothing at all may reach Boost/Asio, spdlog or CLI11. Spacing, quotes,
   macros, private headers and headers of other modules cannot hide an include.
2. Symbols. `nm -C -u` of the TU's object must not name an OS call, the environment, a
   clock, a file stream, std::filesystem, spdlog or Boost, and every coltec:: symbol it needs
   must be defined by a core module. This catches what headers cannot: `std::time`, clock
   aliases (`using C = std::chrono::system_clock; C::now()`), `environ`, and a call into
   logging or any other impure module.

Usage: scripts/check-purity.py [--build-dir build/dev] [--module M ...] [--tree DIR]
  --tree DIR  check the sources of DIR (a copy of the repository's src/ and include/), with
              the flags of the configured build; TUs that differ from the build's are
              compiled to scratch objects. tests/scripts/check_purity_test.py uses it to
              prove that every known bypass fails.
Exit status: 0 clean, 1 a rule is broken (each problem printed), 2 the check could not run.
"""

import argparse
import json
import os
import posixpath
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Headers no file of ours in a core module may include (matched against the include's
# spelling and against the end of the resolved path).
DENIED_HEADERS = [
    # POSIX and Linux: files, processes, signals, terminals, the network.
    r"unistd\.h", r"fcntl\.h", r"dirent\.h", r"poll\.h", r"signal\.h", r"csignal",
    r"pthread\.h", r"spawn\.h", r"termios\.h", r"dlfcn\.h", r"pwd\.h", r"grp\.h",
    r"syslog\.h", r"netdb\.h", r"glob\.h", r"ftw\.h", r"wordexp\.h", r"utime\.h",
    r"(sys|linux|asm|netinet|arpa)/.*",
    # The clock (durations come from <chrono>; time points are parameters).
    r"time\.h", r"ctime",
    # Files, streams on files, threads.
    r"filesystem", r"experimental/filesystem", r"fstream", r"iostream",
    r"bits/fs_.*", r"bits/fstream\.tcc", r"ext/stdio_filebuf\.h", r"ext/stdio_sync_filebuf\.h",
    r"thread", r"future", r"mutex", r"shared_mutex", r"condition_variable", r"stop_token",
    r"semaphore", r"barrier", r"latch",
]
# Libraries that do I/O or read the environment: unreachable from a core TU, even through
# an allowed library.
DENIED_ANYWHERE = [r"boost/.*", r"asio(\.hpp|/.*)", r"spdlog/.*", r"CLI/.*", r"fmt/os\.h"]

# Undefined symbols (nm -C) a core object may not have: exact C names, and C++ prefixes.
DENIED_C_SYMBOLS = set("""
getenv secure_getenv environ __environ setenv putenv unsetenv clearenv
time clock clock_gettime gettimeofday ftime timespec_get localtime localtime_r mktime tzset
open open64 openat openat64 creat creat64 close read write pread pread64 pwrite pwrite64
readv writev lseek lseek64 fsync fdatasync dup dup2 pipe pipe2 ioctl fcntl mmap munmap
fopen fopen64 freopen fdopen fclose fread fwrite fgets fputs fputc puts putchar printf
vprintf fprintf vfprintf perror scanf fscanf getline getchar stdin stdout stderr tmpfile
opendir fdopendir readdir readdir64 closedir scandir stat stat64 lstat lstat64 fstat fstat64
fstatat fstatat64 access faccessat realpath getcwd chdir mkdir mkdirat rmdir unlink unlinkat
rename renameat remove chmod fchmod chown truncate ftruncate link symlink readlink mkstemp
mkostemp mkdtemp flock
system popen pclose fork vfork execv execve execvp execvpe execl execlp posix_spawn
posix_spawnp waitpid wait kill raise signal sigaction sigprocmask pthread_sigmask exit _exit
abort atexit getpid getppid getuid geteuid getgid isatty syscall prctl
sleep usleep nanosleep clock_nanosleep sched_yield pthread_create
rand srand random srandom drand48 getrandom arc4random
socket connect bind listen accept send recv sendto recvfrom getaddrinfo
inotify_init inotify_init1 inotify_add_watch inotify_rm_watch
""".split())
DENIED_CXX_SYMBOLS = [
    r"std::(__cxx11::)?(chrono::)?(_V2::)?(system_clock|steady_clock|high_resolution_clock|"
    r"file_clock|utc_clock|tai_clock|gps_clock)::now\(",
    r"std::(__cxx11::)?(filesystem|experimental::filesystem)::",
    r"std::(__cxx11::)?basic_(i|o)?fstream<", r"std::(__cxx11::)?basic_filebuf<",
    r"std::(cout|cerr|clog|cin|wcout|wcerr|wclog|wcin)$",
    r"std::ios_base::Init::",
    r"std::(__cxx11::)?random_device::", r"std::this_thread::", r"std::thread::",
    r"std::(__cxx11::)?(mutex|recursive_mutex|condition_variable)::",
    r"spdlog::", r"boost::", r"CLI::", r"fmt::v\d+::(v)?print", r"fmt::v\d+::detail::print",
]

# Symbols a library's inline code brings into one of our TUs, each with why it is harmless.
# Keep this short: every entry names the TU, the symbol and the library code that needs it.
ALLOWED = {
    ("config", "config_schema.cpp", "fprintf"):
        "valijson's Schema and Subschema destructors print a caught exception to stderr",
    ("config", "config_schema.cpp", "stderr"): "the same valijson destructors",
    ("config", "config_schema.cpp", "std::ios_base::Init::Init()"):
        "valijson/exceptions.hpp includes <iostream> (its static initialiser)",
    ("config", "config_schema.cpp", "std::ios_base::Init::~Init()"): "the same",
}


def die(message):
    print(f"purity: {message}", file=sys.stderr)
    sys.exit(2)


def compiler_args(entry):
    """The entry's argv without its output and input: [compiler, flags...]."""
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
        elif arg in ("-c", "-MD", "-MMD") or arg == entry["file"]:
            continue
        else:
            out.append(arg)
    return out


def object_of(entry):
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    if "-o" not in args:
        return None
    return os.path.join(entry["directory"], args[args.index("-o") + 1])


class Tree:
    """Where the sources are: the configured tree, or a copy (--tree) with the same flags."""

    def __init__(self, source_root, build_dir, tree):
        self.source_root = source_root
        self.build_dir = build_dir
        self.root = tree or source_root
        self.ours = [os.path.join(self.root, "src"), os.path.join(self.root, "include"),
                     os.path.join(build_dir, "generated")]

    def rewrite(self, arg):
        """A configured path in a flag, moved into the tree under check."""
        if self.root == self.source_root:
            return arg
        for sub in ("src", "include"):
            old = os.path.join(self.source_root, sub)
            for prefix in ("-I", "-isystem", ""):
                if arg.startswith(prefix + old):
                    return prefix + os.path.join(self.root, sub) + arg[len(prefix + old):]
        return arg

    def is_ours(self, path):
        path = os.path.normpath(path)
        return any(path == d or path.startswith(d + os.sep) for d in self.ours)

    def show(self, path):
        for base in (self.root, self.build_dir):
            if os.path.normpath(path).startswith(base + os.sep):
                return os.path.relpath(path, base)
        return path


LINE_MARKER = re.compile(r'^# (\d+) "((?:[^"\\]|\\.)*)"((?: \d)*)$')
INCLUDE = re.compile(r'^#\s*(include|include_next|import)\s*([<"])(.*)[>"]\s*$')


def includes(tree, argv, tu, cwd):
    """(includer, spelling, resolved path or None) for every #include the compiler saw."""
    run = subprocess.run(argv + ["-E", "-dI", "-w", tu], cwd=cwd, capture_output=True,
                         text=True, errors="replace")
    if run.returncode != 0:
        return None, run.stderr.strip().splitlines()[:5]
    found = []
    current = tu
    pending = None  # an #include whose target we have not seen entered yet
    for line in run.stdout.splitlines():
        if not line.startswith("#"):
            continue
        marker = LINE_MARKER.match(line)
        if marker:
            path = marker.group(2).replace('\\"', '"').replace("\\\\", "\\")
            flags = marker.group(3).split()
            if not path.startswith("<"):
                path = os.path.normpath(os.path.join(cwd, path))
            if pending is not None:
                # Flag 1 ("entering") names the file the include resolved to. A marker that
                # only restates the includer's line comes first; any other marker means the
                # include was skipped (include guard, #pragma once).
                if "1" in flags:
                    found.append((pending[0], pending[1], path))
                    pending = None
                elif "2" in flags or path != pending[0]:
                    found.append((pending[0], pending[1], None))
                    pending = None
            if not path.startswith("<"):
                current = path
            continue
        directive = INCLUDE.match(line)
        if directive:
            if pending is not None:
                found.append((pending[0], pending[1], None))
            pending = (current, posixpath.normpath(directive.group(3).strip()))
    if pending is not None:
        found.append((pending[0], pending[1], None))
    return found, []


def matches(patterns, spelling, resolved):
    for pattern in patterns:
        if re.fullmatch(pattern, spelling):
            return True
        if resolved and re.search(r"(^|/)" + pattern + r"$", os.path.normpath(resolved)):
            return True
    return False


def header_problems(tree, argv, tu, cwd):
    found, errors = includes(tree, argv, tu, cwd)
    if found is None:
        return [f"{tree.show(tu)}: cannot preprocess it: " + " | ".join(errors)]
    problems = []
    for includer, spelling, resolved in found:
        shown = f"{tree.show(includer)} includes <{spelling}>"
        if resolved and os.path.normpath(resolved) != os.path.normpath(spelling):
            shown += f" ({tree.show(resolved)})"
        if matches(DENIED_ANYWHERE, spelling, resolved):
            problems.append(f"{tree.show(tu)}: {shown}: Asio, spdlog, CLI11 and Boost are not "
                            "for the pure layer")
        elif tree.is_ours(includer) and matches(DENIED_HEADERS, spelling, resolved):
            problems.append(f"{tree.show(tu)}: {shown}: an OS, file, thread or clock header")
    return sorted(set(problems))


def nm(path, defined):
    flags = ["--defined-only"] if defined else ["-u"]
    run = subprocess.run(["nm", "-C", *flags, path], capture_output=True, text=True,
                         errors="replace")
    if run.returncode != 0:
        die(f"nm {path}: {run.stderr.strip()}")
    names = []
    for line in run.stdout.splitlines():
        parts = line.split(None, 2 if defined else 1)
        if defined and len(parts) == 3:
            names.append(parts[2])
        elif not defined and len(parts) == 2 and parts[0] == "U":
            names.append(parts[1])
    return names


def symbol_problems(tree, module, tu, obj, core_defined):
    problems = []
    for name in nm(obj, defined=False):
        bare = name.split("@")[0]
        if (module, os.path.basename(tu), bare) in ALLOWED:
            continue
        if bare in DENIED_C_SYMBOLS or any(re.match(p, bare) for p in DENIED_CXX_SYMBOLS):
            problems.append(f"{tree.show(tu)}: uses {bare}: an OS call, the environment, a "
                            "clock, a file or an impure library")
        elif bare.startswith("coltec::") and bare not in core_defined:
            problems.append(f"{tree.show(tu)}: uses {bare}, which no core module defines "
                            "(a call into an os, daemon or app module)")
    return problems


def compile_scratch(argv, tu, cwd, scratch):
    obj = os.path.join(scratch, re.sub(r"[^A-Za-z0-9_.]", "_", tu) + ".o")
    run = subprocess.run(argv + ["-w", "-c", tu, "-o", obj], cwd=cwd, capture_output=True,
                         text=True, errors="replace")
    if run.returncode != 0:
        return None, run.stderr.strip().splitlines()[:5]
    return obj, []


def same_file(a, b):
    try:
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()
    except OSError:
        return False


def collect(tree, database, wanted):
    """{module: [(tu, argv, cwd, object or None)]} for every core module (or `wanted`)."""
    by_dir = {}
    for entry in database:
        by_dir.setdefault(os.path.dirname(os.path.normpath(entry["file"])), []).append(entry)
    core = os.path.join(tree.root, "src", "core")
    modules = {}
    for module in sorted(os.listdir(core)):
        if not os.path.isdir(os.path.join(core, module)):
            continue
        configured = os.path.join(tree.source_root, "src", "core", module)
        entries = by_dir.get(configured, [])
        if not entries:
            die(f"no TU of src/core/{module}/ in compile_commands.json; configure first")
        tus = []
        for name in sorted(os.listdir(os.path.join(core, module))):
            if not name.endswith(".cpp"):
                continue
            tu = os.path.join(core, module, name)
            original = os.path.join(configured, name)
            entry = next((e for e in entries if os.path.normpath(e["file"]) == original), None)
            if entry is None and tree.root == tree.source_root:
                die(f"src/core/{module}/{name} is not in compile_commands.json; re-run cmake")
            base = entry or entries[0]  # a new file in --tree mode: its module's flags
            argv = [tree.rewrite(a) for a in compiler_args(base)]
            obj = object_of(entry) if entry and same_file(tu, original) else None
            if obj and (not os.path.exists(obj) or os.path.getmtime(obj) < os.path.getmtime(tu)):
                obj = None  # not built yet, or older than its source: compile a fresh one
            tus.append((tu, argv, base["directory"], obj))
        modules[module] = tus
    return {m: t for m, t in modules.items() if not wanted or m in wanted}, modules


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build", "dev"))
    parser.add_argument("--module", action="append", default=[])
    parser.add_argument("--tree")
    args = parser.parse_args()
    build_dir = os.path.abspath(args.build_dir)
    try:
        with open(os.path.join(build_dir, "compile_commands.json")) as f:
            database = json.load(f)
    except (OSError, ValueError) as e:
        die(f"cannot read {build_dir}/compile_commands.json ({e}); configure and build first")
    tree = Tree(ROOT, build_dir, os.path.abspath(args.tree) if args.tree else None)
    checked, every = collect(tree, database, set(args.module))
    unknown = set(args.module) - set(every)
    if unknown:
        die(f"not a core module: {', '.join(sorted(unknown))} (core: {', '.join(every)})")
    problems = []
    with tempfile.TemporaryDirectory(prefix="coltec-purity.") as scratch:
        objects = {}
        for module, tus in every.items():
            for tu, argv, cwd, obj in tus:
                if obj is None and (module in checked or tree.root != tree.source_root):
                    obj, errors = compile_scratch(argv, tu, cwd, scratch)
                    if obj is None:
                        problems.append(f"{tree.show(tu)}: does not compile: " +
                                        " | ".join(errors))
                objects[tu] = obj
        core_defined = set()
        for obj in objects.values():
            if obj:
                core_defined.update(n.split("@")[0] for n in nm(obj, defined=True))
        for module, tus in checked.items():
            for tu, argv, cwd, _ in tus:
                problems += header_problems(tree, argv, tu, cwd)
                if objects.get(tu):
                    problems += symbol_problems(tree, module, tu, objects[tu], core_defined)
    for problem in problems:
        print(f"purity: {problem}")
    count = sum(len(t) for t in checked.values())
    if problems:
        print(f"purity: {len(problems)} problem(s) in the pure layer (src/core/); see "
              "ARCHITECTURE.md, 'The layer rule'", file=sys.stderr)
        return 1
    print(f"purity: {len(checked)} core module(s), {count} translation unit(s) clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
