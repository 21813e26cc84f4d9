-- wrk script for bench/api.mjs: POST a new Pod per request (names unique per thread and request),
-- with the bearer token and path from the environment; prints one JSON line when done.
local token = os.getenv("SHOAL_TOKEN")
local path = os.getenv("SHOAL_PATH")
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local n = 0
request = function()
  n = n + 1
  local body = string.format('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"wrk-%d-%d","labels":{"app":"sensor-reader","tier":"edge"}},"spec":{"containers":[{"name":"reader","image":"sensor-reader:1.4.2","args":["--interval=5s"],"env":[{"name":"LOG_LEVEL","value":"info"}],"resources":{"limits":{"cpu":"100m","memory":"32Mi"}},"ports":[{"name":"metrics","containerPort":9100}]}]}}', tid, n)
  return wrk.format("POST", path, { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format('{"requests":%d,"ops":%.0f,"p50_ms":%.2f,"p99_ms":%.2f,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.requests / s, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
