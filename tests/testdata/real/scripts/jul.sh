#!/bin/sh
# java.util.logging (OpenJDK 17) default SimpleFormatter: `Jul.java`.
# Usage: sh jul.sh OUTDIR
set -eu
OUT=$(cd "$1" && pwd); RUN=$(mktemp -d); HERE=$(cd "$(dirname "$0")" && pwd)
javac -d "$RUN" "$HERE/Jul.java"
java -cp "$RUN" Jul "$OUT/jul.log" 2> "$OUT/stderr.log"
rm -rf "$RUN"
