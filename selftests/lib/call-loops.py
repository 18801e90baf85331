#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""call-loops.py MOD: fail if the objects of a module call each other in a loop.

MOD is the module's .mod file in its build directory (kbuild lists the
objects linked into the module there).

Each file of hvisor_vhost/ is one layer that calls only the ones below
it (Documentation/design.rst). The symbols an object leaves undefined
and another defines are its calls; a cycle in that graph is a layer
calling back up. Prints each cycle found and exits 1, or exits 0.
"""
import collections
import os
import subprocess
import sys


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] in "TDBR":
            defined.add(fields[2])
        elif len(fields) == 2 and fields[0] == "U":
            undefined.add(fields[1])
    return defined, undefined


def main(mod):
    with open(mod) as f:
        objs = [line.strip() for line in f if line.strip().endswith(".o")]
    owner, calls = {}, {}
    for obj in objs:
        defined, undefined = symbols(obj)
        for sym in defined:
            owner[sym] = obj
        calls[obj] = undefined
    graph = collections.defaultdict(set)
    for obj, undefined in calls.items():
        graph[obj] = {owner[s] for s in undefined if s in owner} - {obj}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for obj in objs:
        if obj not in state:
            visit(obj, [])
    for cycle in cycles:
        print("call loop: " + " -> ".join(os.path.basename(o) for o in cycle))
    if not objs:
        print("call-loops: no objects in " + mod)
        return 1
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
