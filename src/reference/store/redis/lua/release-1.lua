--[[
  Drop an in-flight claim (failed or 5xx result) so that a retry may run, fenced by its token.

  Input:
    KEYS[1] record hash, '<prefix>{<key>}'

    ARGV[1] claim token

  Output:
    1 released: the record is deleted
    0 the token no longer owns the key: absent, expired, completed or claimed again
]]
local rcall = redis.call
local record = rcall("HMGET", KEYS[1], "state", "token")
if record[1] ~= "in-flight" or record[2] ~= ARGV[1] then
  return 0
end
rcall("DEL", KEYS[1])
return 1
