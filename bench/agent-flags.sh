#!/usr/bin/env bash
# Where an agent JVM's CPU goes under gVisor, per JVM flag set: each variant starts the agent image with claw4j's
# hardening (runsc, no network, 512 MiB, 1 CPU, pids 256, read-only root, no capabilities, init, no log), and reads
# the container's cgroup CPU (cpuacct.usage: gVisor's sentry and gofer and the JVM's threads) at the ready line, when
# the first turn's llm.request is out (one turn.start sent at the ready line), and 3 s later (idle, waiting for the
# model), plus docker stats' memory then. Variants are alternated, ROUNDS times. Not a test: figures only.
#   bench/agent-flags.sh ROUNDS 'name=extra flags' 'name=extra flags' ...   ("base=" for the current flags alone)
set -euo pipefail
rounds=${1:-4}; shift
image=${IMAGE:-claw4j-agent:0.1.0}
base=(-XX:MaxRAM=536870912 -XX:MaxRAMPercentage=40 -Xms4m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
      -XX:-UsePerfData -Xss512k -XX:SharedArchiveFile=/opt/claw4j/agent.jsa -Xlog:disable -Xlog:all=warning:stderr)
turn='{"v":1,"type":"turn.start","turnId":"t1","groupId":"g","instructions":"","messages":[{"sender":"user","text":"hello","timestamp":"2026-01-01T00:00:00Z"}]}'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cpu() { cat "/sys/fs/cgroup/cpuacct/docker/$1/cpuacct.usage" 2>/dev/null || echo -1; }
waitfor() { # file pattern timeout_s
  local i=0; while ! grep -q "$2" "$1" 2>/dev/null; do sleep 0.01; i=$((i+1)); ((i < $3*100)) || return 1; done; }
one() { # name flags...
  local name=$1; shift
  rm -f "$work/in" "$work/out" "$work/err"; mkfifo "$work/in"
  local cid
  cid=$(docker create -i --runtime=runsc --network=none --memory=512m --memory-swap=512m --cpus=1 --pids-limit=256 \
    --read-only --cap-drop=ALL --security-opt=no-new-privileges --tmpfs /tmp:rw,nosuid,nodev,size=64m,mode=1777 \
    --user 1000:1000 -e CLAW4J_WORKSPACE=/tmp --init --log-driver=none "$image" \
    /opt/claw4j/jre/bin/java "${base[@]}" "$@" -jar /opt/claw4j/agent.jar)
  local t0; t0=$(date +%s%N)
  docker start -ai "$cid" <"$work/in" >"$work/out" 2>"$work/err" &
  local pid=$!
  exec 3>"$work/in"
  if ! waitfor "$work/out" '"ready"' 60; then echo "$name: no ready line: $(head -c 400 "$work/err")" >&2; exec 3>&-; docker rm -f "$cid" >/dev/null; return; fi
  local t1 c1; t1=$(date +%s%N); c1=$(cpu "$cid")
  echo "$turn" >&3
  waitfor "$work/out" 'llm.request' 60 || echo "$name: no llm.request: $(head -c 400 "$work/err")" >&2
  local t2 c2; t2=$(date +%s%N); c2=$(cpu "$cid")
  # a busy step: the model asks for a command with a large output, which the agent captures, shortens and encodes
  local id; id=$(grep -o '"type":"llm.request","id":"[^"]*"' "$work/out" | head -1 | sed 's/.*"id":"//; s/"$//')
  echo "{\"v\":1,\"type\":\"llm.response\",\"id\":\"$id\",\"message\":{\"role\":\"assistant\",\"toolCalls\":[{\"id\":\"c1\",\"name\":\"bash\",\"arguments\":\"{\\\"command\\\":\\\"seq 1 300000\\\"}\"}]},\"usage\":{\"inputTokens\":1,\"outputTokens\":1},\"stopReason\":\"tool_use\"}" >&3
  local n=0; while (( $(grep -c 'llm.request' "$work/out") < 2 )); do sleep 0.01; n=$((n+1)); ((n < 6000)) || break; done
  local t3 c3b; t3=$(date +%s%N); c3b=$(cpu "$cid")
  sleep 3
  local c3 mem; c3=$(cpu "$cid"); mem=$(docker stats --no-stream --format '{{.MemUsage}}' "$cid" | cut -d/ -f1)
  exec 3>&-
  wait "$pid" || true
  docker rm -f "$cid" >/dev/null
  printf '%-10s ready %5d ms %6.3f CPU-s | turn %4d ms %6.3f CPU-s | busy %5d ms %6.3f CPU-s | idle 3 s %6.3f CPU-s | mem %s\n' \
    "$name" $(( (t1-t0)/1000000 )) "$(awk "BEGIN{print $c1/1e9}")" $(( (t2-t1)/1000000 )) \
    "$(awk "BEGIN{print ($c2-$c1)/1e9}")" $(( (t3-t2)/1000000 )) "$(awk "BEGIN{print ($c3b-$c2)/1e9}")" \
    "$(awk "BEGIN{print ($c3-$c3b)/1e9}")" "$mem"
}
for ((r = 1; r <= rounds; r++)); do
  for v in "$@"; do
    name=${v%%=*}; flags=${v#*=}
    # shellcheck disable=SC2086 # flags are words
    one "$name" $flags
  done
done
