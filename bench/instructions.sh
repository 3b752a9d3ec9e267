#!/usr/bin/env bash
# Instructions the parser executes for one round over bench/extract.py's corpus, with valgrind's
# callgrind: a figure that, unlike docs/s, does not move with what else the VM runs. It counts a
# process that parses the corpus once and one that parses it three times, and prints half the
# difference (start-up, imports and first-use costs cancel out).
#
#   bench/instructions.sh          needs valgrind (apt-get install valgrind)
set -euo pipefail
export PYTHONHASHSEED=0  # str hashing is randomised per process: 1-3 M of noise without a fixed seed
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "instructions.sh: install valgrind" >&2; exit 1; }
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python -c "
import sys
sys.path.insert(0, 'bench')
from extract import corpus
from icalfeed.extract import parse_release
docs = corpus()
for _ in range($1):
    for text, ctype in docs:
        parse_release(text, content_type=ctype)
" 2>&1 | grep -o 'refs: *[0-9,]*' | tr -dc 0-9
}
one=$(count 1)
three=$(count 3)
echo "parse_release: $(( (three - one) / 2000000 )) M instructions per round over the bench corpus"
