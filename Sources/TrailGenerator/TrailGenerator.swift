import Foundation
import CloudTrail
import TrailJSON

/// Parameters of a generated trail. Same configuration → byte-identical output.
public struct GeneratorConfig: Sendable, Equatable {
    public var days: Int
    public var eventsPerDay: Int
    public var seed: UInt64
    /// First day, `YYYY-MM-DD` (UTC).
    public var start: String
    public var accounts: Int
    public var regions: [String]
    public var compressionLevel: Int
    public var anomalies: AnomalyPlan
    /// How the anomalies were given on the command line (`default`, `none` or the file path),
    /// recorded in labels.json.
    public var anomaliesSource: String

    public init(days: Int = 28, eventsPerDay: Int = 1000, seed: UInt64 = 1, start: String = "2026-10-01",
                accounts: Int = 2, regions: [String] = ["us-east-1", "eu-west-1"], compressionLevel: Int = 6,
                anomalies: AnomalyPlan = .default, anomaliesSource: String? = nil) {
        self.days = days
        self.eventsPerDay = eventsPerDay
        self.seed = seed
        self.start = start
        self.accounts = accounts
        self.regions = regions
        self.compressionLevel = compressionLevel
        self.anomalies = anomalies
        self.anomaliesSource = anomaliesSource ?? {
            switch anomalies {
            case .default: "default"
            case .none: "none"
            case .custom: "custom"
            }
        }()
    }

    /// Checks ranges and formats; returns the first day's number (days since 1970-01-01).
    func validate() throws(GeneratorError) -> Int {
        guard let date = CivilDate(parsing: start) else { throw .invalidArgument("--start must be a date like 2026-10-01, got \"\(start)\"") }
        guard (1...3660).contains(days) else { throw .invalidArgument("--days must be in 1...3660, got \(days)") }
        guard (1...50_000_000).contains(eventsPerDay) else { throw .invalidArgument("--events-per-day must be in 1...50000000, got \(eventsPerDay)") }
        guard (1...Population.aliases.count + 94).contains(accounts) else { throw .invalidArgument("--accounts must be in 1...100, got \(accounts)") }
        guard !regions.isEmpty else { throw .invalidArgument("--regions needs at least one region") }
        for r in regions where !GeneratorConfig.looksLikeRegion(r) {
            throw .invalidArgument("--regions: \"\(r)\" is not a region name like us-east-1")
        }
        guard Set(regions).count == regions.count else { throw .invalidArgument("--regions lists a region twice") }
        guard (1...9).contains(compressionLevel) else { throw .invalidArgument("--compression-level must be in 1...9, got \(compressionLevel)") }
        return date.dayNumber
    }

    static func looksLikeRegion(_ r: String) -> Bool {
        let parts = r.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, last.allSatisfy(\.isNumber), !last.isEmpty else { return false }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
    }

    /// The equivalent command line, recorded in labels.json.
    public func commandLine(out: String) -> String {
        "trailwatch generate --out \(out) --days \(days) --events-per-day \(eventsPerDay) --seed \(seed)"
            + " --anomalies \(anomaliesSource) --start \(start) --accounts \(accounts)"
            + " --regions \(regions.joined(separator: ",")) --compression-level \(compressionLevel)"
    }
}

public enum GeneratorError: Error, Sendable, CustomStringConvertible, Equatable {
    case invalidArgument(String)
    case badAnomalies(String)
    case incidentOutsidePeriod(String)
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case .invalidArgument(let m): m
        case .badAnomalies(let m): "anomalies: \(m)"
        case .incidentOutsidePeriod(let m): m
        case .io(let path, let m): "\(path): \(m)"
        }
    }
}

/// Where generated objects go. Paths are relative, `/`-separated (`AWSLogs/…/x.json.gz`).
public protocol TrailSink {
    mutating func write(relativePath: String, contents: [UInt8]) throws(GeneratorError)
}

/// Writes objects under a directory, creating folders as needed.
public struct DirectorySink: TrailSink {
    public let root: String
    private var madeDirectories: Set<String> = []

    public init(root: String) { self.root = root }

    public mutating func write(relativePath: String, contents: [UInt8]) throws(GeneratorError) {
        let path = root + "/" + relativePath
        if let slash = path.lastIndex(of: "/") {
            let dir = String(path[..<slash])
            if !madeDirectories.contains(dir) {
                try makeDirectories(dir)
                madeDirectories.insert(dir)
            }
        }
        // Plain open/write/close: FileManager.createFile writes a temporary file and renames it,
        // doubling the metadata work for tens of thousands of small objects.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io(path: path, message: "cannot create file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if let failure = writeAll(fd, contents) {
            throw .io(path: path, message: "cannot write file: \(failure)")
        }
    }
}

/// `mkdir -p` with the system's reason on failure (Foundation's Linux errors only say
/// "NSCocoaErrorDomain error 512").
func makeDirectories(_ path: String) throws(GeneratorError) {
    var prefix = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        prefix += "/" + part
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw .io(path: prefix, message: "cannot create directory: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard stat(prefix, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw .io(path: prefix, message: "cannot create directory: it exists and is not a directory")
        }
    }
}

/// Writes every byte to `fd`; returns the error text on failure.
private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if n < 0 {
            if errno == EINTR { continue }
            return String(cString: strerror(errno))
        }
        written += n
    }
    return nil
}

/// Keeps objects in memory (tests, benchmarks that skip the disk).
public struct MemorySink: TrailSink {
    public private(set) var objects: [(path: String, contents: [UInt8])] = []
    public init() {}
    public mutating func write(relativePath: String, contents: [UInt8]) throws(GeneratorError) {
        objects.append((relativePath, contents))
    }
}

public struct GenerationSummary: Sendable {
    public var files: Int
    public var events: Int
    /// Bytes of the gzip objects.
    public var compressedBytes: Int
    /// Bytes of the JSON inside them.
    public var uncompressedBytes: Int
    public var incidents: [IncidentLabel]
    public var accountIds: [String]
    /// Digest files written (`--digests`), and the public key's path relative to the output.
    public var digestFiles: Int = 0
    public var publicKeyPath: String?
}

/// Deterministic synthetic CloudTrail: normal multi-account traffic with daily/weekly rhythm plus
/// labelled incidents, delivered in the S3 layout of a real trail.
///
/// Generation walks 5-minute slots in time order. For every (account, region) stream a slot's
/// events are drawn from their own PRNG (seeded from the seed, slot and stream), so memory stays
/// at one slot's worth whatever the length of the trail.
public struct TrailGenerator {
    public let config: GeneratorConfig
    let startDay: Int
    let population: Population
    let catalog: EventCatalog
    let rates: RateModel
    let incidents: [PlannedIncident]

    public init(config: GeneratorConfig) throws(GeneratorError) {
        self.config = config
        startDay = try config.validate()
        population = Population(seed: config.seed, accounts: config.accounts, regions: config.regions)
        catalog = EventCatalog()
        rates = RateModel(days: config.days, eventsPerDay: config.eventsPerDay, startWeekday: CivilDate(dayNumber: startDay).weekday)
        let requests: [IncidentRequest]
        switch config.anomalies {
        case .none: requests = []
        case .default: requests = AnomalyPlan.defaultRequests(startDay: startDay, days: config.days)
        case .custom(let list):
            let lo = Int64(startDay) * 86_400, hi = Int64(startDay + config.days) * 86_400
            for (i, r) in list.enumerated() where r.at < lo || r.at + Int64(r.durationMinutes) * 60 > hi {
                throw .incidentOutsidePeriod("incident \(i + 1) (\(r.kind.rawValue)) at \(UTC.iso(r.at)) lasting \(r.durationMinutes) min does not fit in the generated period \(UTC.iso(lo)) – \(UTC.iso(hi))")
            }
            requests = list
        }
        incidents = IncidentBuilder(population: population, catalog: catalog, seed: config.seed).build(requests)
    }

    /// Incident ground truth (available before generating).
    public var incidentLabels: [IncidentLabel] { incidents.map(\.label) }

    public var accountIds: [String] { population.accounts.map(\.id) }

    /// Generates the whole trail into `sink`; with `digests`, also the signed hourly digest
    /// chains, their `.sig` sidecars and the public key. Log files are the same either way.
    public func generate<S: TrailSink>(into sink: inout S, digests: DigestOptions? = nil) throws(GeneratorError) -> GenerationSummary {
        var engine = try SlotEngine(generator: self)
        let periodStart = Int64(startDay) * 86_400
        if let digests {
            engine.digests = DigestChains(options: digests, accounts: accountIds, regions: config.regions,
                                          homeRegion: config.regions[population.homeRegion], periodStart: periodStart)
        }
        let totalSlots = config.days * RateModel.slotsPerDay
        for slot in 0..<totalSlots {
            try engine.run(slot: slot, into: &sink)
        }
        try engine.flushLate(afterSlot: totalSlots - 1, into: &sink)
        var summary = GenerationSummary(files: engine.files, events: engine.events, compressedBytes: engine.compressedBytes,
                                        uncompressedBytes: engine.uncompressedBytes, incidents: incidentLabels, accountIds: accountIds)
        if var chains = engine.digests, let digests {
            // The last hour holds the files delivered at the period's end and the late flush.
            try chains.advance(to: periodStart + Int64(config.days) * 86_400, gzip: engine.gzip, into: &sink)
            try chains.closeHour(gzip: engine.gzip, into: &sink)
            try sink.write(relativePath: digests.publicKeyPath, contents: Array(digests.signer.publicKeyPEM.utf8))
            summary.digestFiles = chains.written
            summary.publicKeyPath = digests.publicKeyPath
        }
        return summary
    }

    /// Generates into `directory` (created if needed) and writes `labels.json` there.
    /// Refuses to mix with an earlier trail: `directory/AWSLogs` must not exist unless
    /// `overwrite`, in which case it and labels.json are removed first.
    public func generate(toDirectory directory: String, overwrite: Bool = false, command: String? = nil,
                         digests: DigestOptions? = nil) throws(GeneratorError) -> GenerationSummary {
        let fm = FileManager.default
        let logs = directory + "/AWSLogs"
        if fm.fileExists(atPath: logs) {
            guard overwrite else {
                throw .io(path: logs, message: "already exists; generate into an empty directory or pass --overwrite")
            }
            do {
                try fm.removeItem(atPath: logs)
                if fm.fileExists(atPath: directory + "/labels.json") { try fm.removeItem(atPath: directory + "/labels.json") }
                // Public keys of earlier digest runs would otherwise pile up (and confuse) next to the new one.
                for name in (try? fm.contentsOfDirectory(atPath: directory + "/keys")) ?? []
                where name.hasPrefix(DigestOptions.publicKeyPrefix) && name.hasSuffix(".public.pem") {
                    try fm.removeItem(atPath: directory + "/keys/" + name)
                }
            } catch {
                throw .io(path: logs, message: "cannot remove the previous trail: \(error)")
            }
        }
        try makeDirectories(directory)
        guard access(directory, W_OK) == 0 else { throw .io(path: directory, message: "output directory is not writable") }
        var sink = DirectorySink(root: directory)
        let summary = try generate(into: &sink, digests: digests)
        let labels = labelsJSON(summary: summary, command: command ?? config.commandLine(out: directory))
        try sink.write(relativePath: "labels.json", contents: Array(labels.utf8))
        return summary
    }

    /// labels.json: generator parameters (and the command that reproduces them) plus incidents.
    public func labelsJSON(summary: GenerationSummary, command: String) -> String {
        var anomalies: JSONValue = .string(config.anomaliesSource)
        if case .custom(let list) = config.anomalies, config.anomaliesSource != "custom" {
            anomalies = .object(JSONObject([
                ("file", .string(config.anomaliesSource)),
                ("incidents", .array(list.map { r in
                    .object(JSONObject([("kind", .string(r.kind.rawValue)), ("at", .string(UTC.iso(r.at))),
                                        ("count", .number(Double(r.count))), ("durationMinutes", .number(Double(r.durationMinutes)))]))
                })),
            ]))
        }
        var generator = JSONObject([
            ("command", .string(command)),
            ("seed", .number(Double(config.seed))),
            ("seedText", .string(String(config.seed))),
            ("start", .string(config.start)),
            ("days", .number(Double(config.days))),
            ("end", .string(UTC.iso(Int64(startDay + config.days) * 86_400))),
            ("eventsPerDay", .number(Double(config.eventsPerDay))),
            ("accounts", .number(Double(config.accounts))),
            ("accountIds", .array(accountIds.map { .string($0) })),
            ("accountAliases", .array(population.accounts.map { .string($0.alias) })),
            ("regions", .array(config.regions.map { .string($0) })),
            ("compressionLevel", .number(Double(config.compressionLevel))),
            ("anomalies", anomalies),
            ("files", .number(Double(summary.files))),
            ("events", .number(Double(summary.events))),
            ("compressedBytes", .number(Double(summary.compressedBytes))),
        ])
        if let key = summary.publicKeyPath {
            generator["digests"] = .object(JSONObject([("files", .number(Double(summary.digestFiles))), ("publicKey", .string(key))]))
        }
        let incidents = summary.incidents.map { l -> JSONValue in
            .object(JSONObject([
                ("id", .string(l.id)), ("kind", .string(l.kind.rawValue)), ("start", .string(l.start)), ("end", .string(l.end)),
                ("description", .string(l.description)), ("principal", .string(l.principal)),
                ("sourceIPAddress", .string(l.sourceIPAddress)), ("accountId", .string(l.accountId)),
                ("awsRegion", .string(l.awsRegion)), ("eventNames", .array(l.eventNames.map { .string($0) })),
                ("count", .number(Double(l.count))), ("eventIDs", .array(l.eventIDs.map { .string($0) })),
            ]))
        }
        let root = JSONValue.object(JSONObject([("generator", .object(generator)), ("incidents", .array(incidents))]))
        return root.jsonText(pretty: true) + "\n"
    }
}

/// The per-slot machinery: persona tables resolved per stream, scratch buffers, the gzip
/// stream, late records carried to the next file.
struct SlotEngine {
    let g: TrailGenerator
    var renderer: RecordRenderer
    let gzip: GzipEncoder
    let streams: Int
    /// [stream] → events drawn for the current slot.
    var specs: [[EventSpec]]
    /// [stream] → comma-separated records held back for the next file (late delivery).
    var late: [[UInt8]]
    var lateCount: [Int]
    var lateNext: [[UInt8]]
    var lateNextCount: [Int]
    /// eventTime span of the held-back records (digests list each file's oldest and newest event).
    var lateSpan: [EventSpan]
    var lateNextSpan: [EventSpan]
    var digests: DigestChains?
    var fileBuffer: [UInt8] = []
    var incidentEvents: [EventSpec]
    var incidentCursor = 0

    // Per-persona tables: [persona][account][region].
    let personaPrincipals: [[[[Int32]]]]
    let personaPrincipalTables: [[[WeightedTable]]]
    let personaTemplates: [[Int32]]
    let personaTemplateTables: [WeightedTable]
    let flatPersonas: [Int]
    let flatTable: WeightedTable
    let businessPersonas: [Int]
    let businessTable: WeightedTable
    let peoplePersonas: [Int]
    /// Share of each stream (account × region) in the volume-driven traffic, and of each
    /// account in people-bound traffic.
    let streamShare: [Double]
    let accountShare: [Double]
    let getBucketPolicy: Int32

    var files = 0
    var events = 0
    var compressedBytes = 0
    var uncompressedBytes = 0

    static let lateFraction = 0.015

    init(generator: TrailGenerator) throws(GeneratorError) {
        g = generator
        renderer = RecordRenderer(population: generator.population, catalog: generator.catalog)
        gzip = GzipEncoder(level: Int32(generator.config.compressionLevel))  // validated in GeneratorConfig
        let pop = generator.population
        let catalog = generator.catalog
        let regions = pop.regions.count
        streams = pop.accounts.count * regions
        specs = Array(repeating: [], count: streams)
        late = Array(repeating: [], count: streams)
        lateNext = Array(repeating: [], count: streams)
        lateCount = Array(repeating: 0, count: streams)
        lateNextCount = Array(repeating: 0, count: streams)
        lateSpan = Array(repeating: EventSpan(), count: streams)
        lateNextSpan = Array(repeating: EventSpan(), count: streams)
        incidentEvents = generator.incidents.flatMap(\.events).sorted { ($0.time, $0.eventID.hi) < ($1.time, $1.eventID.hi) }

        var principals: [[[[Int32]]]] = [], tables: [[[WeightedTable]]] = []
        var templates: [[Int32]] = [], templateTables: [WeightedTable] = []
        for persona in Personas.all {
            var perAccount: [[[Int32]]] = [], perAccountTables: [[WeightedTable]] = []
            for account in pop.accounts {
                var perRegion: [[Int32]] = [], perRegionTables: [WeightedTable] = []
                for r in 0..<regions {
                    var ids: [Int32] = [], weights: [Double] = []
                    for (who, w) in persona.who {
                        let members: [Int32]
                        switch who {
                        case .role(let role): members = [account.principal(role)]
                        case .instances: members = account.regional[r].instancePrincipals
                        case .lambdas: members = account.lambdaPrincipals
                        case .services: members = account.servicePrincipals
                        }
                        for m in members { ids.append(m); weights.append(w / Double(members.count)) }
                    }
                    perRegion.append(ids); perRegionTables.append(WeightedTable(weights))
                }
                perAccount.append(perRegion); perAccountTables.append(perRegionTables)
            }
            principals.append(perAccount); tables.append(perAccountTables)
            templates.append(persona.templates.map { Int32(catalog.id($0.0)) })
            templateTables.append(WeightedTable(persona.templates.map(\.1)))
        }
        personaPrincipals = principals; personaPrincipalTables = tables
        personaTemplates = templates; personaTemplateTables = templateTables
        func indices(_ match: (Persona.Shape) -> Bool) -> [Int] { Personas.all.indices.filter { match(Personas.all[$0].shape) } }
        flatPersonas = indices { if case .flat = $0 { true } else { false } }
        businessPersonas = indices { if case .business = $0 { true } else { false } }
        peoplePersonas = indices { if case .people = $0 { true } else { false } }
        flatTable = WeightedTable(flatPersonas.map { Personas.all[$0].share })
        businessTable = WeightedTable(businessPersonas.map { Personas.all[$0].share })

        // Production carries most traffic; later accounts and regions less.
        let aw = (0..<pop.accounts.count).map { 1 / (1 + 0.6 * Double($0)) }
        let rw = (0..<regions).map { $0 == pop.homeRegion ? 1.0 : 0.45 }
        let total = aw.reduce(0, +) * rw.reduce(0, +)
        streamShare = aw.flatMap { a in rw.map { a * $0 / total } }
        let aTotal = aw.reduce(0, +)
        accountShare = aw.map { $0 / aTotal }
        getBucketPolicy = Int32(catalog.id("GetBucketPolicy"))
    }

    func stream(_ account: Int, _ region: Int) -> Int { account * g.population.regions.count + region }

    mutating func run<S: TrailSink>(slot: Int, into sink: inout S) throws(GeneratorError) {
        let seed = g.config.seed
        let day = slot / RateModel.slotsPerDay, slotOfDay = slot % RateModel.slotsPerDay
        let t0 = Int64(g.startDay) * 86_400 + Int64(slot) * RateModel.slotSeconds
        for s in 0..<streams { specs[s].removeAll(keepingCapacity: true) }

        // Organisation-wide busy days and busy hours: log-normal factors (the −σ²/2 keeps their
        // mean at 1, so --events-per-day stays the mean).
        var dayRng = Xoshiro256(seed: streamSeed(seed, 5, UInt64(day)))
        let dayNoise = exp(0.08 * dayRng.normal() - 0.0032)
        var hourRng = Xoshiro256(seed: streamSeed(seed, 6, UInt64(day), UInt64(slotOfDay / 12)))
        let hourNoise = exp(0.12 * hourRng.normal() - 0.0072)
        let flat = g.rates.flatPerSlot
        let business = g.rates.businessPerSlot(day: day, slot: slotOfDay) * dayNoise * hourNoise

        let regions = g.population.regions.count
        for a in 0..<g.population.accounts.count {
            for r in 0..<regions {
                var rng = Xoshiro256(seed: streamSeed(seed, 2, UInt64(slot), UInt64(a), UInt64(r)))
                let share = streamShare[stream(a, r)]
                for _ in 0..<rng.poisson(flat * share) {
                    draw(persona: flatPersonas[flatTable.pick(&rng)], a, r, t0, &rng)
                }
                let nBusiness = rng.poisson(business * share)
                if nBusiness > 0 {
                    let burstCentre = t0 + Int64(rng.below(240))
                    for _ in 0..<nBusiness {
                        draw(persona: businessPersonas[businessTable.pick(&rng)], a, r, t0, &rng, burstCentre: burstCentre)
                    }
                }
                // People-bound traffic is drawn once per account, in its home-region stream;
                // regional calls are then spread over the account's regions.
                if r == g.population.homeRegion {
                    for p in peoplePersonas {
                        let lambda = g.rates.peoplePerSlot(persona: p, day: day, slot: slotOfDay, morning: Personas.all[p].morning) * accountShare[a]
                        for _ in 0..<rng.poisson(lambda) {
                            draw(persona: p, a, regions > 1 && rng.chance(0.3) ? rng.below(regions) : r, t0, &rng)
                        }
                    }
                }
            }
        }
        let tEnd = t0 + RateModel.slotSeconds
        while incidentCursor < incidentEvents.count, incidentEvents[incidentCursor].time < tEnd {
            let e = incidentEvents[incidentCursor]
            specs[stream(Int(e.account), Int(e.region))].append(e)
            incidentCursor += 1
        }
        for a in 0..<g.population.accounts.count {
            for r in 0..<regions {
                try writeFile(slot: slot, account: a, region: r, deliveryTime: tEnd, into: &sink)
            }
        }
        swap(&late, &lateNext)
        swap(&lateCount, &lateNextCount)
        swap(&lateSpan, &lateNextSpan)
    }

    /// Draws one normal event of `persona` in stream (a, r).
    private mutating func draw(persona p: Int, _ a: Int, _ r: Int, _ t0: Int64, _ rng: inout Xoshiro256, burstCentre: Int64 = -1) {
        let persona = Personas.all[p]
        let ids = personaPrincipals[p][a][r]
        let principal = ids[personaPrincipalTables[p][a][r].pick(&rng)]
        let template = personaTemplates[p][personaTemplateTables[p].pick(&rng)]
        let tpl = g.catalog.templates[Int(template)]
        let account = g.population.accounts[a]
        let who = account.principals[Int(principal)]
        var t = t0 + Int64(rng.below(Int(RateModel.slotSeconds)))
        if persona.bursty && burstCentre >= 0 {
            // A run: calls land within a few seconds of each other.
            t = min(t0 + RateModel.slotSeconds - 1, burstCentre + Int64(rng.below(45)))
        }
        let jitter: Int64 = rng.chance(0.15) ? Int64(rng.below(41)) - 20 : 0
        var error = ErrorKind.none
        if rng.chance(persona.deniedRate) { error = .denied }
        else if rng.chance(persona.throttledRate) { error = .throttled }
        else if template == getBucketPolicy && rng.chance(0.3) { error = .noSuchBucketPolicy }
        else if tpl.service == .signin && rng.chance(who.usesMFA ? 0.05 : 0.1) && who.kind != .assumedRole { error = .failedAuthentication }
        let client = clientFor(persona: persona, principal: who, rng: &rng)
        let region = tpl.isGlobal ? g.population.homeRegion : r
        let spec = EventSpec(time: t, sortKey: t + jitter, account: Int32(a), region: Int32(region), principal: principal,
                             template: template, ip: who.ips[rng.below(who.ips.count)], client: client, error: error,
                             eventID: rng.uuid())
        specs[stream(a, region)].append(spec)
    }

    private func clientFor(persona: Persona, principal p: Principal, rng: inout Xoshiro256) -> Client {
        if let forced = persona.client, p.kind != .awsService { return forced }
        switch p.client {
        case .terraform?: return rng.chance(0.75) ? .terraform : .boto3
        case let c?: return c
        case nil: return persona.halfInConsole && rng.chance(0.5) ? .console : .cliLinux
        }
    }

    private mutating func writeFile<S: TrailSink>(slot: Int, account a: Int, region r: Int, deliveryTime: Int64, into sink: inout S) throws(GeneratorError) {
        let s = stream(a, r)
        lateNext[s].removeAll(keepingCapacity: true)
        lateNextCount[s] = 0
        lateNextSpan[s] = EventSpan()
        guard !specs[s].isEmpty || lateCount[s] > 0 else { return }
        var rng = Xoshiro256(seed: streamSeed(g.config.seed, 3, UInt64(slot), UInt64(a), UInt64(r)))
        specs[s].sort { ($0.sortKey, $0.eventID.hi) < ($1.sortKey, $1.eventID.hi) }
        fileBuffer.removeAll(keepingCapacity: true)
        fileBuffer.lit("{\"Records\":[")
        // Records held back from the previous file lead this one: they are the oldest.
        fileBuffer += late[s]
        var count = lateCount[s]
        var span = lateSpan[s]
        for e in specs[s] {
            if rng.chance(SlotEngine.lateFraction) {
                if lateNextCount[s] > 0 { lateNext[s].append(UInt8(ascii: ",")) }
                renderer.render(e, rng: &rng, into: &lateNext[s])
                lateNextCount[s] += 1
                lateNextSpan[s].add(e.time)
            } else {
                if count > 0 { fileBuffer.append(UInt8(ascii: ",")) }
                renderer.render(e, rng: &rng, into: &fileBuffer)
                count += 1
                span.add(e.time)
            }
        }
        guard count > 0 else { return }
        fileBuffer.lit("]}")
        try emit(records: count, account: a, region: r, deliveryTime: deliveryTime, eventSpan: span, rng: &rng, into: &sink)
    }

    /// Delivers records still held back after the last slot, one file later.
    mutating func flushLate<S: TrailSink>(afterSlot slot: Int, into sink: inout S) throws(GeneratorError) {
        let deliveryTime = Int64(g.startDay) * 86_400 + Int64(slot + 2) * RateModel.slotSeconds
        for a in 0..<g.population.accounts.count {
            for r in 0..<g.population.regions.count {
                let s = stream(a, r)
                guard lateCount[s] > 0 else { continue }
                var rng = Xoshiro256(seed: streamSeed(g.config.seed, 3, UInt64(slot + 1), UInt64(a), UInt64(r)))
                fileBuffer.removeAll(keepingCapacity: true)
                fileBuffer.lit("{\"Records\":[")
                fileBuffer += late[s]
                fileBuffer.lit("]}")
                try emit(records: lateCount[s], account: a, region: r, deliveryTime: deliveryTime, eventSpan: lateSpan[s], rng: &rng, into: &sink)
                lateCount[s] = 0
                lateSpan[s] = EventSpan()
                late[s].removeAll()
            }
        }
    }

    /// Compresses `fileBuffer` and writes it under the S3 key a trail would use:
    /// `AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz`,
    /// dated by delivery time.
    private mutating func emit<S: TrailSink>(records: Int, account a: Int, region r: Int, deliveryTime: Int64, eventSpan: EventSpan,
                                             rng: inout Xoshiro256, into sink: inout S) throws(GeneratorError) {
        let compressed: [UInt8]
        compressed = gzip.member(fileBuffer)
        let account = g.population.accounts[a].id
        let region = g.population.regions[r]
        var iso: [UInt8] = []
        UTC.appendISO(&iso, deliveryTime)  // YYYY-MM-DDTHH:MM:SSZ
        let y = String(decoding: iso[0..<4], as: UTF8.self), m = String(decoding: iso[5..<7], as: UTF8.self)
        let d = String(decoding: iso[8..<10], as: UTF8.self)
        let hhmm = String(decoding: iso[11..<13] + iso[14..<16], as: UTF8.self)
        let suffix = rng.characters(16, from: alnum)
        let path = "AWSLogs/\(account)/CloudTrail/\(region)/\(y)/\(m)/\(d)/\(account)_CloudTrail_\(region)_\(y)\(m)\(d)T\(hhmm)Z_\(suffix).json.gz"
        try sink.write(relativePath: path, contents: compressed)
        if digests != nil {
            let s = stream(a, r), content = fileBuffer, encoder = gzip
            try digests!.record(stream: s, key: path, uncompressed: content, events: eventSpan, deliveryTime: deliveryTime,
                                gzip: encoder, into: &sink)
        }
        files += 1
        events += records
        compressedBytes += compressed.count
        uncompressedBytes += fileBuffer.count
    }
}
