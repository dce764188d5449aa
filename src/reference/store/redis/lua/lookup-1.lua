--[[
  Read an idempotency key as begin-1.lua would answer, without claiming it (check-then-set flaws).

  Input:
    KEYS[1] record hash, '<prefix>{<key>}'

    ARGV[1] request fingerprint

  Output:
    {'absent'}                                 no live record
    {'in-flight'}                              held by a claim with the same fingerprint
    {'completed', status, headers, body}       finished with the same fingerprint: the stored response
    {'mismatch'}                               held (in flight or completed) with another fingerprint
]]
local rcall = redis.call
local record = rcall("HMGET", KEYS[1], "state", "fingerprint")
local state = record[1]
if not state then
  return {"absent"}
end
if record[2] ~= ARGV[1] then
  return {"mismatch"}
end
if state == "completed" then
  local response = rcall("HMGET", KEYS[1], "status", "headers", "body")
  return {"completed", response[1], response[2], response[3]}
end
return {"in-flight"}
