--[[
  Renew the lease of an in-flight claim (the heartbeat of a running handler), fenced by its token:
  a caller whose lease already expired (and whose key may have been claimed again) cannot revive
  it, and a completed record is never touched (its expiry is the retention).

  Input:
    KEYS[1] record hash, '<prefix>{<key>}'

    ARGV[1] claim token
    ARGV[2] new lease in milliseconds, from now; '0' = the claim never expires

  Output:
    1 renewed: the record expires ARGV[2] ms from now (or never)
    0 the token no longer owns the key: absent, expired, released, completed or claimed again
]]
local rcall = redis.call
local record = rcall("HMGET", KEYS[1], "state", "token")
if record[1] ~= "in-flight" or record[2] ~= ARGV[1] then
  return 0
end
local lease = tonumber(ARGV[2])
if lease > 0 then
  rcall("PEXPIRE", KEYS[1], lease)
else
  rcall("PERSIST", KEYS[1])
end
return 1
