-- wrk script for bench/api.mjs: etcd's bare put through its JSON gateway (POST /v3/kv/put), a new
-- key per request and the same ~1 KiB Pod value as every peer, so etcd's own puts at 64 in flight
-- are driven by the same C client as the plane's creates (wrk-create.lua). The value comes base64'd
-- in ETCD_VALUE_B64; keys are ETCD_KEY_PREFIX .. "<thread>-<n>". Prints one JSON line when done.
local value = os.getenv("ETCD_VALUE_B64")
local prefix = os.getenv("ETCD_KEY_PREFIX")
dofile((debug.getinfo(1, "S").source:sub(2):match("^(.*/)") or "./") .. "wrk-report.lua") -- setup (tid) and done

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local q = { math.floor(n / 262144) % 64, math.floor(n / 4096) % 64, math.floor(n / 64) % 64, n % 64 }
    out[#out + 1] = alphabet:sub(q[1] + 1, q[1] + 1) .. alphabet:sub(q[2] + 1, q[2] + 1)
      .. (b and alphabet:sub(q[3] + 1, q[3] + 1) or "=") .. (c and alphabet:sub(q[4] + 1, q[4] + 1) or "=")
  end
  return table.concat(out)
end

local n = 0
request = function()
  n = n + 1
  local body = '{"key":"' .. base64(string.format("%s%d-%d", prefix, tid, n)) .. '","value":"' .. value .. '"}'
  return wrk.format("POST", "/v3/kv/put", { ["Content-Type"] = "application/json" }, body)
end
