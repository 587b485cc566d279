-- load: text chunks only, with an environment, a name and a mode;
-- syntax errors come back as values; binary chunks and readers are
-- refused (forbidden stops the run: last)
local env = {x = 2}
local f = load('x = x * 21 return x', '=chunk', 't', env)
local ok1 = f()
local nf, msg = load('return +', '=bad')
local nested = load('return load("return 1 + ...")(41)')()
local deep = 'return 1'
for _ = 1, 8 do deep = 'return (load(' .. string.format('%q', deep) .. '))()' end
local d = load(deep)()
local tb = {pcall(load, 'return 1', 'n', 'b')}
local sandboxed = load('return io, os.getenv, string.dump, debug, require')
local leaks = {sandboxed()}
if ok1 ~= 42 then return {ok1, env.x, nf, msg, nested, d, tb[1], #leaks} end
local bin = {pcall(load, '\27Lua\84\0\25\147\13\10\26\10\4\8\8')}
local r = {pcall(load, function() return nil end)}
return {bin[1], r[1]}
