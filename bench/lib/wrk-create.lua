-- wrk script for bench/api.mjs: POST a new Pod per request (names unique per thread and request),
-- with the bearer token and path from the environment; prints one JSON line when done.
local token = os.getenv("SHOAL_TOKEN")
local path = os.getenv("SHOAL_PATH")
dofile((debug.getinfo(1, "S").source:sub(2):match("^(.*/)") or "./") .. "wrk-report.lua") -- setup (tid) and done

local n = 0
request = function()
  n = n + 1
  local body = string.format('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"wrk-%d-%d","labels":{"app":"sensor-reader","tier":"edge"}},"spec":{"containers":[{"name":"reader","image":"sensor-reader:1.4.2","args":["--interval=5s"],"env":[{"name":"LOG_LEVEL","value":"info"}],"resources":{"limits":{"cpu":"100m","memory":"32Mi"}},"ports":[{"name":"metrics","containerPort":9100}]}]}}', tid, n)
  return wrk.format("POST", path, { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
