return setmetatable({}, {__index = function(t, k) return k end}).x
