-- POST pre-generated questionnaire submissions, each body at most once, and collect the acknowledgements.
--
-- An acknowledgement is a 303 whose Location ends with /received (post/redirect/get to the receipt). The
-- answer view puts the new private link in the session cookie it sets with it; that cookie is recorded,
-- so that the bench can tell which stored response each acknowledgement stands for.
--
-- Environment:
--   BENCH_BODIES   file with one URL-encoded body per line
--   BENCH_THREADS  wrk's -t (each thread takes the lines i with i % threads == its number)
--   BENCH_COOKIE   the Cookie header (session cookie the CSRF token is bound to)
--   BENCH_OUT      where done() writes what happened, line by line:
--                    ack <thread> <set-cookie value or ->   a 303 to the receipt
--                    sent <thread> <count>          bodies this thread sent (the first <count> of its lines)
--                    status <code> <count>          other responses, by status
--                    exhausted <thread> 0|1         1: the thread ran out of bodies and stopped early

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
  acks = {}      -- the Set-Cookie value of each acknowledgement, or "-"
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
  local location = hdrs["Location"] or hdrs["location"] or ""
  if status == 303 and string.sub(location, -9) == "/received" then
    local cookie = hdrs["Set-Cookie"] or hdrs["set-cookie"]
    acks[#acks + 1] = cookie and string.match(cookie, "^dialogue_session=([^;]*)") or "-"
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
