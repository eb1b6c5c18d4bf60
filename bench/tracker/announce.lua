-- wrk script: POST /api/tracker/announce, rotating over many node credentials.
-- Reads BENCH_CREDS (one "credential<TAB>resourceId" per line) and BENCH_PROOFS (one
-- "credential line number<TAB>proof" per line): each proof is sent once, in order, in the
-- header BENCH_AUTH_HEADER names (dpop, or shoal-tracker-session for tracker sessions).
local creds = {}
local proofs = {}
local idx = 0
local header = os.getenv("BENCH_AUTH_HEADER") or "dpop"
init = function(args)
  for line in io.lines(os.getenv("BENCH_CREDS")) do
    local c, r = line:match("^(%S+)\t(%S+)$")
    if c then creds[#creds + 1] = { c, r } end
  end
  for line in io.lines(os.getenv("BENCH_PROOFS")) do
    local n, p = line:match("^(%d+)\t(%S+)$")
    if n then proofs[#proofs + 1] = { tonumber(n), p } end
  end
end
request = function()
  idx = idx % #proofs + 1
  local p = proofs[idx]
  local c = creds[p[1]]
  local body = '{"resourceId":"' .. c[2] .. '","event":"update","left":1048576,"uploaded":0,"downloaded":0,"numWant":50}'
  return wrk.format("POST", "/api/tracker/announce",
    { ["content-type"] = "application/json", ["authorization"] = "DPoP " .. c[1], [header] = p[2] }, body)
end
