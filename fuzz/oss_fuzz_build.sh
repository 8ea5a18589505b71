#!/usr/bin/env bash
# Builds the fuzz targets the way OSS-Fuzz and ClusterFuzzLite expect of a project's build.sh:
# it honours CXX, CXXFLAGS (the sanitizer and coverage flags the service chooses), LIB_FUZZING_ENGINE
# (the engine to link: libFuzzer, AFL++, honggfuzz, ...) and OUT (where the targets go), and writes
# next to each target its seed corpus (<target>_seed_corpus.zip) and dictionary (<target>.dict).
#
# Locally, for example:
#   CXX=clang++-19 CXXFLAGS="-fsanitize=address,fuzzer-no-link" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
#     OUT=/tmp/out fuzz/oss_fuzz_build.sh
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
: "${OUT:?OUT must name the output folder}"
: "${LIB_FUZZING_ENGINE:?LIB_FUZZING_ENGINE must give the fuzzing engine link flags}"
work=${WORK:-$(mktemp -d)}
mkdir -p "$OUT"

# Meson reads CXX and CXXFLAGS from the environment at setup time.
meson setup "$work/tfqkd-fuzz" "$src" \
  -Dfuzzing_engine=oss-fuzz -Dfuzzer_ldflags="$LIB_FUZZING_ENGINE" \
  -Ddefault_library=static -Dtests=false -Dbenchmarks=disabled -Dwerror=false -Db_lundef=false
targets=$(cd "$src/fuzz/corpus" && ls -d fuzz_*)
ninja -C "$work/tfqkd-fuzz" conformance/libtfqkd_conformance_ref.so $(for t in $targets; do echo "fuzz/$t"; done)
# fuzz_differential loads the reference library from its own folder when TFQKD_DIFFERENTIAL_LIBRARY
# is unset (the service runs the targets from OUT, not from the build tree).
cp "$work/tfqkd-fuzz/conformance/libtfqkd_conformance_ref.so" "$OUT/"

for t in $targets; do
  cp "$work/tfqkd-fuzz/fuzz/$t" "$OUT/"
  cp "$src/fuzz/dict/$t.dict" "$OUT/$t.dict"
  (cd "$src/fuzz/corpus/$t" && python3 -c 'import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name in sorted(os.listdir(".")):
        z.write(name)' "$OUT/${t}_seed_corpus.zip")
done
echo "oss-fuzz build: $(echo $targets | wc -w) targets in $OUT"
