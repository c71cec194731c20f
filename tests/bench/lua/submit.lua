-- POST pre-generated questionnaire submissions, each body at most once, and collect the receipts.
--
-- Environment:
--   BENCH_BODIES   file with one URL-encoded body per line
--   BENCH_THREADS  wrk's -t (each thread takes the lines i with i % threads == its number)
--   BENCH_COOKIE   the Cookie header (session cookie the CSRF token is bound to)
--   BENCH_OUT      where done() writes what happened, line by line:
--                    ack <thread> <status> <token>   a receipt (303 to the receipt, or a 200 receipt page)
--                    sent <thread> <count>           bodies this thread sent (the first <count> of its lines)
--                    status <code> <count>           responses without a receipt, by status
--                    exhausted <thread> 0|1          1: the thread ran out of bodies and stopped early

local threads = {}

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("BENCH_THREADS"))
  bodies = {}
  local i = 0
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    if i % nthreads == number then bodies[#bodies + 1] = line end
    i = i + 1
  end
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = os.getenv("BENCH_COOKIE"),
  }
  sent = 0
  acks = {}      -- "<status> <token>"
  others = {}    -- status -> count
  exhausted = 0
end

function request()
  if sent >= #bodies then
    exhausted = 1
    wrk.thread:stop()
    -- stop() takes effect after this request: send something harmless that stores nothing
    return wrk.format("GET", "/__bench_exhausted__")
  end
  sent = sent + 1
  return wrk.format("POST", nil, headers, bodies[sent])
end

function response(status, hdrs, body)
  local token = nil
  if status == 303 or status == 302 then
    local location = hdrs["Location"] or hdrs["location"]
    if location then token = string.match(location, "/answers/([%w_%-]+)") end
  elseif status == 200 then
    token = string.match(body, 'id="private%-link"[^>]*>[^<]-/answers/([%w_%-]+)')
  end
  if token then
    acks[#acks + 1] = status .. " " .. token
  else
    others[status] = (others[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  for _, thread in ipairs(threads) do
    local number = thread:get("number")
    for _, ack in ipairs(thread:get("acks")) do
      out:write("ack ", number, " ", ack, "\n")
    end
    out:write("sent ", number, " ", thread:get("sent"), "\n")
    out:write("exhausted ", number, " ", thread:get("exhausted"), "\n")
    for status, count in pairs(thread:get("others")) do
      out:write("status ", status, " ", count, "\n")
    end
  end
  out:close()
end
