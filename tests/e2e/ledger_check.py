#!/usr/bin/env python3
"""The end-of-run invariant of the two-container suites, checked against the ledger of every
version they wrote (lib.sh's ledger_write and ledger_delete).

1. Every side's last version of every file (when that side did not delete it itself) is
   somewhere: under its name in a folder, in a conflict copy, on the remote, in the trash or
   in a restore backup. Found nowhere: lost.
2. The last version written of a file, by either side, is under its name in both folders
   (it has the newest modification time, so a conflict keeps it there): else reverted.
   Unless the version under the name has the very same modification time and the last one
   sits beside it in a conflict copy: two writes within one tick of the file system's clock
   cannot be ordered by time, and the engine keeps both (counted as tied).
3. A file whose last change was a deletion stays deleted, unless what is there now is the
   other side's last version of it (an edit the deleting side had not seen outlives a
   delete; the ledger cannot tell whether it had, so this is allowed either way). Any other
   version there now came back: resurrected.

Prints one summary line (versions=N folder=N … lost=N reverted=N resurrected=N) and a line per
problem; exits 1 when anything was lost, reverted or came back.
"""
import argparse
import os
import sys

CONTROL = ".coltec-sync"


def parse_ledger(path):
    entries = []
    with open(path, encoding="utf-8") as f:
        for idx, line in enumerate(f):
            parts = line.rstrip("\n").split(" ", 3)
            if len(parts) < 3:
                continue
            side, name = parts[0], parts[1]
            if parts[2] == "-":
                entries.append((idx, side, name, "delete", parts[3] if len(parts) > 3 else ""))
            else:
                entries.append((idx, side, name, "write", " ".join(parts[2:])))
    return entries


def contents_below(root):
    """{relative path: first line} of every file below root, control folders left out."""
    found = {}
    if not os.path.isdir(root):
        return found
    for top, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != CONTROL]
        for name in files:
            full = os.path.join(top, name)
            try:
                with open(full, "rb") as f:
                    first = f.readline().decode("utf-8", "replace").rstrip("\n")
            except OSError:
                continue
            found[os.path.relpath(full, root)] = first
    return found


def index_places(args):
    """{content: [kind, ...]} where kind is folder, conflict, remote, trash or restore."""
    where = {}
    for kind, roots in (("folder", args.folder), ("remote", args.remote),
                        ("trash", args.trash), ("restore", args.restore)):
        for root in roots:
            for rel, content in contents_below(root).items():
                k = "conflict" if ".conflict-" in os.path.basename(rel) else kind
                where.setdefault(content, []).append((k, rel))
    return where


def best_place(places, name):
    kinds = [k for k, rel in places if k != "folder" or rel == name]
    order = ("folder", "conflict", "remote", "trash", "restore")
    return min(kinds, key=order.index) if kinds else None


def last_of(entries, key):
    """{key(entry): the last entry with that key}."""
    last = {}
    for e in entries:
        last[key(e)] = e
    return last


def check_versions(entries, where, counts, problems):
    last = last_of(entries, lambda e: (e[1], e[2]))
    for (side, name), (idx, _, _, op, content) in sorted(last.items()):
        if op != "write":
            continue
        counts["versions"] += 1
        kind = best_place(where.get(content, []), name)
        if kind is None:
            counts["lost"] += 1
            problems.append(f"lost: {side} {name} {content} (ledger line {idx + 1})")
        else:
            counts[kind] += 1


def tied(name, content, roots):
    """Whether a conflict copy beside `name` holds `content` with the very modification time
    of the file under the name, in one of the folders `roots`."""
    stem, ext = os.path.splitext(os.path.basename(name))
    for root in roots:
        path = os.path.join(root, name)
        try:
            named = os.stat(path).st_mtime_ns
            copies = [os.path.join(os.path.dirname(path), o)
                      for o in os.listdir(os.path.dirname(path))
                      if o.startswith(stem + ".conflict-") and o.endswith(ext)]
            for copy in copies:
                with open(copy, "rb") as f:
                    first = f.readline().decode("utf-8", "replace").rstrip("\n")
                if first == content and os.stat(copy).st_mtime_ns == named:
                    return True
        except OSError:
            continue
    return False


def check_latest(entries, folders, roots, counts, problems):
    """The last write of a file, by either side, has the newest modification time, so it
    keeps the name in both folders (a conflict keeps the older one beside it)."""
    last = last_of(entries, lambda e: e[2])
    for name, (idx, side, _, op, content) in sorted(last.items()):
        if op != "write":
            continue
        now = [f.get(name) for f in folders]
        if all(c == content for c in now):
            counts["latest_in_place"] += 1
        elif len(set(now)) == 1 and now[0] is not None and tied(name, content, roots):
            counts["tied"] += 1
        else:
            counts["reverted"] += 1
            problems.append(f"reverted: {name} holds {now} in the folders; the last version "
                            f"written is {content!r} by {side} (ledger line {idx + 1})")


def check_deletions(entries, folders, counts, problems):
    last = last_of(entries, lambda e: e[2])
    for name, (idx, side, _, op, content) in sorted(last.items()):
        if op != "delete":
            continue
        counts["deleted"] += 1
        now = {f[name] for f in folders if name in f}
        if not now:
            counts["stayed_deleted"] += 1
        theirs = [e for e in entries[:idx] if e[2] == name and e[1] != side]
        their_last = theirs[-1][4] if theirs and theirs[-1][3] == "write" else None
        for c in sorted(now):
            if c == their_last:
                counts["outlived"] += 1
            else:
                counts["resurrected"] += 1
                problems.append(f"resurrected: {name} holds {c!r}; {side} deleted "
                                f"{content!r} (ledger line {idx + 1})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ledger")
    for opt in ("folder", "remote", "trash", "restore"):
        ap.add_argument(f"--{opt}", action="append", default=[])
    args = ap.parse_args()
    entries = parse_ledger(args.ledger)
    counts = dict.fromkeys(("versions", "folder", "conflict", "remote", "trash", "restore",
                            "lost", "latest_in_place", "tied", "reverted", "deleted",
                            "stayed_deleted",
                            "outlived", "resurrected"), 0)
    problems = []
    check_versions(entries, index_places(args), counts, problems)
    folders = [contents_below(f) for f in args.folder]
    check_latest(entries, folders, args.folder, counts, problems)
    check_deletions(entries, folders, counts, problems)
    counts["conflict_copies"] = sum(".conflict-" in os.path.basename(r) for r in folders[0])
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    for p in problems:
        print(p)
    return 1 if counts["lost"] or counts["reverted"] or counts["resurrected"] else 0


if __name__ == "__main__":
    sys.exit(main())
