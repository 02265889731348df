-- notify.lua: wrk sends pre-signed WeChat Pay callbacks (bench/notify writes them, one per line:
-- timestamp, nonce, signature, serial, body — tab-separated).  Each wrk thread takes every
-- threads-th line, each once; delay (ms, per connection) paces a fixed offered rate.
-- usage: wrk -s bench/notify.lua URL -- FILE THREADS DELAY_MS
local threads_seen = 0
function setup(thread)
	thread:set("tid", threads_seen)
	threads_seen = threads_seen + 1
end

local reqs, n, pos, pause = {}, 0, 0, 0
function init(args)
	local file, threads = args[1], tonumber(args[2])
	pause = tonumber(args[3] or "0")
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

function delay()
	return pause
end

function done(summary, latency, requests)
	io.write(string.format("wrk-latency-us p50 %d p99 %d max %d\n",
		latency:percentile(50), latency:percentile(99), latency.max))
end
