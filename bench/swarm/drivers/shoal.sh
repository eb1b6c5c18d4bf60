# Driver: Shoal. The real server (node server/dist/main.js, SQLite) and the seed agent
# (`shoal serve`) run in the seed namespace, listening on the seed's address only; every
# client runs `shoal get` in its own namespace and keeps providing what it has.
# Before the barrier (inside drv_seed, so untimed) the seed is enrolled and publishes the
# payload, and every client data dir is logged in and enrolled as a client that listens
# on its own namespace address; after the barrier each client only runs `shoal get`.
#
# Knobs: SHOAL_REPO (default: this repository), SHOAL_PORT (server, 3000),
#        SHOAL_AGENT_PORT (7070), SHOAL_PIECE_SIZE (default: the agent's choice),
#        SHOAL_GET_ARGS (extra `shoal get` args), SHOAL_NODE (node binary).
SHOAL_REPO=${SHOAL_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
SHOAL_PORT=${SHOAL_PORT:-3000}
SHOAL_AGENT_PORT=${SHOAL_AGENT_PORT:-7070}
SHOAL_NODE=${SHOAL_NODE:-node}
SHOAL_URL="http://$SWB_SEED_IP:$SHOAL_PORT"
SHOAL_PW=swarm-bench-admin-1
shoal_cli() { "$SHOAL_NODE" "$SHOAL_REPO/agent/bin/shoal.js" "$@"; }

drv_prepare() {
  [ -f "$SHOAL_REPO/server/dist/main.js" ] && [ -f "$SHOAL_REPO/agent/bin/shoal.js" ] || {
    echo "build Shoal first: (cd $SHOAL_REPO && npm run build:core)" >&2; return 1; }
  mkdir -p "$SWB_DRV_DIR/server" "$SWB_DRV_DIR/seed-agent"
}

drv_seed() {
  local d=$SWB_DRV_DIR
  # server in the background of this role (same process group: the harness kills it)
  PORT=$SHOAL_PORT HOST=$SWB_SEED_IP SHOAL_DATA_DIR="$d/server" SHOAL_ADMIN_PASSWORD=$SHOAL_PW \
    SHOAL_PUBLIC_URL=$SHOAL_URL SHOAL_LOG_LEVEL=warn DATABASE_URL= NODE_ENV=production \
    "$SHOAL_NODE" "$SHOAL_REPO/server/dist/main.js" >"$SWB_LOG_DIR/shoal-server.log" 2>&1 &
  local i
  for ((i = 0; i < 300; i++)); do
    curl -sf --noproxy '*' --max-time 1 "$SHOAL_URL/health" >/dev/null && break; sleep 0.1
  done
  local tok access
  access=$(curl -sf --noproxy '*' -XPOST "$SHOAL_URL/api/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$SHOAL_PW\"}" | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
  [ -n "$access" ] || { echo "admin login failed" >&2; return 1; }
  tok=$(curl -sf --noproxy '*' -XPOST "$SHOAL_URL/api/admin/enrollment-tokens" -H "authorization: Bearer $access" \
    -H 'content-type: application/json' -d '{"role":"seed"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  local sd="$d/seed-agent"
  shoal_cli --data-dir "$sd" enroll --server "$SHOAL_URL" --token "$tok" --role seed --name seed \
    --listen "$SWB_SEED_IP:$SHOAL_AGENT_PORT" >"$SWB_LOG_DIR/shoal-seed-enroll.log" 2>&1 || return 1
  echo "$SHOAL_PW" | shoal_cli --data-dir "$sd" login --server "$SHOAL_URL" --user admin --password-stdin \
    >>"$SWB_LOG_DIR/shoal-seed-enroll.log" 2>&1 || return 1
  local ps=(); [ -n "${SHOAL_PIECE_SIZE:-}" ] && ps=(--piece-size "$SHOAL_PIECE_SIZE")
  shoal_cli --data-dir "$sd" publish "$SWB_SEED_FILE" --name "swarm-bench $SWB_FILE_NAME" --seed-time 0 --json "${ps[@]}" \
    >"$d/publish.out" 2>"$SWB_LOG_DIR/shoal-publish.log" || return 1
  grep '"published"' "$d/publish.out" | head -1 | "$SHOAL_NODE" -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).resourceId)' >"$d/resource-id"
  [ -s "$d/resource-id" ] || { echo "no resource id in publish output" >&2; cat "$d/publish.out" >&2; return 1; }
  # clients: one login shared (copied), then each enrolls with its own key and address, as a
  # managed fleet does: with an enrollment token from ops, so each machine is its own owner.
  # (Machines a user enrolls with their own login all count as that user's, and a provider
  # gives one owner at most an eighth of its peer slots: six clients enrolled by one admin
  # would be held to four peers each, which is not the fleet this measures.)
  local tmpl="$d/login-template"
  echo "$SHOAL_PW" | shoal_cli --data-dir "$tmpl" login --server "$SHOAL_URL" --user admin --password-stdin \
    >"$SWB_LOG_DIR/shoal-clients-enroll.log" 2>&1 || return 1
  local ip ctok
  i=0
  for ip in $SWB_CLIENT_IPS; do
    i=$((i + 1))
    mkdir -p "$d/c$i"; cp -a "$tmpl/." "$d/c$i/"
    ctok=$(curl -sf --noproxy '*' -XPOST "$SHOAL_URL/api/admin/enrollment-tokens" -H "authorization: Bearer $access" \
      -H 'content-type: application/json' -d '{"role":"client"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    [ -n "$ctok" ] || { echo "no enrollment token for c$i" >&2; return 1; }
    shoal_cli --data-dir "$d/c$i" enroll --server "$SHOAL_URL" --token "$ctok" --role client --name "c$i" \
      --listen "$ip:$SHOAL_AGENT_PORT" >>"$SWB_LOG_DIR/shoal-clients-enroll.log" 2>&1 || return 1
  done
  shoal_cli --data-dir "$sd" serve --json >"$SWB_LOG_DIR/shoal-seed.out" 2>"$SWB_LOG_DIR/shoal-seed.log" &
  local serve=$!
  # ready once the catalog lists the seed as an online provider
  local rid; rid=$(cat "$d/resource-id")
  for ((i = 0; i < 200; i++)); do
    curl -sf --noproxy '*' -H "authorization: Bearer $access" "$SHOAL_URL/api/resources/$rid" | grep -q '"seedCount":[1-9]' && {
      : >"$d/ready"; break; }
    sleep 0.1
  done
  wait "$serve"
}

drv_seed_ready() { [ -e "$SWB_DRV_DIR/ready" ]; }

drv_client() {   # keeps providing after completion until the harness kills it
  # shellcheck disable=SC2086
  shoal_cli --data-dir "$SWB_DRV_DIR/$SWB_HOST" get "$(cat "$SWB_DRV_DIR/resource-id")" -o "$SWB_CLIENT_DIR" \
    --seed-time forever --json ${SHOAL_GET_ARGS:-} >"$SWB_LOG_DIR/shoal-$SWB_HOST.out" 2>"$SWB_LOG_DIR/shoal-$SWB_HOST.log"
}

# complete = the verified file has its final name (shoal renames only when every piece is verified)
drv_client_done() { [ -f "$SWB_CLIENT_OUT" ]; }
