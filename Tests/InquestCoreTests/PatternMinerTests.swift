import Foundation
import Testing
@testable import InquestCore

@Suite("Pattern mining")
struct PatternMinerTests {
    /// The single template the miner gives one message.
    func template(_ message: String) -> String {
        let m = PatternMiner()
        m.add(message)
        return m.finish().patterns.first?.template ?? ""
    }

    /// Templates are written the way Loghub-2.0 labels them: one `<*>` per value,
    /// the punctuation between values (`host:port`, `hh:mm:ss`) and constant words
    /// (units) kept.
    @Test("masks numbers, addresses, host names, paths, units, dates and keyed values", arguments: [
        ("Moved chunk seg_-7302118865412093345 to /10.31.4.77", "Moved chunk <*> to <*>"),
        ("Session ended by 198.51.100.23 [idle]", "Session ended by <*> [idle]"),
        ("gw.lab.example.co.uk:5070 open through relay mirror.example.com:443 TLS", "<*>:<*> open through relay <*>:<*> TLS"),
        ("request took 12 ms", "request took <*> ms"),
        ("2048 bytes (2.37 KB) received", "<*> bytes (<*> KB) received"),
        ("uptime <1 sec", "uptime <*> sec"),
        ("opening /var/log/app/current.log", "opening <*>"),
        ("open() \"/srv/www/img/a.png\" failed", "open() \"<*>\" failed"),
        ("mail for carol@example.net deferred", "mail for <*> deferred"),
        ("queued to=c***@example.org now", "queued to=<*> now"),
        ("connection at Fri Jun 17 07:07:00 2005", "connection at <*>:<*>:<*>"),
        ("retry may fail on Sun", "retry may fail on <*>"),
        ("size=1024 mode=rw", "size=<*> mode=rw"),
        ("totalTime:125 done", "totalTime:<*> done"),
        ("enabled is ui.clock.showseconds", "enabled is ui.clock.showseconds"),
        ("user 5f3c2a1e-7b8d-4c2e-9a1b-0c3d4e5f6a7b logged in", "user <*> logged in"),
        ("request from 203.0.113.9 () at", "request from <*> (<*>) at"),
        ("lookup returned (null) twice", "lookup returned (<*>) twice"),
        ("", ""),
    ])
    func masking(_ message: String, _ expected: String) {
        #expect(template(message) == expected)
    }

    @Test("variables are written with the punctuation and words around them kept", arguments: [
        ("worker 7 bound to /10.0.0.5:8080", "worker <*> bound to <*>:<*>"),
        ("job done (TID 12). ok", "job done (TID <*>). ok"),
        ("fetched core.2291 from #3#", "fetched core.<*> from #<*>#"),
        ("lease lost for blk_-42 after delay=00:00:05, sorry", "lease lost for <*> after delay=<*>:<*>:<*>, sorry"),
        ("link up on 0a:1b:2c:3d:4e:5f now", "link up on <*> now"),
        ("mirror at ftp://mirror.example.org/pub/x.tar fetched", "mirror at ftp://<*> fetched"),
        ("request 5f3c2a1e-7b8d-4c2e-9a1b-0c3d4e5f6a7b done", "request <*> done"),
        ("cache enabled: true, fallback null", "cache enabled: true, fallback null"),
        ("cache ready=false after 12 ms", "cache ready=false after <*> ms"),
        ("wrote /srv/data/part-0001. now", "wrote <*> now"),
        ("cd failed: mkdir(/srv/x/y7) denied", "cd failed: mkdir(<*>) denied"),
        ("regs R0=0x1f R1=0x2 saved", "regs R0=<*> R1=<*> saved"),
    ])
    func writing(_ message: String, _ expected: String) {
        #expect(template(message) == expected)
    }

    /// The templates of several messages, most frequent first.
    func templates(_ messages: [String]) -> [String] {
        let m = PatternMiner()
        for message in messages { m.add(message) }
        return m.finish().patterns.map(\.template)
    }

    @Test("a word with digits that is always spelled the same stays a word; one spelled three ways is a variable")
    func constantWordsWithDigits() {
        let messages = (1...6).map { "login failed for alice from 10.0.0.\($0) port \(4000 + $0) proto2" }
        #expect(templates(messages) == ["login failed for alice from <*> port <*> proto2"])
        #expect(template("login failed from 10.0.0.1 port 4000 proto2") == "login failed from <*> port <*> proto2")
        // The same shape spelled three ways or more (`node7`, `node12`, `node3`): a variable everywhere.
        let nodes = (1...6).map { "heartbeat lost from node\([7, 12, 3][$0 % 3]) after \($0) tries" }
        #expect(templates(nodes) == ["heartbeat lost from <*> after <*> tries"])
        // Two names (`eth0`, `wlan0`; `ipv4`, `ipv6`) are alternatives, like two words.
        let links = (1...8).map { "link up on \($0 % 2 == 0 ? "eth0" : "wlan0") after \($0) s" }
            + (1...8).map { "route added via \($0 % 2 == 0 ? "ipv4" : "ipv6") gateway \($0)" }
        #expect(Set(templates(links)) == ["link up on eth0 after <*> s", "link up on wlan0 after <*> s",
                                          "route added via ipv4 gateway <*>", "route added via ipv6 gateway <*>"])
        // Words of one shape in one message are masked alike.
        #expect(template("could not reach r1 r2 r3 r4") == "could not reach <*>")
    }

    @Test("words with digits kept at first turn variable across signatures where their column holds three or more")
    func digitWordColumns() {
        let m = PatternMiner()
        // `cpu0`…`cpu1` and `gpu2`…: different shapes, each kept by the masker until seen a third way.
        for name in ["cpu0", "gpu1", "tpu2", "npu3"] { for i in 0..<3 { m.add("core \(name) throttled for \(i) ms") } }
        #expect(m.finish().patterns.map(\.template) == ["core <*> throttled for <*> ms"])
    }

    @Test("a named value (`name(key=value)`) keeps its name and stays apart from a bare one")
    func namedValues() {
        let m = PatternMiner()
        for i in 0..<12 { m.add("session opened for user u\(i)x by (uid=\(i))") }
        m.add("session opened for user rootx by SHELL(uid=0)")
        let t = m.finish().patterns.map(\.template)
        #expect(Set(t) == ["session opened for user <*> by (uid=<*>)", "session opened for user rootx by SHELL(uid=<*>)"])
    }

    @Test("a word glued to a value is part of it; values joined by a dot are one")
    func wholeVariables() {
        #expect(PatternMiner.wholeVariables("<Desc: <*>>. ok") == "<Desc: <*>. ok")
        #expect(PatternMiner.wholeVariables("Switch<<*>>(<*>)::probe") == "<*>(<*>)::probe")
        #expect(PatternMiner.wholeVariables("id tc<*> in <*>.<*>.<*> from <*>/<*>") == "id <*> in <*> from <*>/<*>")
        #expect(PatternMiner.wholeVariables("core.<*> #<*># R0=<*>") == "core.<*> #<*># R0=<*>")
    }

    @Test("a key's value is one <*>, but its parts stay where they are joined by : - . or a list's , ;")
    func oneKeyedValue() {
        #expect(PatternMiner.oneKeyedValue("saved totals=<*>##<*>##<*> ok") == "saved totals=<*> ok")
        #expect(PatternMiner.oneKeyedValue("owner=<*>@<*>, retry") == "owner=<*>, retry")
        #expect(PatternMiner.oneKeyedValue("failed {url=https://<*>}") == "failed {url=<*>}")
        #expect(PatternMiner.oneKeyedValue("peer=<*>:<*> day=<*>-<*>-<*> v=<*>.<*>") == "peer=<*>:<*> day=<*>-<*>-<*> v=<*>.<*>")
        #expect(PatternMiner.oneKeyedValue("times=<*>,<*>,<*> path=\"<*>\" dir=<*>/jobs/<*>") == "times=<*>,<*>,<*> path=\"<*>\" dir=<*>/jobs/<*>")
        #expect(PatternMiner.oneKeyedValue("plain <*>##<*> and k=<*>") == "plain <*>##<*> and k=<*>")
        #expect(PatternMiner.oneKeyedValue("request (tags=[<*>]) done") == "request (tags=<*>) done", "its bracket closes with it")
        #expect(template("stage totals=20240101##31##977 stored") == "stage totals=<*> stored")
    }

    @Test("one value over several tokens is one <*>, but plain numbers stay one <*> each")
    func joiningTokensOfOneValue() {
        #expect(template("served GET /v1/items/42 HTTP/1.1 fast") == "served GET <*> fast")
        #expect(template("sizes 14 0 4 done") == "sizes <*> <*> <*> done")
        #expect(template("request HTTP/1.1 200 14 done") == "request <*> <*> <*> done")
        #expect(template("at 2017-05-14 19:39:00 audit") == "at <*>-<*>-<*> <*>:<*>:<*> audit")
        // A hex literal is a number too: one `<*>` each, as for decimals.
        #expect(template("window lo/hi 0x0 0x3f kept") == "window lo/hi <*> <*> kept")
    }

    @Test("a path is one value unless a number follows its last colon; two host names joined by a colon are one")
    func pathsAndHostPairs() {
        #expect(template("saved path:/srv/out/[a,b]=run:v2/part.log, next") == "saved path:<*>, next")
        #expect(template("read /srv/app/main.c:120 again") == "read <*>:<*> again")
        #expect(template("synced for db1.example.com:db1.example.com now") == "synced for <*> now")
        #expect(template("synced for db1.example.com:5432 now") == "synced for <*>:<*> now")
    }

    @Test("a word that varies, joined by a dash to a value, is part of it")
    func dashJoinedNames() {
        let names = ["alpha-003.xml", "beta-004.xml", "gamma5-001.txt", "alpha-002.xml"].map { "skipping file \($0) now" }
        #expect(templates(names) == ["skipping file <*> now"])
        let same = ["alpha-003.xml", "alpha-004.xml", "alpha-011.xml"].map { "skipping file \($0) now" }
        #expect(templates(same) == ["skipping file alpha-<*> now"], "a name that does not vary stays")
        let dates = ["2024-01-02", "2024-02-03", "2023-11-30"].map { "rotated on \($0) ok" }
        #expect(templates(dates) == ["rotated on <*>-<*>-<*> ok"], "numbers joined by dashes stay apart")
    }

    @Test("a dotted name is a variable where its column varies, a word where it does not")
    func dottedNamesByEvidence() {
        let actions = (0..<9).map { "handle broadcast action:app.intent.action.\(["TICK", "ON", "OFF"][$0 % 3])" }
        #expect(Set(templates(actions)) == ["handle broadcast action:app.intent.action.TICK",
                                            "handle broadcast action:app.intent.action.ON",
                                            "handle broadcast action:app.intent.action.OFF"])
        let jobs = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"].map { "org.example.jobs.\($0): queued for the night" }
        #expect(templates(jobs) == ["org.example.jobs.<*>: queued for the night"], "the parts all values share are words")
        // Only when the names after those parts differ: here only the number does.
        let workers = (1...6).map { "svc.pool.Worker(\(300 + $0)) exited" }
        #expect(templates(workers) == ["<*>(<*>) exited"])
        // A first word that is not a dotted name never varies.
        let verbs = ["opened", "closed", "reset", "moved", "locked", "freed"].map { "\($0) the shared cache now" }
        #expect(templates(verbs).count == 6)
    }

    @Test("a list of a different length in each message is one <*>")
    func variableLengthList() {
        let short = "radio channels " + (1...37).map(String.init).joined(separator: " ")
        let long = "radio channels " + (1...38).map(String.init).joined(separator: " ")
        #expect(templates([short, long, short]) == ["radio channels <*>"])
    }

    @Test("words in a bracket group over several tokens are words; a group of values is one value")
    func bracketGroupsWithWords() {
        let replies = (1...6).map { "reply took \($0 * 10) ms (\($0), \($0 % 2 == 0 ? "indexer" : "mailer"))" }
        #expect(Set(templates(replies)) == ["reply took <*> ms (<*>, indexer)", "reply took <*> ms (<*>, mailer)"])
        #expect(template("flushed 2048 bytes (2.37 KB) ok") == "flushed <*> bytes (<*> KB) ok")
        // A short list inside: one `<*>` when its length varies.
        #expect(templates(["masked (lines 3 4 5) on bus", "masked (lines 7 8) on bus"]) == ["masked (lines <*>) on bus"])
    }

    @Test("a message with nothing constant keeps its shape instead of becoming <*> alone")
    func neverOnlyAVariable() {
        #expect(template("[<0a1b2c3d>] handle_irq+0x1f/0x40") == "[<*>] handle_irq+<*>/<*>")
        let m = PatternMiner()
        m.add("[<0a1b2c3d>] handle_irq+0x1f/0x40")
        m.add("[<0a1b2c4e>] handle_irq+0x2a/0x40")
        m.add("[<0a1b2f00>] schedule_tick+0x10/0x80")
        #expect(m.finish().patterns.count == 2)
    }

    @Test("a variable spelled differently from one message to the next is one <*>")
    func mixedSpellings() {
        let m = PatternMiner()
        m.add("served peer /10.0.0.1:80 fast")
        m.add("served peer 10.0.0.2 fast")
        m.add("served peer 10.0.0.3:81 fast")
        let t = m.finish()
        #expect(t.patterns.map(\.template) == ["served peer <*> fast"])
        let n = PatternMiner()
        n.add("peer 10.0.0.1, weight 3")
        n.add("peer LOOP(0), weight 2")
        #expect(n.finish().patterns.map(\.template) == ["peer <*>, weight <*>"], "shared punctuation kept")
        let u = PatternMiner()
        u.add("cached (size 5.2 KB, left 3 KB)")
        u.add("cached (size 310 B, left 4 KB)")
        #expect(u.finish().patterns.map(\.template) == ["cached (size <*>, left <*> KB)"], "a varying unit joins its value")
        let h = PatternMiner()
        h.add("opening tunnel : db-eu-7:5432")
        h.add("opening tunnel : gw-7.example.org:80")
        h.add("opening tunnel : edge-3:443")
        #expect(h.finish().patterns.map(\.template) == ["opening tunnel : <*>:<*>"], "common ends kept")
        let o = PatternMiner()
        o.add("flushed 1190 bytes (1.16 KB) to disk")
        o.add("flushed 583 bytes to disk")
        o.add("flushed 2583 bytes (2.52 KB) to disk")
        #expect(o.finish().patterns.map(\.template) == ["flushed <*> bytes <*> to disk"], "an optional part is a word of its own")
    }

    @Test("a packed word set finds exactly its members")
    func packedWords() {
        let words = (1...200).map { MessageMasker.pack("w\($0)") }
        let set = PackedWords(words + [0])
        #expect(words.allSatisfy(set.contains))
        #expect(!set.contains(0))
        #expect(!(201...2_000).map { MessageMasker.pack("w\($0)") }.contains(where: set.contains))
        #expect(!PackedWords([]).contains(MessageMasker.pack("ms")))
        #expect(MessageMasker.units.contains(MessageMasker.pack("ms")) && !MessageMasker.units.contains(MessageMasker.pack("msg")))
    }

    @Test("a position of unique values keeps examples to be written from")
    func uniqueValues() {
        let m = PatternMiner()
        for i in 0..<34 { m.add("refund failed for order ord-\(String(0x1000 + i * 7919, radix: 16)): gateway down") }
        #expect(m.finish().patterns.map(\.template) == ["refund failed for order ord-<*>: gateway down"])
        let names = (1...12).map { "n\($0)" }.joined(separator: " ")
        #expect(template("could not resolve names \(names)") == "could not resolve names <*>", "a list is one <*>")
        #expect(template("pair (3, 4) done") == "pair (<*>, <*>) done", "a short group keeps its values apart")
    }

    @Test("counts shown for values are shares of the records, not of the few values kept")
    func shownCounts() throws {
        // The first 1,000 logins come from one address, the next 2,000 from as many
        // others: the early records, all sampled, must not make it look like most.
        let m = PatternMiner()
        for _ in 0..<1000 { m.add("login accepted from 10.0.0.1 port 22") }
        for i in 0..<2000 { m.add("login accepted from 10.1.\(i / 250).\(i % 250) port 22") }
        let p = try #require(m.finish().patterns.first)
        #expect(p.template == "login accepted from <*> port <*>")
        let addresses = try #require(p.variables.first)
        #expect(addresses.first?.value == "10.0.0.1")
        let top = addresses.first?.count ?? 0
        #expect(top > 800 && top < 1200, "10.0.0.1 is a third of 3,000: \(top)")
        for other in addresses.dropFirst() { #expect(other.count <= 30, "an address seen once: \(other)") }
        #expect(p.variables.last?.first?.count == 3000, "port 22 is in every record")

        // A value written as two <*> (`host:port`) out of unique wholes: the port that
        // every record has shows in every record, each unique host in few.
        let n = PatternMiner()
        for i in 0..<2000 { n.add("proxy opened to h\(i).example.net:8443 via tunnel") }
        let q = try #require(n.finish().patterns.first)
        #expect(q.template == "proxy opened to <*>:<*> via tunnel")
        #expect(q.variables.count == 2)
        let port = q.variables.last?.first
        #expect(port?.value == "8443" && (port?.count ?? 0) > 1900, "\(String(describing: port))")
        for host in q.variables.first ?? [] { #expect(host.count <= 30, "a host seen once: \(host)") }
    }

    @Test("a word with its value (`relay:80`) that joins a bare <*> is written with the others' spelling")
    func keyedWordUnderVariable() throws {
        let m = PatternMiner()
        for i in 0..<20 { m.add("mirror\(i).example.org:443 refused: upstream timeout") }
        for port in 80..<83 { m.add("relay:\(port) refused: upstream timeout") }
        let t = m.finish()
        let p = try #require(t.patterns.first)
        #expect(t.patterns.count == 1, "\(t.patterns.map(\.template))")
        #expect(p.template == "<*>:<*> refused: upstream timeout")
        #expect(p.variables.first?.first?.value == "relay", "\(p.variables)")
        #expect(p.variables.last?.contains { $0.value == "443" } == true, "\(p.variables)")
    }

    @Test("a list in brackets whose length varies is one <*>, whatever its items")
    func variableLists() throws {
        let names = ["alpha", "beta", "gamma", "delta", "omega", "sigma"]
        let m = PatternMiner()
        for i in 0..<60 {
            let items = (0..<(i % 4)).map { names[(i + $0 * 2) % names.count] }.joined(separator: ", ")
            m.add("members [\(items)] joined the pool")
            m.add("ad request (tags=[\(items)])")
            m.add("[INFO] pool size \(i)")
        }
        m.add("[WARN] pool size 7")
        // Alone in its signature (no other message has its group), it is still a list there.
        m.add("members [kappa, lambda, mu, nu, xi] joined the pool, late")
        m.add("members [kappa] joined the pool, late")
        let t = m.finish()
        #expect(Set(t.patterns.map(\.template)) == ["members [<*>] joined the pool", "ad request (tags=<*>)",
                                                    "[INFO] pool size <*>", "[WARN] pool size <*>",
                                                    "members [<*>] joined the pool, late"])
        let members = try #require(t.patterns.first { $0.template.hasPrefix("members") })
        #expect(members.count == 60)
        #expect(members.variables.first?.contains { $0.value == "alpha, gamma" } == true, "\(members.variables)")
        // Lists that keep their length, too few to be a variable, stay as they are written.
        let n = PatternMiner()
        for _ in 0..<10 { n.add("formats [json, text] are supported"); n.add("formats [csv, text] are supported") }
        #expect(n.finish().patterns.count == 2)
    }

    @Test("a list of words without brackets is one <*> where its items recombine; free text is not")
    func bareWordLists() throws {
        let names = ["alpha", "beta", "gamma", "delta", "omega", "sigma"]
        let m = PatternMiner()
        for i in 0..<40 {
            let items = (0..<(i % 4)).map { names[(i * 5 + $0 * 7) % names.count] }
            m.add((["evicting keys"] + items + ["from the cache"]).joined(separator: " "))
        }
        // Different sentences between the same words: each brings words of its own.
        for text in ["disk full", "quota reached for tenant", "network path lost", "peer reset the stream",
                     "token expired", "clock skew too large"] {
            for _ in 0..<3 { m.add("upload failed: \(text) after retry") }
        }
        let t = m.finish()
        let lists = try #require(t.patterns.first { $0.template.hasPrefix("evicting") })
        #expect(lists.template == "evicting keys <*> from the cache")
        #expect(lists.count == 40)
        #expect(lists.variables.first?.first?.value == "", "an empty list is a value too")
        #expect(t.patterns.filter { $0.template.hasPrefix("upload failed") }.count == 6,
                "\(t.patterns.map(\.template))")
    }

    @Test("a plain word in a list's place, and alternatives crossed, are neither mapped nor joined as lists")
    func listsBesideWords() throws {
        let m = PatternMiner()
        for line in ["sync finished with [alpha, beta]", "sync finished with [gamma]", "sync finished with [delta, eps, zeta]",
                     "sync finished with errors", "sync finished with warnings", "sync finished with success",
                     "sync finished with nothing"] { m.add(line) }
        let t = m.finish()
        let values = t.patterns.flatMap { $0.variables.flatMap { $0.map(\.value) } }
        #expect(!values.contains { $0.contains(" ") && !$0.contains(",") }, "a word's value is the word: \(values)")
        #expect(t.patterns.map(\.count).reduce(0, +) == 7)
        // Two columns of alternatives crossed are not a list, whatever one more line says.
        let n = PatternMiner()
        for service in ["db", "cache", "queue"] {
            for outcome in ["passed", "failed"] { n.add("health check \(service) \(outcome) now") }
        }
        n.add("health check queue failed again now")
        #expect(!n.finish().patterns.contains { $0.template == "health check <*> now" })
        // An empty list is masked as a value; on either side of a list, one pattern.
        let o = PatternMiner()
        for line in ["pair [] [alpha, beta] seen ok", "pair [gamma] [] seen ok", "pair [] [delta, eps, zeta] seen ok",
                     "pair [alpha, beta] [] seen ok", "pair [] [] seen ok", "pair [eps, zeta] [] seen ok"] { o.add(line) }
        let pairs = o.finish()
        #expect(Set(pairs.patterns.map(\.template)).count == pairs.patterns.count, "\(pairs.patterns.map(\.template))")
        #expect(pairs.patterns.map(\.count).reduce(0, +) == 6)
        for c in 0..<6 { #expect(pairs.patternIndex(forCluster: c) < pairs.patterns.count) }
    }

    @Test("a signature joins a more general one that agrees wherever that one is constant")
    func generalMerge() {
        let m = PatternMiner()
        for i in 0..<40 { m.add("Reaper killed (make) as job \(1000 + i) ended") }
        for i in 0..<3 { m.add("Reaper killed (cc1.so.2) as job \(2000 + i) ended") }
        m.add("Reaper killed (ld-new) as job 3000 ended")
        let t = m.finish()
        #expect(t.patterns.count == 1, "\(t.patterns.map(\.template))")
        #expect(t.patterns.first?.count == 44)
        // Two constant alternatives with no masked value between them stay apart.
        let n = PatternMiner()
        for _ in 0..<5 { n.add("disk sda went offline now"); n.add("disk sda went online now") }
        #expect(n.finish().patterns.count == 2)
    }

    @Test("a name of three or more parts joined by dashes, one with a digit and one a word, is one <*>")
    func dashedNames() {
        #expect(template("connected to db-eu-7:5432 now") == "connected to <*>:<*> now")
        #expect(template("built on 2026-01-31 by ci") == "built on <*>-<*>-<*> by ci", "numbers joined by dashes are numbers")
        #expect(template("using driver-4 now") == "using driver-<*> now")
    }

    @Test("only the first line of a message is mined")
    func firstLine() {
        #expect(template("NullPointerException in handler 7\n\tat a.b.C.method(C.java:42)") == "NullPointerException in handler <*>")
    }

    @Test("a column with many different words is a variable; two or three alternatives stay apart")
    func columnMerge() {
        let m = PatternMiner()
        for user in ["alice", "bob", "carol", "dave", "erin"] {
            for _ in 0..<3 { m.add("session opened for user \(user) by admin") }
        }
        for state in ["Started", "Paused", "Resumed"] {
            for _ in 0..<4 { m.add("VM \(state) (Lifecycle Event)") }
        }
        let t = m.finish()
        #expect(t.patterns.map(\.template).contains("session opened for user <*> by admin"))
        #expect(t.patterns.filter { $0.template.hasPrefix("VM ") }.count == 3)
        #expect(t.patterns.count == 4)
        #expect(t.lines == 27)
        let users = t.patterns.first { $0.template.contains("user <*>") }
        #expect(users?.count == 15)
        #expect(users?.variables.first?.count == 3, "top three values kept")
        #expect(users?.variables.first?.first?.count == 3)
    }

    @Test("three dotted names in a column are enough to make it variable; three plain words are not")
    func dottedNamesFew() {
        let m = PatternMiner()
        for job in ["org.example.jobs.Nightly:", "org.example.cache.Sweep:", "org.example.mail.Digest:"] {
            for k in 0..<4 { m.add("\(job) queued; next slot opens in \(k + 5) seconds") }
        }
        for state in ["Started", "Paused", "Resumed"] {
            for _ in 0..<4 { m.add("VM \(state) (Lifecycle Event)") }
        }
        let t = m.finish()
        #expect(t.patterns.map(\.template).contains("org.example.<*>: queued; next slot opens in <*> seconds"))
        #expect(t.patterns.filter { $0.template.hasPrefix("VM ") }.count == 3)
    }

    @Test("a variable's values are what its <*> covers, without the words and punctuation kept around it")
    func valuesAsCovered() {
        let m = PatternMiner()
        for (k, port) in [8425, 9537, 6201, 7313].enumerated() {
            m.add("socket open on port \(port).")
            m.add("buffer pool sized at \(k + 1).\(k * 3) GB")
            m.add("worker ready in pool com.example.jobs.Task\(k * 7): idle")
        }
        let t = m.finish()
        func values(_ prefix: String) -> [String] {
            (t.patterns.first { $0.template.hasPrefix(prefix) }?.variables.first ?? []).map(\.value).sorted()
        }
        #expect(t.patterns.map(\.template).contains("socket open on port <*>."))
        // The three most frequent are kept; all are seen once, so the first three in order.
        #expect(values("socket") == ["6201", "7313", "8425"])
        #expect(t.patterns.map(\.template).contains("buffer pool sized at <*> GB"))
        #expect(values("buffer") == ["1.0", "2.3", "3.6"])
        #expect(t.patterns.map(\.template).contains("worker ready in pool com.example.jobs.<*>: idle"))
        #expect(values("worker") == ["Task0", "Task14", "Task21"])
    }

    @Test("a flag's two states are two patterns, as two alternative words are; a value that varies is one")
    func flagStates() {
        let m = PatternMiner()
        for k in 0..<6 {
            m.add("panel redraw overlap:\(k % 3 == 0 ? "true" : "false"), height=\(k * 7)")
            m.add("queue drained=\(k % 2 == 0 ? "true" : "false") after \(k + 1) ms")
            m.add("widget focus lost (null) at \(k)")
        }
        let t = m.finish()
        let templates = Set(t.patterns.map(\.template))
        #expect(templates == ["panel redraw overlap:true, height=<*>", "panel redraw overlap:false, height=<*>",
                              "queue drained=true after <*> ms", "queue drained=false after <*> ms",
                              "widget focus lost (<*>) at <*>"])
        #expect(t.patterns.first { $0.template.hasPrefix("panel redraw overlap:false") }?.count == 4)
    }

    @Test("a bracketed word beside a value joins the pattern whose one <*> covers such a pair elsewhere")
    func bracketedWordsJoinACoveringVariable() {
        let m = PatternMiner()
        // Names shaped like host names are masked with the number before them, as one value.
        let shaped = ["idx.worker.7", "db-backup.svc.2", "tmp.sweep.9"]
        for i in 0..<6 { m.add("Reaper stopped task \(4000 + i) (\(shaped[i % 3])).") }
        for (i, name) in ["indexer", "sweeper", "mailer"].enumerated() { m.add("Reaper stopped task \(5000 + i) (\(name)).") }
        for i in 0..<5 { m.add("link up from 10.1.\(i).9 (edge\(i).example.net) after retries") }
        for i in 0..<2 { m.add("link up from 10.2.\(i).9 (unknown) after retries") }
        m.add("link up from 10.3.0.9 () after retries")
        // Nothing masks this bracketed word anywhere: it stays a word.
        for i in 0..<3 { m.add("backup \(i) (nightly) finished") }
        let t = m.finish()
        #expect(t.patterns.map(\.template) == ["Reaper stopped task <*> (<*>).", "link up from <*> (<*>) after retries",
                                              "backup <*> (nightly) finished"])
        #expect(t.patterns.map(\.count) == [9, 8, 3])
        // One column of values for each <*>, also where one value covered both.
        let reaper = t.patterns.first?.variables.map { Set($0.map(\.value)) } ?? []
        #expect(reaper.count == 2)
        #expect(reaper.last?.isSubset(of: ["idx.worker.7", "db-backup.svc.2", "tmp.sweep.9", "indexer", "sweeper", "mailer"]) == true)
        #expect(reaper.first?.allSatisfy { Int($0) != nil } == true, "\(reaper)")
    }

    @Test("the most frequent values are those a sort puts first, and sums do not depend on the order of adding")
    func mostFrequentAndOrderFreeSums() {
        var seed: UInt64 = 0x5DEECE66D
        func next(_ n: Int) -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int((seed >> 33) % UInt64(n)) }
        for _ in 0..<200 {
            var column: [String: Double] = [:]
            for _ in 0..<next(12) { column["v\(next(20))"] = Double(next(5)) + (next(3) == 0 ? 0.5 : 0) }
            #expect(PatternMiner.mostFrequent(column, 0).isEmpty)
            for n in 1...4 {
                let sorted = column.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n)
                let got = PatternMiner.mostFrequent(column, n)
                #expect(got.map(\.key) == sorted.map(\.key) && got.map(\.value) == sorted.map(\.value))
            }
        }
        // Parts whose sum in floating point depends on the order they are added in.
        let parts = [0.1, 0.2, 0.3, 1e16, -1e16, 0.7]
        var a = PatternMiner.OrderFreeSums(), b = PatternMiner.OrderFreeSums()
        for x in parts { a.add("k", x) }
        for x in parts.reversed() { b.add("k", x) }
        #expect(a.sums["k"] == b.sums["k"])
        #expect(parts.reduce(0, +) != parts.reversed().reduce(0, +), "the parts do depend on the order")
    }

    @Test("a key's values are listed with the other variables, in the template's order")
    func keyedValuesListed() {
        let m = PatternMiner()
        for i in 0..<6 { m.add("worker \(i % 2) spawned pid=\(4100 + i) queue=q\(i % 3)") }
        let p = m.finish().patterns
        #expect(p.map(\.template) == ["worker <*> spawned pid=<*> queue=<*>"])
        let columns = p.first?.variables.map { Set($0.map(\.value)) } ?? []
        #expect(columns.count == 3, "\(columns)")
        #expect(columns.first == ["0", "1"])
        #expect(columns.dropFirst().first?.contains("4100") == true)
    }

    @Test("a bracketed word joins only where the <*> took such a pair; the values of every member are kept")
    func bracketedWordsNeedEvidence() {
        // No message had a value and a bracketed word masked as one: `[FAILED]` stays a word.
        let m = PatternMiner()
        for i in 0..<3 { m.add("backup job \(50 + i) finished") }
        for i in 0..<9 { m.add("backup job \(2000 + i) [FAILED] finished") }
        #expect(m.finish().patterns.map(\.template) == ["backup job <*> [FAILED] finished", "backup job <*> finished"])
        // Where one did, a run of words only (its <*> from a column merge) brings its values.
        let n = PatternMiner()
        for i in 1...5 { n.add("lease \(i) (node\(i).pool.example) renewed") }
        for name in ["alice", "bob", "carol", "dave", "erin", "frank"] { for _ in 0..<2 { n.add("lease \(name) (admin) renewed") } }
        let t = n.finish()
        #expect(t.patterns.map(\.template) == ["lease <*> (<*>) renewed"])
        let columns = t.patterns.first?.variables.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.value, $0.count) }) } ?? []
        #expect(columns.count == 2)
        #expect(columns.first?["alice"] == 2 && columns.last?["admin"] == 12, "\(columns)")
    }

    @Test("stack frames of many functions are one pattern that keeps the offset's shape; a few stay apart")
    func symbolsWithOffsets() {
        func frames(_ functions: [String]) -> [MinedPattern] {
            let m = PatternMiner()
            for (i, f) in functions.enumerated() {
                for k in 0..<3 { m.add(" [<c0\(String(i * 7 + k, radix: 16))a1b2>] \(f)+0x\(String(16 + 9 * k, radix: 16))/0x\(String(200 + i, radix: 16))") }
            }
            return m.finish().patterns
        }
        let many = frames(["alloc_slab", "flush_queue", "walk_tree", "copy_block", "wake_worker", "read_index"])
        #expect(many.map(\.template) == ["[<*>] <*>+<*>/<*>"])
        #expect(many.first?.count == 18)
        // Three symbols only: alternatives, as three words are.
        #expect(frames(["alloc_slab", "flush_queue", "walk_tree"]).map(\.template).sorted()
                == ["[<*>] alloc_slab+<*>/<*>", "[<*>] flush_queue+<*>/<*>", "[<*>] walk_tree+<*>/<*>"])
    }

    @Test("a key's word value joins the signature where that key's value is masked; two words alone stay apart")
    func keyedWordValues() {
        let m = PatternMiner()
        for k in 0..<4 { m.add("cache flush level=\(k * 3), phase=\(k) done") }
        for _ in 0..<2 { m.add("cache flush level=max, phase=idle done") }
        for _ in 0..<2 { m.add("door sensor state=open now") }
        for _ in 0..<2 { m.add("door sensor state=shut now") }
        m.add("lamp sensor state=3 now")
        let t = m.finish()
        let flush = t.patterns.filter { $0.template.hasPrefix("cache flush") }
        #expect(flush.map(\.template) == ["cache flush level=<*>, phase=<*> done"])
        #expect(flush.first?.count == 6)
        #expect(t.patterns.filter { $0.template.hasPrefix("door sensor") }.count == 2)
    }

    @Test("IDs are eight hex digits, the same in every run, and unique in a table")
    func identifiers() {
        let a = PatternMiner(), b = PatternMiner()
        a.add("disk full on volume 3"); a.add("retrying in 5s")
        b.add("retrying in 9s"); b.add("disk full on volume 12")
        let ta = a.finish(), tb = b.finish()
        #expect(Set(ta.patterns.map(\.id)) == Set(tb.patterns.map(\.id)))
        for p in ta.patterns { #expect(p.id.count == 8 && p.id.allSatisfy(\.isHexDigit)) }
        #expect(PatternTable.identifier("x") != PatternTable.identifier("y"))
    }

    @Test("clusters map to their patterns, and counts add up")
    func clusterMap() {
        let m = PatternMiner()
        var clusters: [Int] = []
        for i in 0..<50 { clusters.append(m.add("job \(i) finished in \(i * 3) ms")) }
        clusters.append(m.add("shutting down"))
        let t = m.finish()
        let first = t.patternIndex(forCluster: clusters[0])
        #expect(clusters.dropLast().allSatisfy { t.patternIndex(forCluster: $0) == first })
        #expect(t.patternIndex(forCluster: clusters.last!) != first)
        #expect(t.patterns.reduce(0) { $0 + $1.count } == 51)
        #expect(t.patternIndex(forCluster: 999) == -1)
    }

    @Test("first and last seen follow the records' times")
    func times() {
        let m = PatternMiner()
        m.add("tick 1", at: Timestamp(seconds: 200))
        m.add("tick 2", at: Timestamp(seconds: 100))
        m.add("tick 3", at: Timestamp(seconds: 300))
        let p = m.finish().patterns[0]
        #expect(p.firstSeen == Timestamp(seconds: 100))
        #expect(p.lastSeen == Timestamp(seconds: 300))
    }

    @Test("compared with a baseline: new, vanished, increased, same")
    func baseline() {
        let m = PatternMiner()
        for i in 0..<100 { m.add("request \(i) served", baseline: true) }
        for i in 0..<10 { m.add("cache miss for key \(i)", baseline: true) }
        for i in 0..<5 { m.add("old job \(i) ran", baseline: true) }
        for i in 0..<100 { m.add("request \(i) served") }
        for i in 0..<40 { m.add("cache miss for key \(i)") }
        for i in 0..<7 { m.add("payment declined for order \(i)") }
        let t = m.finish()
        func change(_ prefix: String) -> PatternChange? {
            t.patterns.first { $0.template.hasPrefix(prefix) }.map { t.change(of: $0) }
        }
        #expect(change("request") == .same)
        #expect(change("cache miss") == .increased)
        #expect(change("payment declined") == .new)
        #expect(change("old job") == .vanished)
        #expect(t.lines == 147 && t.baselineLines == 115)
    }

    @Test("hostile messages: huge, binary, only spaces, unbalanced brackets")
    func hostile() {
        let m = PatternMiner()
        m.add(String(repeating: "x ", count: 200_000))
        m.add(String(decoding: (0..<256).map { UInt8($0) }, as: UTF8.self))
        m.add("     ")
        m.add("((((((((((((((((( open [ never { closed")
        m.add(String(repeating: "(", count: 50_000))
        let t = m.finish()
        #expect(t.patterns.reduce(0) { $0 + $1.count } == 5)
        #expect(t.patterns.allSatisfy { $0.example.utf8.count <= 2000 * 4 })
    }

    @Test("input order, filter and split drive PatternMining")
    func mining() throws {
        let dir = try TempDirectory()
        let path = dir.path + "/app.log"
        var text = ""
        for i in 0..<20 {
            let level = i % 5 == 0 ? "error" : "info"
            text += "{\"ts\":\"2026-01-01T00:00:\(String(format: "%02d", i))Z\",\"level\":\"\(level)\",\"msg\":\"step \(i) done\"}\n"
        }
        text += "not json at all\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let (units, _) = InputDiscovery.discover([path])
        var mining = PatternMining()
        mining.assign = true
        let all = mining.run(units)
        #expect(all.assignments.count == all.stats[0].parsed)
        #expect(all.stats[0].records == all.stats[0].parsed + all.stats[0].skipped)
        #expect(all.assignments.map(\.line) == Array(1...Int32(all.assignments.count)))
        mining.filter.minLevel = .error
        let errors = mining.run(units)
        #expect(errors.table.lines == 4)
        mining.filter.minLevel = nil
        mining.split = Timestamp(nanos: 1_767_225_610_000_000_000)   // 2026-01-01T00:00:10Z
        let split = mining.run(units)
        #expect(split.table.baselineLines == 10)
    }
}

/// Grouping accuracy on the labelled Loghub-2k sets, when `../shared/loghub` is present.
@Suite("Loghub-2k grouping accuracy", .enabled(if: LoghubSets.present, "../shared/loghub is absent"))
struct LoghubAccuracyTests {
    @Test("average grouping accuracy over the 16 sets is at least 0.95 with the default settings")
    func average() throws {
        var total = 0.0
        var report: [String] = []
        for name in LoghubSets.names {
            let (messages, truth) = try LoghubSets.load(name)
            let miner = PatternMiner()
            let clusters = messages.map { miner.add($0) }
            let table = miner.finish()
            let predicted = clusters.map { table.patternIndex(forCluster: $0) }
            let ga = LoghubSets.groupingAccuracy(predicted, truth)
            report.append("\(name) \(ga)")
            total += ga
        }
        let average = total / Double(LoghubSets.names.count)
        #expect(average >= 0.95, "\(report.joined(separator: ", "))")
    }
}

enum LoghubSets {
    static let root = TestPaths.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/loghub")
    static let names = ["HDFS", "Hadoop", "Spark", "Zookeeper", "BGL", "HPC", "Thunderbird", "Windows", "Linux",
                        "Android", "HealthApp", "Apache", "Proxifier", "OpenSSH", "OpenStack", "Mac"]
    static var present: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("HDFS/HDFS_2k.content.txt").path)
    }

    /// Messages (one a line) and the ground-truth EventId of each.
    static func load(_ name: String) throws -> ([String], [String]) {
        let dir = root.appendingPathComponent(name)
        let content = String(decoding: try Data(contentsOf: dir.appendingPathComponent("\(name)_2k.content.txt")), as: UTF8.self)
        var messages = content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if messages.last == "" { messages.removeLast() }
        let csv = String(decoding: try Data(contentsOf: dir.appendingPathComponent("\(name)_2k.log_structured.csv")), as: UTF8.self)
        let rows = parseCSV(csv)
        let column = try #require(rows.first?.firstIndex(of: "EventId"))
        let truth = rows.dropFirst().filter { $0.count > column }.map { $0[column] }
        try #require(truth.count == messages.count)
        return (messages, truth)
    }

    static func groupingAccuracy(_ predicted: [Int], _ truth: [String]) -> Double {
        var size: [String: Int] = [:]
        for t in truth { size[t, default: 0] += 1 }
        var groups: [Int: [Int]] = [:]
        for (i, p) in predicted.enumerated() { groups[p, default: []].append(i) }
        var correct = 0
        for members in groups.values {
            let ids = Set(members.map { truth[$0] })
            if ids.count == 1, size[truth[members[0]]] == members.count { correct += members.count }
        }
        return Double(correct) / Double(truth.count)
    }

    /// RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = text.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = chars.next() {
                        if n == "\"" { field.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" || c == "\r\n" {
                row.append(field); field = ""
                rows.append(row); row = []
            } else if c != "\r" {
                field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
