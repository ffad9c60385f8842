-- wrk script for tests/bench/uma.sh: POSTs one UMA decision form body, the shape of the requests
-- `tollgate uma check` sends (grant type uma-ticket, audience, one permission, response_mode).
-- The body can be replaced through the environment: WRK_UMA_BODY='grant_type=...'.
wrk.method = "POST"
wrk.path = "/token"
wrk.body = os.getenv("WRK_UMA_BODY") or
  "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Auma-ticket&audience=bench-rs" ..
  "&permission=res-17%23read&response_mode=decision"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("WRK_UMA_TOKEN") or "eyJhbGciOiJub25lIn0.eyJzdWIiOiJiZW5jaCJ9.")

-- Report non-2xx answers so that a broken server does not pass for a fast one (no response()
-- hook: it would make wrk hand every response to Lua and lower the ceiling).
function done(summary, latency, requests)
  if summary.errors.status > 0 then
    io.stderr:write(string.format("wrk-uma.lua: %d non-2xx answers\n", summary.errors.status))
  end
end
