-- tests/bench/registry_gen.lua -- the data of tests/bench/registry.sh:
-- practice sheets for `consometer practice load --publish`, and the query
-- mixes its wrk runs and its sqlite3 baseline rotate through. Lua 5.4, no
-- library; deterministic: the same arguments give the same bytes on any
-- machine (its own PRNG, splitmix64, never math.random).
--
--   lua5.4 registry_gen.lua docs N [SEED]   a JSON array of N sheet
--       documents valid under the registry contract (issue 6) on stdout;
--       a line "sheets N text_bytes B min M max X" on stderr (B: the
--       bytes of title, summary, Markdown fields and steps, all sheets)
--   lua5.4 registry_gen.lua queries KIND    one query a line on stdout,
--       tab-separated: the URL query string (UTF-8, percent-encoded), q,
--       theme, sector, sort (empty when absent). KIND: search (the mixed
--       full-text search: single words, accented or not, prefixes,
--       two words, with or without a facet, sort=relevance or title),
--       facets (facet filters, no q) or qfacets (q and facets)
--   lua5.4 registry_gen.lua wrk FILE        a wrk script (LuaJIT) that
--       rotates through the URL query strings of FILE (made by
--       `queries`) on /api/v1/practices and prints one "BENCH req/s
--       p50_us p99_us socket_errors status_errors mean_us" line when done
--   lua5.4 registry_gen.lua fts Q           the FTS5 MATCH expression the
--       server builds from the search text Q (for the sqlite3 baseline)
--   lua5.4 registry_gen.lua sql FILE [ROUNDS]   the SQL the server runs
--       for each query of FILE (made by `queries`), ROUNDS times (1), for
--       the sqlite3 shell on a store; the totals as "total|N" lines
--
-- The sheets are French-like: titles, summaries and texts put together
-- from a vocabulary of energy words with their accents (électricité,
-- chaufferie, réseau de chaleur...), words of a sheet's themes more often
-- than others, some words far more common than others (so that searches
-- hit from a handful to thousands of sheets). Each has 1 to 3 themes, a
-- sector, a territory (a commune with its INSEE code, an EPCI with a
-- 9-digit SIREN whose Luhn checksum is computed here, a few departements
-- and regions), impacts 1..3, a status, a priority, dates, tags and 0 to
-- 4 steps; its texts total 500 to 3,000 bytes.

-- splitmix64: Lua 5.4 integers wrap on overflow and >> is logical.
local state = 0
local function seed(s) state = s end
local function next64()
    state = state + 0x9E3779B97F4A7C15
    local z = state
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    return z ~ (z >> 31)
end
-- An integer in 1..n.
local function rnd(n) return (next64() >> 11) % n + 1 end
-- An integer in a..b.
local function between(a, b) return a + rnd(b - a + 1) - 1 end
-- One item of t, uniformly.
local function pick(t) return t[rnd(#t)] end
-- One item of t, the first ones far more often: index ~ n * u^p, u
-- uniform in [0, 1); p = 3 unless given (the first of 12 items: 44 %).
-- Products, not u ^ p: IEEE multiplication rounds alike everywhere.
local function zipf(t, p)
    local u = (next64() >> 11) / 9007199254740992.0
    local x = u
    for _ = 2, p or 3 do x = x * u end
    return t[math.floor(#t * x) + 1]
end
local function chance(pct) return rnd(100) <= pct end

-- --- the vocabulary ----------------------------------------------------

local THEMES = {"renovation", "monitoring", "renewables", "heat_network",
    "mobility", "lighting", "industrial_ecology", "sobriety", "open_data",
    "governance", "air_quality", "water"}
local SECTORS = {"public_buildings", "residential", "tertiary", "industry",
    "transport", "agriculture", "energy_production", "cross_cutting"}
local STATUSES = {"planned", "ongoing", "done", "paused", "abandoned"}
local PRIORITIES = {"high", "medium", "low"}

-- Nouns and phrases of each theme, the most common first.
local WORDS = {
    renovation = {"rénovation thermique", "isolation des combles",
        "bâtiment", "école", "gymnase", "mairie", "toiture", "façade",
        "menuiseries", "isolation par l'extérieur", "ventilation double flux",
        "audit énergétique", "logements sociaux", "copropriété",
        "salle des fêtes", "médiathèque", "groupe scolaire", "étiquette DPE"},
    monitoring = {"suivi des consommations", "compteur communicant",
        "télérelève", "tableau de bord", "sous-comptage", "électricité",
        "relevés mensuels", "supervision", "courbe de charge",
        "données de consommation", "économe de flux", "alertes de dérive"},
    renewables = {"photovoltaïque", "panneaux solaires", "autoconsommation",
        "biomasse", "géothermie", "ombrières photovoltaïques", "méthanisation",
        "solaire thermique", "éolien citoyen", "pompe à chaleur",
        "centrale villageoise", "hydroélectricité"},
    heat_network = {"réseau de chaleur", "chaufferie bois", "chaleur",
        "plaquettes forestières", "sous-station", "raccordement",
        "chaudière biomasse", "bois-énergie", "chaleur renouvelable",
        "réseau de froid", "silo", "appoint gaz"},
    mobility = {"mobilité", "vélo", "covoiturage", "bornes de recharge",
        "véhicules électriques", "autopartage", "navette", "pistes cyclables",
        "plan de mobilité", "flotte municipale", "bioGNV"},
    lighting = {"éclairage public", "éclairage", "luminaires LED",
        "extinction nocturne", "candélabres", "horloges astronomiques",
        "trame noire", "armoires de commande", "abaissement de puissance"},
    industrial_ecology = {"chaleur fatale", "récupération de chaleur",
        "zone d'activités", "entreprises", "synergies", "écologie industrielle",
        "vapeur", "déchets", "boucle d'eau tempérée"},
    sobriety = {"sobriété", "sobriété énergétique", "température de consigne",
        "chauffage", "écogestes", "sensibilisation des agents",
        "réduction des consommations", "plan de sobriété", "réduit de nuit",
        "défi des familles"},
    open_data = {"données ouvertes", "open data", "jeu de données",
        "portail régional", "publication", "licence ouverte", "cartographie",
        "observatoire de l'énergie", "API"},
    governance = {"gouvernance", "plan climat", "PCAET", "comité de pilotage",
        "élus", "concertation", "délibération", "conseil municipal",
        "schéma directeur", "contrat de relance", "budget vert"},
    air_quality = {"qualité de l'air", "particules fines", "capteurs",
        "dioxyde d'azote", "ventilation", "chauffage au bois",
        "qualité de l'air intérieur", "brûlage"},
    water = {"eau potable", "station d'épuration", "pompage", "irrigation",
        "assainissement", "réseau d'eau", "surpresseurs", "récupération d'eau"},
}
-- Words of any sheet.
local COMMON = {"énergie", "électricité", "économies", "consommation",
    "collectivité", "commune", "territoire", "bâtiment", "agents", "usagers",
    "travaux", "facture", "chauffage", "kWh", "MWh", "émissions", "carbone",
    "financement", "subvention", "ADEME", "région", "département",
    "habitants", "élus", "services techniques", "marché public",
    "entreprise locale", "bureau d'études", "maîtrise d'œuvre", "été",
    "hiver", "trajectoire", "objectifs", "fonds chaleur", "CEE"}
local FACILITIES = {"école", "gymnase", "mairie", "piscine", "médiathèque",
    "salle des fêtes", "collège", "lycée", "EHPAD", "centre technique",
    "crèche", "stade", "cantine", "hôtel de ville", "maison de santé",
    "groupe scolaire", "espace culturel", "halle des sports"}
local PEOPLE = {"Jules Ferry", "Jean Moulin", "Victor Hugo", "Anne de Bretagne",
    "Pierre et Marie Curie", "Louis Pasteur", "Simone Veil", "Jacques Prévert",
    "Paul Éluard", "Françoise Dolto", "des Quatre Vents", "du Bourg",
    "de la Gare", "des Prés", "du Moulin", "Saint-Exupéry"}
local ACTIONS = {"Rénovation", "Remplacement", "Installation", "Création",
    "Mise en place", "Extension", "Raccordement", "Suivi", "Optimisation",
    "Réduction", "Déploiement", "Modernisation", "Étude", "Conversion"}
local VERBS = {"a engagé", "a lancé", "a réalisé", "a confié", "a financé",
    "a mesuré", "a réduit", "a remplacé", "a étendu", "a publié",
    "a mutualisé", "prépare", "poursuit", "accompagne", "suit"}
local LINKS = {"afin de réduire", "pour maîtriser", "en lien avec",
    "grâce à", "avec l'appui de", "dans le cadre de", "malgré",
    "en complément de", "à la suite de", "autour de"}
local RESULTS = {{"une baisse de %d %% des consommations", 5, 60},
    {"%d MWh économisés chaque année", 10, 900},
    {"%d tonnes de CO2 évitées par an", 2, 400},
    {"un temps de retour de %d ans", 3, 25},
    {"%d bâtiments raccordés", 2, 40}, {"%d kWc installés", 9, 500},
    {"%d %% d'énergie renouvelable", 10, 95}, {"%d agents formés", 5, 200},
    {"%d foyers accompagnés", 10, 800}}
local STEP_TITLES = {"Étude de faisabilité", "Diagnostic énergétique",
    "Délibération du conseil municipal", "Consultation des entreprises",
    "Dossier de subvention", "Travaux", "Mise en service",
    "Réception des travaux", "Bilan après un an", "Communication aux habitants",
    "Formation des agents", "Suivi des consommations"}
local TAGS = {"TEPOS", "PCAET", "ACTEE", "Cit'ergie", "ALEC", "CEP", "SDE",
    "fonds chaleur", "décret tertiaire", "France Relance", "FEDER",
    "programme CEE"}

-- Communes: INSEE code, name (Brittany, and two of Corsica for 2A/2B).
local COMMUNES = {
    {"35238", "Rennes"}, {"29019", "Brest"}, {"29232", "Quimper"},
    {"56121", "Lorient"}, {"56260", "Vannes"}, {"22278", "Saint-Brieuc"},
    {"35288", "Saint-Malo"}, {"22113", "Lannion"}, {"29151", "Morlaix"},
    {"35115", "Fougères"}, {"35360", "Vitré"}, {"56178", "Pontivy"},
    {"29039", "Concarneau"}, {"22050", "Dinan"}, {"35236", "Redon"},
    {"22070", "Guingamp"}, {"29103", "Landerneau"}, {"56165", "Ploërmel"},
    {"56007", "Auray"}, {"22093", "Lamballe-Armor"}, {"29075", "Douarnenez"},
    {"56098", "Hennebont"}, {"35047", "Bruz"}, {"35051", "Cesson-Sévigné"},
    {"29189", "Plougastel-Daoulas"}, {"22187", "Paimpol"},
    {"56083", "Guidel"}, {"35024", "Betton"}, {"29233", "Quimperlé"},
    {"56034", "Carnac"}, {"22360", "Loudéac"}, {"35202", "Montfort-sur-Meu"},
    {"29046", "Crozon"}, {"56162", "Ploemeur"}, {"22016", "Bourbriac"},
    {"35066", "Chartres-de-Bretagne"}, {"2A004", "Ajaccio"},
    {"2B033", "Bastia"},
}
-- EPCIs: name and the first 8 digits of the SIREN; the 9th is Luhn's.
local EPCIS = {
    {"Rennes Métropole", "24350013"}, {"Brest métropole", "24290031"},
    {"Lorient Agglomération", "20004217"},
    {"Golfe du Morbihan - Vannes agglomération", "20006793"},
    {"Saint-Brieuc Armor Agglomération", "20006940"},
    {"Quimper Bretagne Occidentale", "20006812"},
    {"Lannion-Trégor Communauté", "20006556"},
    {"Morlaix Communauté", "24290017"}, {"Vitré Communauté", "24350016"},
    {"Fougères Agglomération", "20007255"},
    {"Concarneau Cornouaille Agglomération", "24290030"},
    {"Pontivy Communauté", "24560068"}, {"Redon Agglomération", "24350049"},
    {"Dinan Agglomération", "20006853"},
    {"Guingamp-Paimpol Agglomération", "20006790"},
}
local DEPARTEMENTS = {{"22", "Côtes-d'Armor"}, {"29", "Finistère"},
    {"35", "Ille-et-Vilaine"}, {"56", "Morbihan"}, {"2A", "Corse-du-Sud"},
    {"974", "La Réunion"}}
local REGIONS = {{"53", "Bretagne"}, {"52", "Pays de la Loire"}}

-- Luhn: doubles every second digit from the right (the check digit is
-- not doubled); valid when the sum is a multiple of 10.
local function luhn_ok(digits)
    local sum, n = 0, #digits
    for i = n, 1, -1 do
        local d = digits:byte(i) - 48
        if (n - i) % 2 == 1 then
            d = d * 2
            if d > 9 then d = d - 9 end
        end
        sum = sum + d
    end
    return sum % 10 == 0
end
local function siren(prefix8)
    for d = 0, 9 do
        if luhn_ok(prefix8 .. d) then return prefix8 .. d end
    end
    error("no Luhn digit for " .. prefix8)
end

-- --- JSON ----------------------------------------------------------------

local function jstr(s)
    return '"' .. s:gsub('[%c"\\]', function(c)
        if c == '"' then return '\\"' end
        if c == "\\" then return "\\\\" end
        if c == "\n" then return "\\n" end
        return string.format("\\u%04x", c:byte())
    end) .. '"'
end

-- --- sheets --------------------------------------------------------------

local function cap(s)
    -- First letter upper case, an accented one too (é -> É, the UTF-8
    -- lead byte 0xC3 stays, the next loses 0x20).
    local b1, b2 = s:byte(1, 2)
    if b1 == 0xC3 and b2 and b2 >= 0xA0 and b2 <= 0xBE then
        return string.char(0xC3, b2 - 0x20) .. s:sub(3)
    end
    return s:sub(1, 1):upper() .. s:sub(2)
end

-- A word of one of the sheet's themes (two times in three) or a common one.
local function word(themes)
    if chance(67) then return zipf(WORDS[pick(themes)]) end
    return zipf(COMMON)
end

-- One sentence (or a Markdown list item) about a sheet of these themes,
-- of the territory ter (from territory()).
local function sentence(themes, ter)
    local k = rnd(6)
    if k == 1 then
        return string.format("%s %s %s %s %s.", ter.subject,
            pick(VERBS), word(themes), pick(LINKS), word(themes))
    elseif k == 2 then
        return string.format("%s : %s, %s et %s.", cap(word(themes)),
            word(themes), word(themes), word(themes))
    elseif k == 3 then
        local r = pick(RESULTS)
        return string.format("Le projet a permis %s, %s %s.",
            string.format(r[1], between(r[2], r[3])), pick(LINKS),
            word(themes))
    elseif k == 4 then
        return string.format("Le site %s %s de %s a été retenu pour %s.",
            pick(FACILITIES), pick(PEOPLE), ter.name, word(themes))
    elseif k == 5 then
        return string.format("Les **%s** et le %s sont suivis chaque mois par les services.",
            word(themes), word(themes))
    end
    return string.format("- %s %s %s", cap(word(themes)), pick(LINKS),
        word(themes))
end

-- A territory: {level, code, name, subject (of a sentence)}; communes
-- and EPCIs mostly, the first ones of each list more often.
local function territory()
    local k = rnd(100)
    if k <= 70 then
        local c = zipf(COMMUNES, 2)
        return {level = "commune", code = c[1], name = c[2],
            subject = "La commune de " .. c[2]}
    elseif k <= 92 then
        local e = zipf(EPCIS, 2)
        return {level = "epci", code = siren(e[2]), name = e[1],
            subject = e[1]}
    elseif k <= 98 then
        local d = pick(DEPARTEMENTS)
        return {level = "departement", code = d[1], name = d[2],
            subject = "Le département (" .. d[2] .. ")"}
    end
    local r = pick(REGIONS)
    return {level = "region", code = r[1], name = r[2],
        subject = "La région " .. r[2]}
end

-- A step's date in year y: "YYYY-MM" or "YYYY-MM-DD" (the contract
-- takes no bare year there, unlike start and end).
local function step_date(y)
    if chance(50) then return string.format("%d-%02d", y, rnd(12)) end
    return string.format("%d-%02d-%02d", y, rnd(12), rnd(28))
end

-- Sentences as Markdown: a list item on a line of its own, the others
-- joined by a space (one separator byte either way, as sheet() counts).
local function markdown(sentences)
    local buf = {}
    for j, s in ipairs(sentences) do
        if j > 1 then
            buf[#buf + 1] = (s:sub(1, 2) == "- " or
                sentences[j - 1]:sub(1, 2) == "- ") and "\n" or " "
        end
        buf[#buf + 1] = s
    end
    return table.concat(buf)
end

local TEXT_FIELDS = {"context", "objectives", "scope", "what_was_done",
    "results", "lessons", "transferability"}

-- One sheet as a JSON object; also returns its text bytes.
local function sheet(i)
    local themes, seen = {}, {}
    for _ = 1, rnd(3) do
        local t = zipf(THEMES, 2)
        if not seen[t] then seen[t] = true; themes[#themes + 1] = t end
    end
    local ter = territory()
    local title = string.format("%s : %s, %s %s (%s)", pick(ACTIONS),
        word(themes), pick(FACILITIES), pick(PEOPLE), ter.name)
    if chance(30) then title = title .. " (" .. between(2015, 2026) .. ")" end
    local summary = {}
    for _ = 1, between(1, 3) do
        local s = sentence(themes, ter)
        if s:sub(1, 2) == "- " then s = s:sub(3) .. "." end
        summary[#summary + 1] = s
    end
    summary = table.concat(summary, " ")

    -- The texts: sentences until the target total (500..3000 bytes),
    -- shared out between some Markdown fields and the steps.
    local target = between(500, 3000)
    local used = #title + #summary
    local fields, order = {}, {}
    for _, f in ipairs(TEXT_FIELDS) do
        if chance(55) or f == "what_was_done" then
            fields[f] = {}
            order[#order + 1] = f
        end
    end
    local steps = {}
    for s = 1, between(0, 4) do
        local st = {title = pick(STEP_TITLES), desc = {}}
        used = used + #st.title
        steps[s] = st
    end
    local slots = #order + #steps
    local n = 0
    while true do
        local s = sentence(themes, ter)
        local slot = n % slots + 1
        local sep = (n >= slots) and 1 or 0
        if used >= 500 and used + #s + sep > target then break end
        if slot <= #order then
            local t = fields[order[slot]]
            t[#t + 1] = s
        else
            local t = steps[slot - #order].desc
            t[#t + 1] = s
        end
        used = used + #s + sep
        n = n + 1
    end

    local out = {}
    local function kv(k, v) out[#out + 1] = jstr(k) .. ":" .. v end
    kv("title", jstr(title))
    kv("summary", jstr(summary))
    local text = #title + #summary
    for _, f in ipairs(order) do
        if #fields[f] > 0 then
            local v = markdown(fields[f])
            text = text + #v
            kv(f, jstr(v))
        end
    end
    if #steps > 0 then
        local a = {}
        local y = between(2016, 2025)
        for _, st in ipairs(steps) do
            local o = {jstr("title") .. ":" .. jstr(st.title)}
            text = text + #st.title
            if #st.desc > 0 then
                local d = markdown(st.desc)
                text = text + #d
                o[#o + 1] = jstr("description") .. ":" .. jstr(d)
            end
            o[#o + 1] = jstr("done") .. ":" .. (chance(50) and "true" or "false")
            if chance(80) then
                o[#o + 1] = jstr("date") .. ":" .. jstr(step_date(y))
            end
            a[#a + 1] = "{" .. table.concat(o, ",") .. "}"
        end
        kv("steps", "[" .. table.concat(a, ",") .. "]")
    end
    local function imp() return tostring(between(1, 3)) end
    kv("impacts", string.format('{"energy":%s,"ghg":%s,"air_quality":%s}',
        imp(), imp(), chance(85) and imp() or "null"))
    local jt = {}
    for j, t in ipairs(themes) do jt[j] = jstr(t) end
    kv("themes", "[" .. table.concat(jt, ",") .. "]")
    kv("sector", jstr(zipf(SECTORS, 2)))
    kv("territory", string.format('{"level":%s,"code":%s,"name":%s}',
        jstr(ter.level), jstr(ter.code), jstr(ter.name)))
    local y0 = between(2015, 2025)
    kv("start", jstr(tostring(y0)))
    if chance(60) then kv("end", jstr(tostring(y0 + between(0, 4)))) end
    kv("status", jstr(zipf(STATUSES, 2)))
    kv("priority", jstr(pick(PRIORITIES)))
    if chance(50) then
        local tg, tseen = {}, {}
        for _ = 1, between(1, 3) do
            local t = pick(TAGS)
            if not tseen[t] then tseen[t] = true; tg[#tg + 1] = jstr(t) end
        end
        kv("tags", "[" .. table.concat(tg, ",") .. "]")
    end
    if chance(40) then
        kv("contact", jstr(string.format("energie%d@%s.bzh", i,
            (ter.code:lower()))))
    end
    return "{" .. table.concat(out, ",") .. "}", text
end

local function docs(n, s)
    seed(s)
    local total, lo, hi = 0, math.huge, 0
    io.write("[")
    for i = 1, n do
        local j, text = sheet(i)
        if i > 1 then io.write(",\n") end
        io.write(j)
        total = total + text
        if text < lo then lo = text end
        if text > hi then hi = text end
    end
    io.write("]\n")
    io.stderr:write(string.format("sheets %d text_bytes %d min %d max %d\n",
        n, total, lo, hi))
end

-- --- queries -------------------------------------------------------------

local function urlenc(s)
    return (s:gsub("[^%w%-%._~]", function(c)
        return string.format("%%%02X", c:byte())
    end))
end

-- The search mix: at least 50 different queries.
local SINGLE = {"électricité", "chaufferie", "chaleur", "photovoltaïque",
    "rénovation", "éclairage", "sobriété", "réseau", "bâtiment", "école",
    "mairie", "gymnase", "biomasse", "géothermie", "isolation",
    "covoiturage", "médiathèque", "méthanisation", "télérelève", "piscine"}
local UNACCENTED = {"electricite", "renovation", "eclairage", "sobriete",
    "reseau", "batiment", "ecole", "geothermie", "photovoltaique",
    "energie", "telereleve"}
local PREFIXES = {"chau*", "réno*", "photo*", "éclair*", "géo*", "bâti*",
    "sobri*", "chauf"}
local TWO = {"réseau chaleur", "chaufferie bois", "éclairage public",
    "rénovation école", "panneaux solaires", "sobriété énergétique",
    "isolation combles", "pompe chaleur", "bornes recharge",
    "extinction nocturne", "qualité air", "eau potable"}
local FACET_FOR = {
    ["chaufferie"] = {"heat_network", nil}, ["éclairage"] = {"lighting", nil},
    ["rénovation"] = {nil, "public_buildings"},
    ["reseau"] = {"heat_network", "public_buildings"},
    ["photovoltaïque"] = {"renewables", nil},
    ["école"] = {"renovation", "public_buildings"},
    ["sobriété"] = {"sobriety", nil}, ["chau*"] = {"heat_network", nil},
    ["réseau chaleur"] = {"heat_network", nil},
    ["éclairage public"] = {"lighting", "public_buildings"},
    ["mairie"] = {nil, "public_buildings"}, ["biomasse"] = {nil, "energy_production"},
}

local function query(q, theme, sector, sort)
    local parts = {}
    if q then parts[#parts + 1] = "q=" .. urlenc(q) end
    if theme then parts[#parts + 1] = "theme=" .. theme end
    if sector then parts[#parts + 1] = "sector=" .. sector end
    if sort then parts[#parts + 1] = "sort=" .. sort end
    return table.concat(parts, "&") .. "\t" .. (q or "") .. "\t" ..
        (theme or "") .. "\t" .. (sector or "") .. "\t" .. (sort or "")
end

local function queries(kind)
    local out = {}
    local function add(...) out[#out + 1] = query(...) end
    if kind == "search" then
        -- Sorts alternate so that both are in the mix at every kind of q.
        local n = 0
        local function sort()
            n = n + 1
            return (n % 2 == 0) and "title" or "relevance"
        end
        for _, q in ipairs(SINGLE) do add(q, nil, nil, sort()) end
        for _, q in ipairs(UNACCENTED) do add(q, nil, nil, sort()) end
        for _, q in ipairs(PREFIXES) do add(q, nil, nil, sort()) end
        for _, q in ipairs(TWO) do add(q, nil, nil, sort()) end
        local keys = {}
        for q in pairs(FACET_FOR) do keys[#keys + 1] = q end
        table.sort(keys)
        for _, q in ipairs(keys) do
            add(q, FACET_FOR[q][1], FACET_FOR[q][2], sort())
        end
    elseif kind == "facets" then
        for j, t in ipairs(THEMES) do
            add(nil, t, nil, (j % 2 == 0) and "title" or nil)
        end
        for j, s in ipairs(SECTORS) do
            add(nil, nil, s, (j % 2 == 0) and "title" or "recent")
        end
        add(nil, "heat_network", "public_buildings", nil)
        add(nil, "renovation", "public_buildings", "title")
        add(nil, "lighting", "public_buildings", nil)
        add(nil, "renewables", "energy_production", "title")
        add(nil, "mobility", "transport", nil)
        add(nil, "sobriety", "tertiary", "title")
    elseif kind == "qfacets" then
        local keys = {}
        for q in pairs(FACET_FOR) do keys[#keys + 1] = q end
        table.sort(keys)
        for j, q in ipairs(keys) do
            local f = FACET_FOR[q]
            add(q, f[1] or "renovation", f[2] or "public_buildings",
                (j % 2 == 0) and "title" or "relevance")
            add(q, f[1] or "heat_network", nil, "relevance")
        end
    else
        error("queries: unknown kind " .. tostring(kind))
    end
    for _, l in ipairs(out) do print(l) end
end

-- --- the FTS5 expression of a search ---------------------------------
--
-- What the server makes of q (practice_fts_query in server/practice.c,
-- cm_fold in server/text.c), for the sqlite3 baseline to run the very
-- same MATCH: q folded (ASCII lower case; U+00C0..U+017F to ASCII
-- letters; other characters kept), cut into words (runs of a-z, 0-9 and
-- bytes >= 0x80), one-letter words and stop words dropped, a plural
-- 's' or 'x' trimmed from words of 4 letters or more, each word quoted
-- and made a prefix, at most 16 words. Keep it in step with the server:
-- registry.sh checks that sqlite3's totals are the server's.

local FOLD_LATIN = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i",
    "i", "i", "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u",
    "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i",
    "i", "i", "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u",
    "u", "y", "th", "y",
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c",
    "d", "d", "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e",
    "g", "g", "g", "g",
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i",
    "i", "i", "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l",
    "l", "l", "l", "l",
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o",
    "o", "o", "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s",
    "s", "s", "s", "s",
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u",
    "u", "u", "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z",
    "z", "z", "z", "s"}
assert(#FOLD_LATIN == 0x180 - 0xC0)
local STOP = {}
for w in ([[le la les de des du et en un une au aux pour par sur dans avec
    ou a the of and in est son sa ses]]):gmatch("%S+") do STOP[w] = true end

local function fold(q)
    return (q:gsub("[\xC0-\xDF][\x80-\xBF]", function(c)
        local cp = ((c:byte(1) & 0x1F) << 6) | (c:byte(2) & 0x3F)
        if cp >= 0xC0 and cp <= 0x17F then return FOLD_LATIN[cp - 0xC0 + 1] end
        return c
    end):gsub("%u", string.lower))
end

local function fts(q)
    local words = {}
    for w in fold(q):gmatch("[a-z0-9\x80-\xFF]+") do
        if #words == 16 then break end
        local keep = w
        if #w > 3 and (w:sub(-1) == "s" or w:sub(-1) == "x") then
            keep = w:sub(1, -2)
        end
        if not STOP[w] and #w > 1 then
            words[#words + 1] = '"' .. keep .. '"*'
        end
    end
    return table.concat(words, " ")
end

-- --- the sqlite3 baseline ----------------------------------------------
--
-- For each query of a mix, the statement the server runs for it
-- (store_practice_search in server/store_practices.c, called by
-- api_practices_search: the page of hits, limit 20 + 1, the total and
-- the facet counts), on the public view (0), parameters inlined. The
-- total comes out as the line "1|...|N".

local function sqlstr(v) return "'" .. v:gsub("'", "''") .. "'" end

local SQL_FACETS = {"theme", "territory", "territory_level", "sector",
    "status", "impact"}

local function sql_query(q, filters, sort)
    local expr = q ~= "" and fts(q) or ""
    local cte
    if expr ~= "" then
        cte = "WITH m AS MATERIALIZED (SELECT v.id AS vid, v.practice AS pid, " ..
            "bm25(practice_fts, 10.0, 4.0, 6.0, 1.0) AS score FROM practice_fts " ..
            "CROSS JOIN practice_view v ON v.id = practice_fts.rowid " ..
            "WHERE practice_fts MATCH " .. sqlstr(expr) .. " AND v.view = 0"
    else
        cte = "WITH m AS MATERIALIZED (SELECT v.id AS vid, v.practice AS pid, " ..
            "0.0 AS score FROM practice_view v WHERE v.view = 0"
    end
    for _, name in ipairs(SQL_FACETS) do
        if filters[name] then
            cte = cte .. " AND v.id IN (SELECT view_id FROM practice_facet " ..
                "WHERE facet = '" .. name .. "' AND value IN (SELECT value " ..
                "FROM json_each(" .. sqlstr('["' .. filters[name] .. '"]') .. ")))"
        end
    end
    cte = cte .. ") "
    local key, order
    if sort == "title" then
        key, order = "v.title_key", "v.title_key, m.pid"
    elseif (sort == "relevance" or sort == "") and expr ~= "" then
        key, order = "m.score", "m.score, m.pid"
    else -- recent, and relevance without words
        key, order = "v.at", "v.at DESC, m.pid"
    end
    -- The server's one statement (store_practice_search): the page of
    -- hits, the total (the row whose first column is 1) and the facet
    -- counts, UNION ALL of the materialized set.
    return cte .. "SELECT 0, * FROM (SELECT m.pid, v.revision, v.state, " ..
        "v.at, v.hit, p.reuses, m.score, " .. key .. ", NULL, NULL, NULL " ..
        "FROM m JOIN practice_view v ON v.id = m.vid " ..
        "JOIN practice p ON p.id = m.pid ORDER BY " .. order .. " LIMIT 21)" ..
        " UNION ALL SELECT 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, " ..
        "NULL, NULL, NULL, count(*) FROM m" ..
        " UNION ALL SELECT 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, " ..
        "NULL, * FROM (SELECT f.facet, f.value, count(*) AS n " ..
        "FROM m JOIN practice_facet f ON f.view_id = m.vid " ..
        "GROUP BY f.facet, f.value ORDER BY f.facet, n DESC, f.value);\n"
end

local function sql(file, rounds)
    local stmts = {}
    for line in io.lines(file) do
        local _, q, theme, sector, sort =
            line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
        assert(q, "sql: not a line of `queries`: " .. line)
        stmts[#stmts + 1] = sql_query(q, {
            theme = theme ~= "" and theme or nil,
            sector = sector ~= "" and sector or nil}, sort)
    end
    -- The server's connection setting (store.mmap_size, 256 MiB)
    io.write("PRAGMA mmap_size = 268435456;\n")
    for _ = 1, rounds do io.write(table.concat(stmts)) end
end

-- --- wrk -----------------------------------------------------------------

local function wrk(file)
    local paths = {}
    for line in io.lines(file) do
        local qs = line:match("^([^\t]*)")
        paths[#paths + 1] = string.format("%q", "/api/v1/practices?" .. qs)
    end
    io.write("-- generated by tests/bench/registry_gen.lua: rotates " ..
        #paths .. " queries\n")
    io.write("local paths = {\n  " .. table.concat(paths, ",\n  ") .. "\n}\n")
    io.write([[
local threads = 0
-- Each thread starts at another place in the rotation.
setup = function(thread)
  thread:set("first", threads * 17)
  threads = threads + 1
end
local i
init = function(args) i = first or 0 end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(s, latency, requests)
  io.write(string.format("BENCH %.1f %d %d %d %d %d\n",
    s.requests / (s.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout,
    s.errors.status, latency.mean))
end
]])
end

-- --- main ----------------------------------------------------------------

local cmd = arg[1]
if cmd == "docs" then
    docs(assert(tonumber(arg[2]), "docs N [SEED]"), tonumber(arg[3] or 6))
elseif cmd == "queries" then
    queries(arg[2])
elseif cmd == "wrk" then
    wrk(assert(arg[2], "wrk FILE"))
elseif cmd == "fts" then
    print(fts(assert(arg[2], "fts Q")))
elseif cmd == "sql" then
    sql(assert(arg[2], "sql FILE [ROUNDS]"), tonumber(arg[3] or 1))
else
    io.stderr:write("usage: lua5.4 registry_gen.lua docs N [SEED] | " ..
        "queries search|facets|qfacets | wrk FILE | fts Q | " ..
        "sql FILE [ROUNDS]\n")
    os.exit(2)
end
