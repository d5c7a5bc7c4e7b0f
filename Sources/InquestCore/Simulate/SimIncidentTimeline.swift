/// When things go wrong in the simulated shop, as fractions of the traffic period
/// turned into absolute times (microseconds since the epoch), and how the third-party
/// payment API behaves at each moment.
///
/// ```
/// healthy ─ cache-miss spike (decoy) ─ healthy ─ stripe slows ─ timeouts ─ refused ─ recovery ─ healthy
///           20%…29%                               42%          47%        60%…72%   …79%
/// ```
struct SimIncidentTimeline: Sendable {
    /// Start and end of the redis miss spike: cart falls back to postgres, nobody fails.
    let cacheSpikeStart: Int64, cacheSpikeEnd: Int64
    /// stripe-api latency starts to climb.
    let latencyOnset: Int64
    /// payment's 3 s read timeout starts to fire on most calls.
    let errorStart: Int64
    /// stripe-api refuses connections (its load balancer lost its backends).
    let refusedStart: Int64, refusedEnd: Int64
    /// Back to normal.
    let errorEnd: Int64

    /// payment's HTTP client read timeout, in microseconds.
    static let readTimeout: Int64 = 3_000_000

    init(startMicros: Int64, durationSeconds: Int64) {
        // Round phase boundaries to whole minutes (whole seconds for short runs) so that
        // the ground truth reads naturally.
        let grain: Int64 = durationSeconds >= 20 * 60 ? 60 : 1
        func at(_ fraction: Double) -> Int64 {
            let secs = Int64(Double(durationSeconds) * fraction) / grain * grain
            return startMicros + secs * 1_000_000
        }
        cacheSpikeStart = at(0.20); cacheSpikeEnd = at(0.29)
        latencyOnset = at(0.42)
        errorStart = at(0.47)
        refusedStart = at(0.60); refusedEnd = at(0.72)
        errorEnd = at(0.79)
    }

    /// What one call to stripe-api does when made at `t`.
    enum StripeOutcome: Equatable {
        /// Answers after `latency` µs: 200, or 402 when the card is declined.
        case answered(latency: Int64, declined: Bool)
        /// No answer before the read timeout.
        case timedOut
        /// TCP connection refused after `latency` µs.
        case refused(latency: Int64)
    }

    func stripeCall(at t: Int64, rng: inout SimRandom) -> StripeOutcome {
        let declined = rng.chance(0.03)
        var medianMs = 220.0
        var sigma = 0.35
        var cap: Double? = 2_500  // healthy traffic never reaches the timeout
        if t >= latencyOnset && t < errorStart {
            let f = progress(t, latencyOnset, errorStart)
            medianMs = 220 + f * 1_300
            sigma = 0.45
            cap = 2_900
        } else if t >= errorStart && t < refusedStart {
            medianMs = 6_000
            sigma = 0.5
            cap = nil
        } else if t >= refusedStart && t < refusedEnd {
            if rng.chance(0.95) { return .refused(latency: rng.int64(600...2_400)) }
            medianMs = 450
            sigma = 0.4
            cap = nil
        } else if t >= refusedEnd && t < errorEnd {
            let f = progress(t, refusedEnd, errorEnd)
            medianMs = 3_200 - f * 2_900
            sigma = 0.45
            cap = nil
        }
        var ms = rng.logNormal(median: medianMs, sigma: sigma)
        if let cap { ms = min(ms, cap * (0.9 + 0.1 * rng.unit())) }
        let micros = max(Int64(ms * 1000), 40_000)
        if micros >= Self.readTimeout { return .timedOut }
        return .answered(latency: micros, declined: declined)
    }

    /// Fraction of cart reads that find the cart in redis at `t`.
    func cacheHitRate(at t: Int64) -> Double {
        t >= cacheSpikeStart && t < cacheSpikeEnd ? 0.30 : 0.96
    }

    func inCacheSpike(_ t: Int64) -> Bool { t >= cacheSpikeStart && t < cacheSpikeEnd }

    private func progress(_ t: Int64, _ a: Int64, _ b: Int64) -> Double {
        guard b > a else { return 1 }
        return Double(t - a) / Double(b - a)
    }
}
