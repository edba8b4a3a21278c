-- wrk script of bench/portal_load.py: signed-in members on the portal, or the bare view.
--
-- wrk -s portal_load.lua URL -- <data file> <wrk threads> <mode>
--   mode "mix": each member walks home -> library -> a document page -> home -> ...
--   mode "home" | "library" | "document": that page only
--   mode "bare": /bench/bare/<id> with an id drawn at random from the data file's ids
-- The data file has one line per member, "<Cookie header>\t<doc id>,<doc id>,..." (or one
-- member id per line for "bare"); wrk thread t takes the lines whose index is t modulo the
-- number of threads. wrk builds each request in the thread (not per connection), so a thread
-- hands its members out in turn: at any moment its connections carry distinct members.
-- done() prints one line "WRK_JSON {...}" that the Python side reads.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  mode = args[3]
  members, ids = {}, {}
  local index = 0
  for line in io.lines(path) do
    if index % nthreads == tid then
      if mode == "bare" then
        table.insert(ids, line)
      else
        local cookie, docs = line:match("^([^\t]*)\t(.*)$")
        local list = {}
        for doc in docs:gmatch("%d+") do table.insert(list, doc) end
        table.insert(members, { headers = { ["Cookie"] = cookie }, docs = list })
      end
    end
    index = index + 1
  end
  math.randomseed(os.time() + tid * 7919)
  sent = 0
  non200 = 0
  redirects = 0
end

local pages = { "home", "library", "document" }

function request()
  if mode == "bare" then
    return wrk.format("GET", "/bench/bare/" .. ids[math.random(#ids)])
  end
  local count = #members
  local member = members[(sent % count) + 1]
  local round = math.floor(sent / count)
  sent = sent + 1
  local page = mode
  if mode == "mix" then page = pages[(round % 3) + 1] end
  local path
  if page == "home" then
    path = "/handbook/"
  elseif page == "library" then
    path = "/handbook/library/"
  else
    local docs = member.docs
    path = "/handbook/library/" .. docs[(math.floor(round / 3) % #docs) + 1] .. "/"
  end
  return wrk.format("GET", path, member.headers)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if status >= 300 and status < 400 then redirects = redirects + 1 end
  end
end

function done(summary, latency, requests)
  local bad, moved = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non200")
    moved = moved + thread:get("redirects")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"non_200": %d, "redirects": %d, "latency_us": {"mean": %.1f, "stdev": %.1f, ' ..
    '"min": %d, "max": %d, "p50": %d, "p75": %d, "p90": %d, "p95": %d, "p99": %d, ' ..
    '"p99_9": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, bad, moved,
    latency.mean, latency.stdev, latency.min, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency:percentile(99.9)))
end
