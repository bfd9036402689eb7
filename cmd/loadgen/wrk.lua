-- loadgen's script for wrk (see wrk.go): it counts the status of every
-- answer by kind of request and prints the counts as one JSON line when
-- the run is done, which loadgen reads back.
--
--   wrk ... -s wrk.lua URL -- get
--       GETs URL; every answer is of kind "page".
--   wrk ... -s wrk.lua URL -- sign COOKIE TOKEN SIGNATURES NAMES COUNTRIES DUPLICATES INVALID
--       POSTs signatures to URL with the CSRF cookie and token of the
--       letter page. Each thread numbers its requests: a valid signature
--       has a new email, wrk<thread>-<n>@example.org; a share (DUPLICATES,
--       in thousandths) sends a prepared signatory's email again,
--       seed<i>@example.org, and a share (INVALID) an invalid form (no
--       name, an unknown country) from bad<thread>-<n>@example.org.

-- setup runs in the main environment, once per thread: each thread gets a
-- number of its own for its emails, and is kept for done.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

-- What a thread counts, read back by done. The tables are flat: wrk 4.1
-- crashes copying a table that holds tables from a thread.
counts = {} -- counts["kind status"]
sent = {}   -- sent[kind]

local function count(kind, status)
   local k = kind .. " " .. status
   counts[k] = (counts[k] or 0) + 1
end

local function split(s)
   local out = {}
   for item in string.gmatch(s, "[^,]+") do
      table.insert(out, item)
   end
   return out
end

local function urlencode(s)
   return (string.gsub(s, "[^%w%-%._~]", function(c)
      return string.format("%%%02X", string.byte(c))
   end))
end

-- The sign mode's settings, from init's arguments, encoded once for the
-- form: a request costs the client little beside the server's work.
local headers, token, signatures, names, countries, dupCut, invalidCut
local n = 0

local function signRequest()
   -- 7919 is prime to 1000: the kinds are spread through the run, as in
   -- loadgen's own sign targeter.
   local slot = (n * 7919) % 1000
   local kind, email = "valid", "wrk" .. id .. "-" .. n .. "%40example.org"
   local name, country = names[n % #names + 1], countries[n % #countries + 1]
   if slot < dupCut then
      kind, email = "duplicate", "seed" .. (n % signatures) .. "%40example.org"
   elseif slot < invalidCut then
      kind, email, name, country = "invalid", "bad" .. id .. "-" .. n .. "%40example.org", "", "XX"
   end
   n = n + 1
   sent[kind] = (sent[kind] or 0) + 1
   local body = "kind=individual&name=" .. name .. "&affiliation=Measure+First&country=" .. country ..
      "&email=" .. email .. "&display=full&agree=true&_csrf=" .. token
   return wrk.format("POST", nil, headers, body)
end

-- The email a sign answer is about: a thank-you redirect (303) remembers
-- it in the signature cookie, base64url-encoded, whose first four
-- characters encode the email's first three letters; a form shown again
-- holds it in its field.
local cookiePrefixes = { ["d3Jr"] = "valid", ["c2Vl"] = "duplicate", ["YmFk"] = "invalid" }
local fieldPrefixes = { ['value="wrk'] = "valid", ['value="seed'] = "duplicate", ['value="bad'] = "invalid" }

local function signKind(status, headers, body)
   if status == 303 then
      local c = headers["Set-Cookie"] or ""
      local prefix = string.match(c, "undersigned_signature=(....)")
      return cookiePrefixes[prefix or ""] or "unknown"
   end
   for field, kind in pairs(fieldPrefixes) do
      if string.find(body, field, 1, true) then
         return kind
      end
   end
   return "unknown"
end

local function signResponse(status, headers, body)
   count(signKind(status, headers, body), status)
end

local function pageResponse(status)
   count("page", status)
end

function init(args)
   if args[1] == "sign" then
      headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = args[2] }
      token, signatures = urlencode(args[3]), tonumber(args[4])
      names, countries = {}, split(args[6])
      for _, given in ipairs(split(args[5])) do
         table.insert(names, urlencode(given .. " Loadgen"))
      end
      dupCut = tonumber(args[7])
      invalidCut = dupCut + tonumber(args[8])
      request, response = signRequest, signResponse
   else
      response = pageResponse
   end
end

-- json writes a table of numbers or of such tables, its keys strings.
local function json(t)
   local parts = {}
   for k, v in pairs(t) do
      local value = type(v) == "table" and json(v) or string.format("%d", v)
      table.insert(parts, string.format("%q:%s", k, value))
   end
   return "{" .. table.concat(parts, ",") .. "}"
end

-- done adds up the threads' counts and prints them on one line, after
-- wrk's own report.
function done(summary)
   local all, allSent = {}, {}
   for _, thread in ipairs(threads) do
      for k, c in pairs(thread:get("counts")) do
         all[k] = (all[k] or 0) + c
      end
      for kind, c in pairs(thread:get("sent")) do
         allSent[kind] = (allSent[kind] or 0) + c
      end
   end
   io.write("loadgen-wrk: ", json({ counts = all, sent = allSent, errors = summary.errors }), "\n")
end
