-- wrk script: BitTorrent HTTP announce to opentracker, rotating peer ids (baseline).
-- BENCH_INFOHASH: 40 hex chars.
local hash = ""
local n = 0
init = function(args)
  local h = os.getenv("BENCH_INFOHASH")
  for i = 1, #h, 2 do hash = hash .. "%" .. h:sub(i, i + 1) end
  n = math.random(1000000)
end
request = function()
  n = n + 1
  local peer = string.format("-BN0001-%012d", n % 2000)
  local port = 10000 + (n % 2000)
  return wrk.format("GET", "/announce?info_hash=" .. hash .. "&peer_id=" .. peer .. "&port=" .. port ..
    "&uploaded=0&downloaded=0&left=1048576&compact=1&numwant=50")
end
