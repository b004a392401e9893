#!/usr/bin/env bash
# Re-resolve CI's pinned versions: the newest releases pip finds today for every direct, test
# and transitive dependency, written as exact pins into
#   .ci/constraints.txt         (the main job: Python 3.11+, numpy 2)
#   .ci/constraints-numpy1.txt  (the numpy < 2 job with tflite-runtime 2.14, Python 3.11)
#   .ci/constraints-opencv5.txt (the OpenCV 5 job: the main job's set with opencv-python 5.x)
# Usage: bash tools/update_constraints.sh && bash .ci/run   (then commit the three files)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

resolve() {  # resolve OUT EXTRAS [PIP ARGS...]: a fresh venv, install, freeze
    local out=$1 extras=$2
    shift 2
    python3.11 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q -U pip
    "$work/venv/bin/pip" install -q "$@" -e ".[$extras]"
    {
        echo "# CI's tested versions (exact pins). Regenerate: bash tools/update_constraints.sh"
        echo "# Resolved $(date -u +%Y-%m-%d) with Python $("$work/venv/bin/python" -c \
            'import sys; print(*sys.version_info[:3], sep=".")')."
        "$work/venv/bin/pip" freeze --exclude-editable | grep -v '^-e '
    } > "$out"
    rm -rf "$work/venv"
}

# the main job stays on the newest OpenCV 4.x; the OpenCV 5 job gets the newest 5.x
resolve .ci/constraints.txt test,xla "opencv-python<5"
resolve .ci/constraints-opencv5.txt test "opencv-python>=5"
# tflite-runtime 2.14.0 (its last release) needs numpy < 2; opencv-python 4.12+ needs numpy 2
resolve .ci/constraints-numpy1.txt test,tflite-runtime "numpy<2" "opencv-python<4.12"
git --no-pager diff --stat -- .ci/constraints.txt .ci/constraints-numpy1.txt \
    .ci/constraints-opencv5.txt
