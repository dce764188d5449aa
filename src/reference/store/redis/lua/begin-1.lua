--[[
  Claim an idempotency key, or report what already holds it (one round trip per request).

  Record: one hash per key with fields state ('in-flight' | 'completed'), fingerprint, token
  (while in flight), status, headers (JSON), body (base64) (once completed). Its PEXPIRE is the
  lease while in flight and the retention once completed. Expired records are gone, so an
  expired lease is simply a free key. A begin on a held key never touches its expiry, so retries
  cannot keep an orphaned claim alive.

  Input:
    KEYS[1] record hash, '<prefix>{<key>}'

    ARGV[1] request fingerprint
    ARGV[2] token for the new claim
    ARGV[3] lease in milliseconds; '0' = the claim never expires

  Output:
    {'new'}                                    claimed: record created in flight, owned by ARGV[2]
    {'in-flight'}                              held by another claim with the same fingerprint
    {'completed', status, headers, body}       finished with the same fingerprint: the stored response
    {'mismatch'}                               held (in flight or completed) with another fingerprint
]]
local rcall = redis.call
local record = rcall("HMGET", KEYS[1], "state", "fingerprint")
local state = record[1]
if not state then
  -- Absent (or a hash without a state, which is not ours): claim it from a clean slate.
  rcall("DEL", KEYS[1])
  rcall("HSET", KEYS[1], "state", "in-flight", "fingerprint", ARGV[1], "token", ARGV[2])
  local lease = tonumber(ARGV[3])
  if lease > 0 then
    rcall("PEXPIRE", KEYS[1], lease)
  end
  return {"new"}
end
if record[2] ~= ARGV[1] then
  return {"mismatch"}
end
if state == "completed" then
  local response = rcall("HMGET", KEYS[1], "status", "headers", "body")
  return {"completed", response[1], response[2], response[3]}
end
return {"in-flight"}
