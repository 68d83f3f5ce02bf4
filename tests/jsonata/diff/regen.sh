#!/bin/sh
# Regenerates tests/jsonata/diff_cases.jsonl (the ctest corpus) from the generators, with the
# reference outcomes of jsonata 2.2.2 (and 2.0.6 for the aws/ cases). Needs node and the
# packages in bench/peers/node_modules. Usage: tests/jsonata/diff/regen.sh BUILD/bin/stepx
set -e  # difftool exits 1 while known differences remain: not a failure here
here=$(dirname "$0")
out="$here/../diff_cases.jsonl"
python3 "$here/difftool.py" --stepx "$1" --gen spec,grid,mutate --sample 40 -n 0 --freeze "$out" || true
python3 "$here/difftool.py" --stepx "$1" --gen spec,grid --aws --sample 40 -n 0 --freeze "$out" --append || true
