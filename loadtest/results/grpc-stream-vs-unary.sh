#!/usr/bin/env bash
# gRPC ModelInfer (a call per request) against ModelStreamInfer (a stream per caller), batch 1, fashion-deep, 1 and 4
# requests in flight: one server (plan single, batching off), `bin/loadtest drive` over each protocol in turn, the
# order swapped every round; then the median p50/p90/p99 over the rounds and each round's stream / unary ratio.
#   loadtest/results/grpc-stream-vs-unary.sh [ROUNDS] [SECONDS_PER_STEP]     (default 5 and 4: about 2.5 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
seconds=${2:-4}
out=$(mktemp -d)
bin/loadtest drive --help > /dev/null   # builds the server and the driver if needed
echo "$(date -u +%FT%TZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; results in $out"
bin/serve --port 18000 --grpc-port 18001 --plan single > "$out/server.log" 2>&1 &
server=$!
trap 'kill "$server"' EXIT
for _ in $(seq 240); do
  if curl -sf http://127.0.0.1:18000/v2/health/ready > /dev/null; then break; fi
  sleep 0.5
done
for round in $(seq 1 "$rounds"); do
  order="grpc grpc-stream"
  if [ $((round % 2)) -eq 0 ]; then order="grpc-stream grpc"; fi
  for protocol in $order; do
    echo "== round $round, $protocol"
    bin/loadtest drive --protocol "$protocol" --url 127.0.0.1:18001 --model fashion-deep --batch 1 \
      --concurrency 1,4 --duration "$seconds" --warmup 2 --json "$out/$round-$protocol.json" \
      || echo "exit status $?: some requests failed"
  done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
python3 - "$out" "$rounds" <<'EOF'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
steps = {}  # (protocol, load) -> one summary per round
for r in range(1, rounds + 1):
    for protocol in ("grpc", "grpc-stream"):
        for step in json.load(open(f"{out}/{r}-{protocol}.json"))["steps"]:
            steps.setdefault((protocol, step["load"]), []).append(step["summary"])
def spread(values, fmt):
    return f"{fmt % statistics.median(values)} ({fmt % min(values)}–{fmt % max(values)})"
print("\n| in flight | protocol | rounds | p50 µs | p90 µs | p99 µs | throughput/s | errors |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for load in ("closed 1", "closed 4"):
    for protocol in ("grpc", "grpc-stream"):
        runs = steps[(protocol, load)]
        print(f"| {load[7:]} | {protocol} | {len(runs)} | "
              + " | ".join(spread([s[k] for s in runs], "%.0f") for k in ("p50Micros", "p90Micros", "p99Micros"))
              + f" | {spread([s['throughput'] for s in runs], '%.0f')} | {sum(s['errors'] for s in runs)} |")
print("\nMedians over the rounds with their range. stream / unary: each round's ratio, the median and range:\n")
print("| in flight | p50 | p90 | p99 | throughput |")
print("|---|---:|---:|---:|---:|")
for load in ("closed 1", "closed 4"):
    unary, stream = steps[("grpc", load)], steps[("grpc-stream", load)]
    print(f"| {load[7:]} | " + " | ".join(spread([s[k] / u[k] for s, u in zip(stream, unary)], "%.2f")
          for k in ("p50Micros", "p90Micros", "p99Micros", "throughput")) + " |")
EOF
