/// Plays the simulated shop's traffic: every user request becomes one trace (spans of
/// every service it touches, and client spans for the database, cache and payment API
/// calls) and the log records each service writes while serving it.
///
/// Times are kept in microseconds since the epoch, the precision of Jaeger and Zipkin,
/// so the three span formats carry identical times. Everything random comes from one
/// `SimRandom` stream consumed in a fixed order, so a seed fixes every byte.
final class SimTrafficGenerator: SimSpanWriter {
    /// One user request, for the ground truth and for splitting traces across span files.
    struct Trace: Sendable {
        let id: String
        let route: String
        let start: Int64
        let end: Int64
        /// The trace's spans, `spans[spanRange]`.
        let spanRange: Range<Int>
        /// HTTP status the user got from the frontend.
        let status: Int
        var failed: Bool { status >= 500 }
    }

    /// What an HTTP handler answered.
    struct Reply {
        var end: Int64
        var status: Int
        var error: String?
    }

    struct User {
        let ip: String
        let agent: String
        let cartID: String
        let userID: String
        let email: String
    }

    enum Route: CaseIterable {
        case product, viewCart, addToCart, checkout
        /// Share of user requests.
        static let weights: [Double] = [0.38, 0.17, 0.10, 0.35]
    }

    let config: SimulationConfig
    let timeline: SimIncidentTimeline
    let topology: SimTopology
    var rng: SimRandom
    var spans: [Span] = []
    private(set) var traces: [Trace] = []
    private(set) var logs: [SimLogEvent] = []
    private(set) var access: [SimAccessEntry] = []
    private var sequence = 0
    var traceID = ""
    private var users: [User] = []
    private let skus: [Int]

    init(config: SimulationConfig) {
        self.config = config
        var rng = SimRandom(seed: config.seed)
        let startMicros = config.start.nanos / 1000
        self.timeline = SimIncidentTimeline(startMicros: startMicros, durationSeconds: config.durationSeconds)
        self.topology = SimTopology(rng: &rng)
        self.skus = (0..<60).map { _ in rng.int(1000...9999) }
        let agents = [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            "ShopApp/4.12.0 (iOS 18.1; iPhone15,2)",
        ]
        let names = ["anna", "ben", "chloe", "david", "emma", "felix", "grace", "hugo", "ines", "jonas", "kim", "lea", "max", "nora", "omar", "paula"]
        var users: [User] = []
        for i in 0..<150 {
            let block = rng.chance(0.5) ? "203.0.113" : "198.51.100"
            let name = names[i % names.count]
            users.append(User(ip: "\(block).\(rng.int(2...254))", agent: rng.pick(agents) ?? agents[0],
                              cartID: "c-" + rng.hex(bits: 40), userID: "u-\(10_000 + rng.int(0...89_999))",
                              email: "\(name).\(rng.int(10...99))@example.com"))
        }
        self.users = users
        self.rng = rng
    }

    // MARK: - Running

    func run() {
        let startMicros = config.start.nanos / 1000
        let span = config.durationSeconds * 1_000_000
        // Arrivals spread evenly with random jitter (each request lands at a random moment in
        // its own slot), so every stretch of time gets its share of traffic whatever the seed.
        let slot = Double(span - 10_000_000) / Double(config.requests)
        var arrivals = (0..<config.requests).map { i in startMicros + Int64((Double(i) + rng.unit()) * slot) }
        arrivals.sort()
        for t in arrivals { request(at: t) }
        background(from: startMicros, to: startMicros + span)
    }

    private func request(at t: Int64) {
        traceID = rng.hex(bits: 128)
        let first = spans.count
        let user = users[rng.int(0...(users.count - 1))]
        let route = Route.allCases[rng.weighted(Route.weights)]
        let sku = "SKU-\(skus[rng.int(0...(skus.count - 1))])"
        let method: String, fePath: String, feRoute: String, apiRoute: String, referer: String
        var bytes: Int
        switch route {
        case .product:
            method = "GET"; fePath = "/product/\(sku)"; feRoute = "/product/:sku"
            apiRoute = "/api/products/{sku}"
            referer = rng.chance(0.5) ? "https://shop.example.com/" : "https://www.google.com/"
            bytes = rng.int(18_000...26_000)
        case .viewCart:
            method = "GET"; fePath = "/cart"; feRoute = "/cart"
            apiRoute = "/api/cart"
            referer = "https://shop.example.com/product/\(sku)"
            bytes = rng.int(9_000...14_000)
        case .addToCart:
            method = "POST"; fePath = "/cart/items"; feRoute = "/cart/items"
            apiRoute = "/api/cart/items"
            referer = "https://shop.example.com/product/\(sku)"
            bytes = rng.int(300...600)
        case .checkout:
            method = "POST"; fePath = "/checkout"; feRoute = "/checkout"
            apiRoute = "/api/checkout"
            referer = "https://shop.example.com/cart"
            bytes = rng.int(700...1_200)
        }
        let root = open("frontend", "\(method) \(feRoute)", .server, parent: nil, at: t)
        attr(root, "http.method", method)
        attr(root, "http.route", feRoute)
        let reply = call(from: root, to: "api-gateway", method, route: apiRoute,
                         at: t + rng.int64(300...1_800)) { s, start in
            self.gateway(route, server: s, start: start, user: user, sku: sku, method: method, apiRoute: apiRoute)
        }
        let end = reply.end + rng.int64(200...1_200)
        attr(root, "http.status_code", String(reply.status))
        close(root, at: end)
        if reply.status >= 500 { fail(root, reply.error ?? "upstream error", at: end) }
        if reply.status >= 400 { bytes = reply.status >= 500 ? 157 : rng.int(60...120) }
        access.append(SimAccessEntry(time: end * 1000, sequence: nextSequence(), clientIP: user.ip, method: method,
                                     path: fePath, status: reply.status, bytes: bytes, referer: referer, userAgent: user.agent))
        traces.append(Trace(id: traceID, route: "\(method) \(feRoute)", start: t, end: end, spanRange: first..<spans.count,
                            status: reply.status))
    }

    // MARK: - Services

    private func gateway(_ route: Route, server g: Int, start: Int64, user: User, sku: String, method: String,
                         apiRoute: String) -> Reply {
        let t = start + rng.int64(200...900)  // authentication and rate limiting
        let upstream: String
        let r: Reply
        switch route {
        case .product:
            upstream = "inventory"
            r = call(from: g, to: "inventory", "GET", route: "/inventory/{sku}", at: t) { s, st in
                self.inventoryLookup(server: s, start: st, sku: sku)
            }
        case .viewCart:
            upstream = "cart"
            r = call(from: g, to: "cart", "GET", route: "/carts/{cart_id}", at: t) { s, st in
                self.cartGet(server: s, start: st, user: user)
            }
        case .addToCart:
            upstream = "cart"
            r = call(from: g, to: "cart", "POST", route: "/carts/{cart_id}/items", at: t) { s, st in
                self.cartAdd(server: s, start: st, user: user, sku: sku)
            }
        case .checkout:
            upstream = "checkout"
            r = call(from: g, to: "checkout", "POST", route: "/checkout", at: t) { s, st in
                self.checkout(server: s, start: st, user: user, sku: sku)
            }
        }
        let status = r.status >= 500 ? 502 : r.status
        let end = r.end + rng.int64(100...500)
        let duration = SimLogEvent.Value.decimal((end - start) / 100, digits: 1)
        if status >= 500 {
            log("api-gateway", .error, at: r.end + 50, span: g, "upstream request failed", [
                .init("upstream", upstream), .init("http.method", method), .init("http.route", apiRoute),
                .init("upstream.status", r.status), .init("error", r.error ?? "upstream error"),
            ])
        }
        let level: Level = status >= 500 ? .error : status >= 400 ? .warn : .info
        log("api-gateway", level, at: end, span: g, "request completed", [
            .init("http.method", method), .init("http.route", apiRoute), .init("http.status", status),
            .init("duration_ms", duration), .init("upstream", upstream), .init("client_ip", user.ip),
        ])
        return Reply(end: end, status: status, error: status >= 500 ? "bad gateway: \(upstream) returned \(r.status)" : nil)
    }

    private func inventoryLookup(server s: Int, start: Int64, sku: String) -> Reply {
        var t = start + rng.int64(100...600)
        t = dependency(from: s, SimTopology.postgres, "SELECT inventory.stock", database: "inventory", at: t,
                       duration: latency(median: 2.5, sigma: 0.5))
        let end = t + rng.int64(100...400)
        // Decoy: a steady trickle of lookups for SKUs that were delisted, all day long.
        if rng.chance(0.07) {
            fail(s, "sku not found: \(sku)", at: t, exception: ("SkuNotFound", "no stock record for \(sku)"))
            log("inventory", .warn, at: t + 20, span: s, "sku \(sku) not found")
            return Reply(end: end, status: 404)
        }
        log("inventory", .info, at: t + 20, span: s, "stock lookup sku=\(sku) available=\(rng.int(0...140))")
        return Reply(end: end, status: 200)
    }

    private func inventoryUpdate(server s: Int, start: Int64, sku: String, order: String, reserve: Bool) -> Reply {
        var t = start + rng.int64(100...600)
        t = dependency(from: s, SimTopology.postgres, "UPDATE inventory.stock", database: "inventory", at: t,
                       duration: latency(median: 4, sigma: 0.5))
        let qty = rng.int(1...3)
        if reserve {
            log("inventory", .info, at: t + 20, span: s, "reserved \(qty) x \(sku) for order \(order)")
        } else {
            log("inventory", .notice, at: t + 20, span: s, "released reservation of \(sku) for order \(order)")
        }
        return Reply(end: t + rng.int64(100...300), status: 200)
    }

    private func cartGet(server s: Int, start: Int64, user: User) -> Reply {
        var t = start + rng.int64(100...500)
        let hit = rng.chance(timeline.cacheHitRate(at: t))
        t = dependency(from: s, SimTopology.redis, "GET", database: nil, at: t, duration: rng.int64(150...900))
        if !hit {
            log("cart", .warn, at: t + 10, span: s, "cache miss, loading cart from postgres",
                [.init("cart_id", user.cartID), .init("cache", "miss")])
            let spike = timeline.inCacheSpike(t)
            t = dependency(from: s, SimTopology.postgres, "SELECT carts.items", database: "carts", at: t + 30,
                           duration: latency(median: spike ? 22 : 5, sigma: 0.5))
            t = dependency(from: s, SimTopology.redis, "SET", database: nil, at: t + 20, duration: rng.int64(150...900))
        }
        let end = t + rng.int64(200...800)
        log("cart", .info, at: end - 50, span: s, "cart loaded",
            [.init("cart_id", user.cartID), .init("items", rng.int(1...6)), .init("cache", hit ? "hit" : "miss"),
             .init("responseTime", Int((end - start) / 1000))])
        return Reply(end: end, status: 200)
    }

    private func cartAdd(server s: Int, start: Int64, user: User, sku: String) -> Reply {
        var t = start + rng.int64(100...500)
        t = dependency(from: s, SimTopology.postgres, "INSERT carts.items", database: "carts", at: t,
                       duration: latency(median: 3, sigma: 0.5))
        t = dependency(from: s, SimTopology.redis, "DEL", database: nil, at: t + 20, duration: rng.int64(120...700))
        let end = t + rng.int64(200...600)
        log("cart", .info, at: end - 40, span: s, "item added",
            [.init("cart_id", user.cartID), .init("sku", sku), .init("qty", rng.int(1...2))])
        return Reply(end: end, status: 200)
    }

    private func checkout(server s: Int, start: Int64, user: User, sku: String) -> Reply {
        let order = "ord-" + rng.hex(bits: 32)
        var t = start + rng.int64(200...800)
        log("checkout", .info, at: t, span: s, "checkout started",
            [.init("order_id", order), .init("cart_id", user.cartID), .init("user_id", user.userID)])
        let cart = call(from: s, to: "cart", "GET", route: "/carts/{cart_id}", at: t + 100) { c, st in
            self.cartGet(server: c, start: st, user: user)
        }
        t = cart.end + rng.int64(50...300)
        let reserve = call(from: s, to: "inventory", "POST", route: "/inventory/reserve", at: t) { c, st in
            self.inventoryUpdate(server: c, start: st, sku: sku, order: order, reserve: true)
        }
        t = reserve.end + rng.int64(50...300)
        let quote = call(from: s, to: "shipping", "POST", route: "/shipments/quote", at: t) { c, st in
            self.shippingQuote(server: c, start: st, order: order)
        }
        t = quote.end + rng.int64(50...300)
        let cents = Int64(rng.int(999...24_900))
        let pay = call(from: s, to: "payment", "POST", route: "/charge", at: t) { c, st in
            self.charge(server: c, start: st, order: order, cents: cents)
        }
        t = pay.end + rng.int64(50...300)
        if pay.status == 200 {
            t = dependency(from: s, SimTopology.postgres, "INSERT orders", database: "orders", at: t,
                           duration: latency(median: 4, sigma: 0.4))
            let notify = call(from: s, to: "notification", "POST", route: "/notify/order-confirmation",
                              at: t + 100) { c, st in
                self.notify(server: c, start: st, order: order, user: user)
            }
            let end = notify.end + rng.int64(100...400)
            log("checkout", .info, at: end - 50, span: s, "order placed",
                [.init("order_id", order), .init("amount", .decimal(cents, digits: 2)), .init("currency", "EUR"),
                 .init("duration_ms", Int((end - start) / 1000))])
            return Reply(end: end, status: 200)
        }
        let release = call(from: s, to: "inventory", "POST", route: "/inventory/release", at: t) { c, st in
            self.inventoryUpdate(server: c, start: st, sku: sku, order: order, reserve: false)
        }
        let end = release.end + rng.int64(100...400)
        if pay.status == 402 {
            log("checkout", .warn, at: end - 50, span: s, "payment declined",
                [.init("order_id", order), .init("reason", "card_declined")])
            return Reply(end: end, status: 402)
        }
        let err = "payment returned \(pay.status): \(pay.error ?? "error")"
        log("checkout", .error, at: end - 50, span: s, "checkout failed",
            [.init("order_id", order), .init("err", err), .init("duration_ms", Int((end - start) / 1000))])
        return Reply(end: end, status: 502, error: err)
    }

    private func shippingQuote(server s: Int, start: Int64, order: String) -> Reply {
        let end = start + latency(median: 9, sigma: 0.4)
        let carrier = rng.pick(["dhl", "ups", "dpd", "gls"]) ?? "dhl"
        log("shipping", .info, at: end - 100, span: s, "quote computed",
            [.init("order_id", order), .init("carrier", carrier), .init("cost_cents", rng.int(390...1_490)),
             .init("eta_days", rng.int(1...5))], logger: "quote/handler.go:88")
        return Reply(end: end, status: 200)
    }

    private func notify(server s: Int, start: Int64, order: String, user: User) -> Reply {
        let end = start + latency(median: 6, sigma: 0.4)
        let masked = String(user.email.prefix(1)) + "***@" + (user.email.split(separator: "@").last.map(String.init) ?? "example.com")
        log("notification", .info, at: end - 100, span: s, "order confirmation queued order=\(order) to=\(masked)",
            thread: "mailer-\(rng.int(1...4))", logger: "notification.mailer")
        return Reply(end: end, status: 202)
    }

    /// payment's `POST /charge`: one call to stripe-api, retried once after a timeout
    /// or a refused connection.
    private func charge(server s: Int, start: Int64, order: String, cents: Int64) -> Reply {
        let thread = "http-nio-8080-exec-\(rng.int(1...12))"
        let logger = "c.s.p.ChargeService"
        var t = start + rng.int64(300...1_500)
        let amount = SimLogEvent.fixedPoint(cents, digits: 2)
        log("payment", .info, at: t, span: s, "Charging order \(order) amount=\(amount) currency=EUR", thread: thread, logger: logger)
        var failure: (type: String, message: String, refused: Bool) = ("", "", false)
        for attempt in 1...2 {
            let outcome = timeline.stripeCall(at: t, rng: &rng)
            let c = open("payment", "POST /v1/charges", .client, parent: s, at: t)
            attr(c, "http.method", "POST")
            attr(c, "http.url", "https://api.stripe.com/v1/charges")
            attr(c, "peer.service", SimTopology.stripe.name)
            attr(c, "server.address", SimTopology.stripe.address)
            if attempt > 1 { attr(c, "http.resend_count", String(attempt - 1)) }
            spans[c].remoteService = SimTopology.stripe.name
            switch outcome {
            case .answered(let latency, let declined):
                t += latency
                attr(c, "http.status_code", declined ? "402" : "200")
                close(c, at: t)
                let ms = latency / 1000
                if ms >= 1_000 {
                    log("payment", .warn, at: t + 30, span: s, "Slow response from stripe-api: \(ms) ms for order \(order)",
                        thread: thread, logger: "c.s.p.stripe.StripeClient")
                }
                if declined {
                    log("payment", .warn, at: t + 60, span: s, "Card declined for order \(order): card_declined",
                        thread: thread, logger: logger)
                    return Reply(end: t + rng.int64(300...1_200), status: 402)
                }
                log("payment", .info, at: t + 60, span: s, "Charge ch_\(rng.hex(bits: 96)) succeeded for order \(order) in \(ms) ms",
                    thread: thread, logger: logger)
                return Reply(end: t + rng.int64(300...1_200), status: 200)
            case .timedOut:
                t += SimIncidentTimeline.readTimeout + rng.int64(0...4_000)
                close(c, at: t)
                failure = ("java.net.SocketTimeoutException", "Read timed out", false)
                fail(c, "Read timed out", at: t, exception: (failure.type, failure.message))
            case .refused(let latency):
                t += latency
                close(c, at: t)
                failure = ("java.net.ConnectException", "Failed to connect to api.stripe.com/443", true)
                fail(c, "Connection refused", at: t, exception: (failure.type, failure.message + ": Connection refused"))
            }
            if attempt == 1 {
                log("payment", .warn, at: t + 40, span: s,
                    "stripe-api call failed for order \(order) (\(failure.type): \(failure.message)), retrying in 200 ms (attempt 1 of 2)",
                    thread: thread, logger: "c.s.p.stripe.StripeClient")
                t += 200_000 + rng.int64(0...5_000)
            }
        }
        let summary = "charge request to stripe-api failed after 2 attempts"
        log("payment", .error, at: t + 80, span: s, "Charge failed for order \(order): \(summary)",
            thread: thread, logger: logger, stack: Self.stackTrace(failure.type, failure.message, refused: failure.refused))
        let end = t + rng.int64(500...2_000)
        fail(s, "payment provider unavailable", at: t + 80,
             exception: ("com.shop.payment.StripeGatewayException", summary))
        return Reply(end: end, status: 503, error: "payment provider unavailable")
    }

    static func stackTrace(_ type: String, _ message: String, refused: Bool) -> [String] {
        var lines = [
            "com.shop.payment.StripeGatewayException: charge request to stripe-api failed after 2 attempts",
            "\tat com.shop.payment.stripe.StripeClient.createCharge(StripeClient.java:118)",
            "\tat com.shop.payment.ChargeService.charge(ChargeService.java:74)",
            "\tat com.shop.payment.web.ChargeController.charge(ChargeController.java:41)",
            "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)",
            "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)",
            "\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:162)",
            "\tat org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)",
            "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
            "Caused by: \(type): \(message)",
        ]
        if refused {
            lines += [
                "\tat okhttp3.internal.connection.RealConnection.connectSocket(RealConnection.kt:298)",
                "\tat okhttp3.internal.connection.RealConnection.connect(RealConnection.kt:177)",
                "\t... 14 more",
                "Caused by: java.net.ConnectException: Connection refused",
                "\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)",
                "\tat java.base/sun.nio.ch.Net.pollConnectNow(Net.java:682)",
                "\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:549)",
                "\t... 18 more",
            ]
        } else {
            lines += [
                "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
                "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:314)",
                "\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:1099)",
                "\tat okhttp3.internal.http1.Http1ExchangeCodec.readResponseHeaders(Http1ExchangeCodec.kt:124)",
                "\t... 12 more",
            ]
        }
        return lines
    }

    // MARK: - Records without a request

    /// Health checks, pool statistics and housekeeping lines: what every real log has
    /// between the requests.
    private func background(from start: Int64, to end: Int64) {
        var t = start + 7_000_000
        while t < end {
            access.append(SimAccessEntry(time: t * 1000 + Int64(rng.int(0...999)), sequence: nextSequence(), clientIP: "10.42.0.1",
                                         method: "GET", path: "/healthz", status: 200, bytes: 2, referer: "-",
                                         userAgent: "kube-probe/1.31"))
            t += 30_000_000
        }
        t = start + 150_000_000
        while t < end {
            let active = t >= timeline.errorStart && t < timeline.refusedStart ? rng.int(7...10) : rng.int(0...2)
            log("payment", .info, at: t, span: nil,
                "HikariPool-1 - Pool stats (total=10, active=\(active), idle=\(10 - active), waiting=0)",
                thread: "HikariPool-1 housekeeper", logger: "com.zaxxer.hikari.pool.HikariPool")
            t += 300_000_000
        }
        t = start + 400_000_000
        while t < end {
            log("inventory", .info, at: t, span: nil, "stock cache refreshed: \(rng.int(1_480...1_530)) skus in \(rng.int(80...240)) ms")
            t += 600_000_000
        }
        t = start + 600_000_000
        while t < end {
            log("notification", .info, at: t, span: nil, "digest batch sent: \(rng.int(3...40)) emails",
                thread: "scheduler", logger: "notification.digest")
            t += 900_000_000
        }
        log("cart", .warn, at: timeline.cacheSpikeStart - 20_000_000, span: nil,
            "redis reports maxmemory reached, keys are being evicted", [.init("evicted_keys", rng.int(4_000...9_000))])
        log("cart", .info, at: timeline.cacheSpikeEnd + 40_000_000, span: nil, "redis memory back under maxmemory",
            [.init("used_memory_mb", rng.int(700...760))])
        t = start + 20_000_000
        while t < end {
            log("shipping", .info, at: t, span: nil, "carrier rate tables refreshed",
                [.init("carriers", 4)], logger: "rates/refresh.go:52")
            t += 1_200_000_000
        }
    }

    // MARK: - Building blocks

    private func nextSequence() -> Int {
        sequence += 1
        return sequence
    }

    /// A log-normal latency in microseconds, from a median in milliseconds.
    private func latency(median ms: Double, sigma: Double) -> Int64 {
        max(80, Int64(rng.logNormal(median: ms, sigma: sigma) * 1000))
    }

    /// An HTTP call from one instrumented service to another: the caller's client span,
    /// the callee's server span under it, and the handler's work inside.
    private func call(from parent: Int, to callee: String, _ method: String, route: String, at t: Int64,
                      handler: (Int, Int64) -> Reply) -> Reply {
        let caller = spans[parent].service
        let c = open(caller, "\(method) \(route)", .client, parent: parent, at: t)
        attr(c, "http.method", method)
        let serverStart = t + rng.int64(150...900)
        let s = open(callee, "\(method) \(route)", .server, parent: c, at: serverStart)
        attr(s, "http.method", method)
        attr(s, "http.route", route)
        let r = handler(s, serverStart)
        attr(s, "http.status_code", String(r.status))
        close(s, at: r.end)
        if r.status >= 500 { fail(s, r.error ?? "HTTP \(r.status)", at: r.end) }
        let end = r.end + rng.int64(120...700)
        attr(c, "http.status_code", String(r.status))
        close(c, at: end)
        if r.status >= 500 { fail(c, "HTTP \(r.status) from \(callee)", at: end) }
        return Reply(end: end, status: r.status, error: r.error)
    }

    /// A call to a dependency that is not traced itself: only the caller's client span.
    private func dependency(from parent: Int, _ d: SimTopology.Dependency, _ operation: String, database: String?,
                            at t: Int64, duration: Int64) -> Int64 {
        let c = open(spans[parent].service, operation, .client, parent: parent, at: t)
        attr(c, "peer.service", d.name)
        if let system = d.dbSystem { attr(c, "db.system", system) }
        if let database { attr(c, "db.name", database) }
        attr(c, "server.address", d.address)
        spans[c].remoteService = d.name
        close(c, at: t + duration)
        return t + duration
    }

    private func log(_ service: String, _ level: Level, at t: Int64, span: Int?, _ message: String,
                     _ fields: [SimLogEvent.Field] = [], thread: String? = nil, logger: String? = nil, stack: [String] = []) {
        logs.append(SimLogEvent(time: t * 1000, sequence: nextSequence(), service: service, level: level, message: message,
                                traceID: span.map { spans[$0].traceID }, spanID: span.map { spans[$0].spanID },
                                fields: fields, thread: thread, logger: logger, stack: stack))
    }
}
