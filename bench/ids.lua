-- wrk: each request names a new record, /api/v1/res7/<n>, as a backend's real traffic does,
-- so that a proxy labelling routes cannot answer from a cache of paths it has seen.
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/v1/res7/" .. n)
end
