/// The simulated shop: eight instrumented services and the three dependencies they
/// call without tracing them (a database, a cache, a payment provider's API).
///
/// ```
/// frontend ─▶ api-gateway ─▶ inventory ─▶ postgres
///                         ├▶ cart ─▶ redis, postgres
///                         └▶ checkout ─▶ cart, inventory, shipping,
///                                       payment ─▶ stripe-api,
///                                       postgres, notification
/// ```
struct SimTopology: Sendable {
    struct Service: Sendable {
        let name: String
        let host: String
        let ip: String
        let pid: Int
        let port: Int
        /// The OpenTelemetry scope name its spans are reported under.
        let scope: String
    }

    struct Dependency: Sendable {
        let name: String          // peer.service
        let address: String       // server.address
        let port: Int
        let dbSystem: String?     // db.system
    }

    static let serviceNames = ["frontend", "api-gateway", "checkout", "cart", "payment", "inventory", "shipping", "notification"]

    static let postgres = Dependency(name: "postgres", address: "pg-primary.db.internal", port: 5432, dbSystem: "postgresql")
    static let redis = Dependency(name: "redis", address: "redis-cart.cache.internal", port: 6379, dbSystem: "redis")
    static let stripe = Dependency(name: "stripe-api", address: "api.stripe.com", port: 443, dbSystem: nil)

    let services: [String: Service]

    init(rng: inout SimRandom) {
        let scopes = [
            "frontend": "nginx-otel", "api-gateway": "github.com/shop/gateway", "checkout": "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
            "cart": "@opentelemetry/instrumentation-http", "payment": "io.opentelemetry.tomcat-10.0",
            "inventory": "opentelemetry.instrumentation.flask", "shipping": "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
            "notification": "opentelemetry.instrumentation.flask",
        ]
        let ports = ["frontend": 80, "api-gateway": 8080, "checkout": 8080, "cart": 3000, "payment": 8080,
                     "inventory": 5000, "shipping": 8080, "notification": 5000]
        var map: [String: Service] = [:]
        for (i, name) in Self.serviceNames.enumerated() {
            // Kubernetes-style pod names: deployment-replicaset-pod.
            let host = "\(name)-\(rng.hex(bits: 36).prefix(9))-\(rng.hex(bits: 20).prefix(5))"
            let ip = "10.42.\(i + 1).\(rng.int(2...250))"
            map[name] = Service(name: name, host: host, ip: ip, pid: rng.int(7...60_000), port: ports[name] ?? 8080,
                                scope: scopes[name] ?? "manual")
        }
        services = map
    }

    subscript(_ name: String) -> Service {
        services[name] ?? Service(name: name, host: name, ip: "10.42.0.1", pid: 1, port: 8080, scope: "manual")
    }
}
