-- wrk script for scripts/bench-peers: one request, repeated; its shape comes from the
-- environment so that one script serves every row.
--   WRK_METHOD  GET (default) or POST
--   WRK_AUTH    the whole Authorization header value ("Bearer …", "Basic …"), if any
--   WRK_BODY    a form body (sent as application/x-www-form-urlencoded), if any
-- Every response whose status is not 2xx is counted (wrk's own "Non-2xx or 3xx responses"
-- counts only 4xx and 5xx), and done() prints machine-readable figures for the script:
--   BENCH requests=… duration_us=… p50_us=… p99_us=… non2xx=… first_non2xx=… errors=…

wrk.method = os.getenv("WRK_METHOD") or "GET"
local auth = os.getenv("WRK_AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  first_non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_non2xx == 0 then
      first_non2xx = status
    end
  end
end

function done(summary, latency, requests)
  local bad, first = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    local f = thread:get("first_non2xx")
    if first == 0 and f ~= 0 then
      first = f
    end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d first_non2xx=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    bad, first, e.connect + e.read + e.write + e.timeout))
end
