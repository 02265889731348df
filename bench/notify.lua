-- notify.lua: wrk sends pre-signed WeChat Pay callbacks (bench/notify writes them, one per line:
-- timestamp, nonce, signature, serial, body — tab-separated).  Each wrk thread takes every
-- threads-th line, each once.  INTERVAL_MS > 0 offers a fixed rate: each thread starts a
-- request every INTERVAL_MS on a schedule kept by the clock (a request sent late because every
-- connection was busy does not move the schedule), so a slower answer does not lower the rate
-- offered; 0 sends as fast as the connections are answered.
-- usage: wrk -s bench/notify.lua URL -- FILE THREADS INTERVAL_MS
local threads_seen = 0
function setup(thread)
	thread:set("tid", threads_seen)
	threads_seen = threads_seen + 1
end

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")
local function now_ms()
	ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
	return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local reqs, n, pos, interval, next_at = {}, 0, 0, 0, nil
function init(args)
	local file, threads = args[1], tonumber(args[2])
	interval = tonumber(args[3] or "0")
	local i = 0
	for line in io.lines(file) do
		if i % threads == tid then
			local ts, nonce, sig, serial, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
			n = n + 1
			reqs[n] = wrk.format("POST", wrk.path, {
				["Content-Type"] = "application/json", ["Wechatpay-Timestamp"] = ts,
				["Wechatpay-Nonce"] = nonce, ["Wechatpay-Signature"] = sig, ["Wechatpay-Serial"] = serial,
			}, body)
		end
		i = i + 1
	end
end

function request()
	pos = pos + 1
	if pos > n then
		pos = 1          -- past the prepared callbacks: duplicates from here on (bench/notify warns)
	end
	return reqs[pos]
end

-- the wait before the next request on a connection that is free: until the next slot of this
-- thread's schedule (each slot is taken once)
function delay()
	if interval <= 0 then
		return 0
	end
	local t = now_ms()
	if next_at == nil then
		next_at = t
	end
	local wait = next_at - t
	next_at = next_at + interval
	if wait <= 0 then
		return 0
	end
	return math.floor(wait + 0.5)
end

function done(summary, latency, requests)
	io.write(string.format("wrk-latency-us p50 %d p99 %d max %d\n",
		latency:percentile(50), latency:percentile(99), latency.max))
end
