--[[
  Store the final response of a claim, fenced by its token: a caller whose lease expired (and whose
  key may have been claimed again) cannot overwrite the new owner.

  Input:
    KEYS[1] record hash, '<prefix>{<key>}'

    ARGV[1] claim token
    ARGV[2] status code
    ARGV[3] headers, JSON object
    ARGV[4] body, base64
    ARGV[5] retention in milliseconds; '0' = do not keep (the key is free at once),
            '-1' = keep without expiry

  Output:
    1 stored (or dropped, for retention 0)
    0 the token no longer owns the key: absent, expired, released, completed or claimed again
]]
local rcall = redis.call
local record = rcall("HMGET", KEYS[1], "state", "token")
if record[1] ~= "in-flight" or record[2] ~= ARGV[1] then
  return 0
end
local retention = tonumber(ARGV[5])
if retention == 0 then
  rcall("DEL", KEYS[1])
  return 1
end
rcall("HSET", KEYS[1], "state", "completed", "status", ARGV[2], "headers", ARGV[3], "body", ARGV[4])
rcall("HDEL", KEYS[1], "token")
if retention > 0 then
  rcall("PEXPIRE", KEYS[1], retention)
else
  rcall("PERSIST", KEYS[1])
end
return 1
