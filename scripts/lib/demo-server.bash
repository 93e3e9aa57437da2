# Sourced by scripts/screenshots and scripts/lighthouse: builds the binary, starts
# `assetstatus serve --demo` on a scratch data directory and free loopback ports, waits until it
# answers, and stops it (and removes the directory) when the calling script exits.
#
#   start_demo_server debug|release     sets BASE_URL (the portal, addressed as localhost),
#                                       STAFF_URL (the staff listener) and DEMO_LOG (what the
#                                       demo printed, with the demo staff's logins)

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop_demo_server() {
  if [ -n "${DEMO_PID:-}" ] && kill -0 "$DEMO_PID" 2>/dev/null; then
    kill "$DEMO_PID"
    wait "$DEMO_PID" 2>/dev/null || true
  fi
  if [ -n "${DEMO_DIR:-}" ]; then rm -rf "$DEMO_DIR"; fi
}

start_demo_server() {
  local profile=$1 bin
  if [ "$profile" = release ]; then
    cargo build --release --locked -p assetstatus
    bin=target/release/assetstatus
  else
    cargo build --locked -p assetstatus
    bin=target/debug/assetstatus
  fi
  DEMO_DIR=$(mktemp -d)
  trap stop_demo_server EXIT
  local public staff
  public=$(free_port)
  staff=$(free_port)
  "$bin" --data-dir "$DEMO_DIR/data" --public-addr "127.0.0.1:$public" --staff-addr "127.0.0.1:$staff" \
    serve --demo >"$DEMO_DIR/server.log" 2>&1 &
  DEMO_PID=$!
  local waited=0
  until "$bin" healthcheck --url "http://127.0.0.1:$staff/healthz" >/dev/null 2>&1 \
    && curl -fsS -o /dev/null "http://localhost:$public/"; do
    if ! kill -0 "$DEMO_PID" 2>/dev/null || [ "$waited" -ge 120 ]; then
      echo "the demo server did not start; its log:" >&2
      cat "$DEMO_DIR/server.log" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  BASE_URL="http://localhost:$public"
  STAFF_URL="http://localhost:$staff"
  DEMO_LOG="$DEMO_DIR/server.log"
  export BASE_URL STAFF_URL DEMO_LOG
  echo "demo server at $BASE_URL (data in $DEMO_DIR)"
}

# Installs the pinned npm packages of a test folder when they are missing.
npm_ci_once() {
  local dir=$1 marker=$2
  [ -d "$dir/node_modules/$marker" ] || (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}
