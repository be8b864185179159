#!/usr/bin/env bash
# Key movement benchmark (see docs/performance.md, "Performance"): times working out every next step of a migration for 20 + 20,
# 60 + 60 and 200 + 200 ElastiCache-like nodes, with the current code and with the rings it replaced (kept in the tests
# as ReferenceKeyMovement), and prints a table with both and the largest difference in their figures.
#
#   bench/movement.sh [--sizes=20,60,200] [--runs=5] [--warmup-runs=3]
#
# Builds the main and test classes (./mvnw -B -q test-compile), then runs io.memgrate.bench.KeyMovementBenchmark on
# them. About 2-3 minutes with the defaults on 2 CPUs, most of it the reference at 200 + 200.
#
# Environment:
#   MVN_ARGS=-o        extra Maven arguments (e.g. -o to build offline)
#   SKIP_BUILD=1       reuse what is in target/
#   BENCH_JAVA_OPTS    JVM options (default: the container's heap and GC, -XX:+UseSerialGC -Xms16m -Xmx64m -Xss256k
#                      -XX:CICompilerCount=2)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  # shellcheck disable=SC2086
  ./mvnw -B -q ${MVN_ARGS:-} test-compile
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck disable=SC2086
exec "$JAVA" ${BENCH_JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx64m -Xss256k -XX:CICompilerCount=2} \
  -cp "target/test-classes:target/classes" io.memgrate.bench.KeyMovementBenchmark "$@"
