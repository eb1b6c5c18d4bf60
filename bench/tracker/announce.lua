-- wrk script: POST /api/tracker/announce, rotating over many node credentials.
-- Reads BENCH_CREDS (one "credential<TAB>resourceId" per line).
local creds = {}
local idx = 0
init = function(args)
  for line in io.lines(os.getenv("BENCH_CREDS")) do
    local c, r = line:match("^(%S+)\t(%S+)$")
    if c then creds[#creds + 1] = { c, r } end
  end
  idx = math.random(#creds)
end
request = function()
  idx = idx % #creds + 1
  local c = creds[idx]
  local body = '{"resourceId":"' .. c[2] .. '","event":"update","left":1048576,"uploaded":0,"downloaded":0,"numWant":50}'
  return wrk.format("POST", "/api/tracker/announce",
    { ["content-type"] = "application/json", ["authorization"] = "Bearer " .. c[1] }, body)
end
