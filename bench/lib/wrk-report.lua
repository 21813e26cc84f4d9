-- What every wrk script of bench/ shares (loaded with dofile from the script's own folder): each
-- thread gets a number `tid` (for keys unique per thread), and the run ends with one JSON line —
-- requests, requests/s, p50/p99 latency in ms, non-2xx answers and socket errors.
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format('{"requests":%d,"ops":%.0f,"p50_ms":%.2f,"p99_ms":%.2f,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.requests / s, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
