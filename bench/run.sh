#!/usr/bin/env bash
# Memgrate vs memcached discovery benchmark (see docs/performance.md, "Performance").
#
#   bench/run.sh [--name=value ...]
#
# Builds the packaged JVM app (./mvnw -B package -DskipTests, which also compiles the benchmark under
# src/test/java/io/memgrate/bench), then runs io.memgrate.bench.DiscoveryBenchmark, which starts Memgrate
# (java <JVM options> -jar target/quarkus-app/quarkus-run.jar) and memcached itself, and stops both at the end.
# Needs Java 17 and memcached (apt-get install -y memcached). Results: stdout and target/bench/results.md.
# Exit status: 0, or 1 if any reply was not byte-identical to the expected one (targets missed are only reported).
#
# Environment:
#   MVN_ARGS=-o        extra Maven arguments (e.g. -o to build offline)
#   SKIP_BUILD=1       reuse what is in target/
#   BASELINE_REF=<git ref>  also build that commit (in target/bench-baseline) and measure it in the same run, as
#                      "Memgrate-before" (same as passing --baseline-jar=<its quarkus-run.jar>)
#   BENCH_JAVA_OPTS    JVM options of the generator (default: -Xms256m -Xmx256m -XX:+UseParallelGC)
# Options (defaults):
#   --connections=1,64,1024 --depth=1 --threads=1 --jit-warmup-seconds=15 (once per server, unmeasured)
#   --warmup-seconds=3 --seconds=6 --rounds=6   (many short rounds: steadier medians on a shared machine)
#   --memcached-threads=<server CPUs when pinned, else 2> --nodes-per-cluster=3 --startup-runs=3
#   --poll-clients=1,1000 --poll-seconds=20 --poll-interval-ms=100 --refresh-interval=1s
#   --retries=2 --quiet-wait-seconds=60   (shared machines: wait for / repeat runs disturbed by other processes)
#   --pin=true (with 2+ CPUs) --generator-cpus=0 --server-cpus=1[-N]  (taskset; --pin=false to share all CPUs)
#   --jvm-opts="<Memgrate JVM options>" --jar=target/quarkus-app/quarkus-run.jar
#   --baseline-jar= --baseline-jvm-opts=<default: --jvm-opts> --out=target/bench
#   --phases=startup,load,poll,nodes   (which parts to run; e.g. --phases=nodes for the node statistics phase only)
# Node statistics phase (config answers while Memgrate reads stats from many nodes, vs statistics off, same run):
#   --stats-nodes=200 --stats-faulty=true (10 each closed/silent/slow/flaky, one 2 MiB reply, one endless drip)
#   --stats-interval=1s --stats-clients=50 --stats-poll-interval-ms=10 --stats-warmup-seconds=8 --stats-seconds=12
#   --stats-rounds=3
set -euo pipefail
cd "$(dirname "$0")/.."

command -v memcached >/dev/null 2>&1 || [ -x /usr/bin/memcached ] || {
  echo "memcached is not installed: apt-get install -y memcached" >&2; exit 2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  # shellcheck disable=SC2086
  ./mvnw -B -q ${MVN_ARGS:-} package -DskipTests
fi

EXTRA=()
if [ -n "${BASELINE_REF:-}" ]; then
  rm -rf target/bench-baseline && mkdir -p target/bench-baseline
  git archive "$BASELINE_REF" | tar -x -C target/bench-baseline
  # shellcheck disable=SC2086
  (cd target/bench-baseline && ./mvnw -B -q ${MVN_ARGS:-} package -DskipTests -Dmaven.test.skip=true)
  EXTRA+=("--baseline-jar=target/bench-baseline/target/quarkus-app/quarkus-run.jar")
fi

# The benchmark runs on the app's own runtime classpath (Vert.x, HdrHistogram come with Quarkus) plus the compiled
# main and test classes: no extra plugin or dependency is needed.
CP="target/test-classes:target/classes:target/quarkus-app/lib/main/*"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck disable=SC2086
exec "$JAVA" ${BENCH_JAVA_OPTS:--Xms256m -Xmx256m -XX:+UseParallelGC} -cp "$CP" io.memgrate.bench.DiscoveryBenchmark "${EXTRA[@]}" "$@"
