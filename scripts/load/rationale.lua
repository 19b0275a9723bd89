-- wrk: rationale requests over many users and items; with RATE set (requests/s over all
-- connections), each connection waits between requests so the total rate stays fixed.
local counter = 0
local connections = tonumber(os.getenv("CONNECTIONS") or "1")
local rate = tonumber(os.getenv("RATE") or "0")
local token = os.getenv("TOKEN")

request = function()
  counter = counter + 1
  local u = (counter * 13) % 600
  local i = (counter * 7) % 400
  local headers = {}
  if token then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", "/v1/recs/emf-synthetic/users/u" .. u .. "/items/i" .. i .. "/explanation", headers)
end

if rate > 0 then
  delay = function() return connections * 1000 / rate end
end
