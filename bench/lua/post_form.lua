-- wrk script of the loyalty-api benchmark suite (bench/wrk.py writes its arguments).
--
--   wrk ... -s post_form.lua URL -- TEMPLATE_FILE EXPECTED RUN_TAG
--
-- TEMPLATE_FILE holds urlencoded form bodies, one a line, taken in turn, each maybe with the marker @N@
-- where a per-request counter goes (in the description of a campaign_update), so that every request
-- changes the stored row.
-- EXPECTED is a plain substring every answer must contain (status="updated" for campaign_update,
-- the credentials error for the wrong-key scenario); answers without it are counted as bad, and a
-- run with any bad answer is invalid.  RUN_TAG keeps the counter values of successive runs apart.
-- done() prints one machine-readable line starting with BENCH.

local threads = {}

function setup(thread)
   thread:set("thread_no", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   -- One body per line; requests take the lines in turn (e.g. one line per campaign).
   local file = assert(io.open(args[1], "rb"))
   local text = file:read("*a")
   file:close()
   bodies = {}
   for line in string.gmatch(text, "[^\n]+") do
      local at = string.find(line, "@N@", 1, true)
      if at then
         table.insert(bodies, {string.sub(line, 1, at - 1), string.sub(line, at + 3)})
      else
         table.insert(bodies, {line, nil})
      end
   end
   expected = args[2]
   tag = (args[3] or "r") .. "t" .. tostring(thread_no) .. "n"
   counter = 0
   bad = 0
   answers = 0
   answer_bytes = 0
   first_bad = ""
   -- The request line and headers are built once; wrk.format() on every request costs wrk more CPU
   -- than the server it measures (wrk and the server share the machine's cores).
   local host = wrk.headers["Host"] or (wrk.host .. ":" .. wrk.port)
   head = "POST " .. wrk.path .. " HTTP/1.1\r\nHost: " .. host
      .. "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
   fixed_request = nil
   if #bodies == 1 and not bodies[1][2] then
      fixed_request = head .. #bodies[1][1] .. "\r\n\r\n" .. bodies[1][1]
   end
end

function request()
   if fixed_request then
      return fixed_request
   end
   counter = counter + 1
   local parts = bodies[(counter % #bodies) + 1]
   local body = parts[1]
   if parts[2] then
      body = body .. tag .. counter .. parts[2]
   end
   return head .. #body .. "\r\n\r\n" .. body
end

function response(status, hdrs, body)
   answers = answers + 1
   answer_bytes = answer_bytes + #body
   if status ~= 200 or not string.find(body, expected, 1, true) then
      bad = bad + 1
      if first_bad == "" then
         first_bad = tostring(status) .. " " .. string.sub(body, 1, 300)
      end
   end
end

function done(summary, latency, requests)
   local total_bad, total_answers, total_bytes, sample = 0, 0, 0, ""
   for _, thread in ipairs(threads) do
      total_bad = total_bad + thread:get("bad")
      total_answers = total_answers + thread:get("answers")
      total_bytes = total_bytes + thread:get("answer_bytes")
      if sample == "" then
         sample = thread:get("first_bad")
      end
   end
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d answers=%d bad=%d answer_bytes=%d"
         .. " p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f"
         .. " err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
      summary.requests, summary.duration, total_answers, total_bad, total_bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
      e.connect, e.read, e.write, e.status, e.timeout))
   if sample ~= "" then
      io.write("BENCH_BAD_SAMPLE " .. string.gsub(sample, "\n", " ") .. "\n")
   end
end
