/// Finding the first of a few bytes sixteen bytes at a time (`SIMD16` compares: SSE2 on
/// x86-64, NEON on arm64): most of a log line is text between a handful of delimiters.
enum ByteSearch {
    /// A mask as two words, lanes 0–7 in `lo` and 8–15 in `hi`, a set lane as the byte
    /// `lane` in its place (0xFF, or 1 for one bit a lane). Masks are read this way, not
    /// with `any(_:)`, which is not always made one instruction (it is sometimes a call
    /// that reduces the lanes one by one).
    @inline(__always)
    static func words(_ m: SIMDMask<SIMD16<Int8>>, lane: UInt8 = 0xFF) -> (lo: UInt64, hi: UInt64) {
        let w = unsafeBitCast(SIMD16<UInt8>(repeating: 0).replacing(with: lane, where: m), to: SIMD2<UInt64>.self)
        return (w[0].littleEndian, w[1].littleEndian)
    }

    /// The index of the first set lane of a mask known to have one.
    @inline(__always)
    static func firstLane(_ m: SIMDMask<SIMD16<Int8>>) -> Int {
        let (lo, hi) = words(m)
        return lo != 0 ? lo.trailingZeroBitCount >> 3 : 8 &+ (hi.trailingZeroBitCount >> 3)
    }

    /// The index of the first set lane of a mask, 16 when none is set.
    @inline(__always)
    static func firstLaneOr16(_ m: SIMDMask<SIMD16<Int8>>) -> Int {
        let (lo, hi) = words(m)
        if lo != 0 { return lo.trailingZeroBitCount >> 3 }
        return hi != 0 ? 8 &+ (hi.trailingZeroBitCount >> 3) : 16
    }

    /// Whether any lane is set.
    @inline(__always)
    static func anyLane(_ m: SIMDMask<SIMD16<Int8>>) -> Bool {
        let (lo, hi) = words(m)
        return lo | hi != 0
    }

    /// The index of the first byte in `base[from..<end]` equal to one of `bytes` (repeat
    /// a byte to look for fewer than four), or `end` when there is none.
    @inline(__always)
    static func first(_ bytes: (UInt8, UInt8, UInt8, UInt8), in base: UnsafePointer<UInt8>, from: Int, end: Int) -> Int {
        var i = from
        let (va, vb, vc, vd) = (SIMD16<UInt8>(repeating: bytes.0), SIMD16<UInt8>(repeating: bytes.1),
                                SIMD16<UInt8>(repeating: bytes.2), SIMD16<UInt8>(repeating: bytes.3))
        while i &+ 16 <= end {
            let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self)
            let m = (v .== va) .| (v .== vb) .| (v .== vc) .| (v .== vd)
            // One test a block (a byte mask); the position only once something is found.
            if any(m) { return i &+ firstLane(m) }
            i &+= 16
        }
        // The last bytes: the sixteen before `end`, those before `i` masked off (they were
        // searched), when the range is that long; else one at a time.
        if i < end && end >= 16 {
            let s = end &- 16
            let v = UnsafeRawPointer(base + s).loadUnaligned(as: SIMD16<UInt8>.self)
            let m = (v .== va) .| (v .== vb) .| (v .== vc) .| (v .== vd)
            var (lo, hi) = words(m)
            let k = i &- s  // 1...15: bytes already searched
            if k >= 8 { lo = 0; hi &= ~0 << UInt64((k &- 8) &* 8) } else { lo &= ~0 << UInt64(k &* 8) }
            if lo != 0 { return s &+ (lo.trailingZeroBitCount >> 3) }
            if hi != 0 { return s &+ 8 &+ (hi.trailingZeroBitCount >> 3) }
            return end
        }
        while i < end {
            let k = base[i]
            if k == bytes.0 || k == bytes.1 || k == bytes.2 || k == bytes.3 { return i }
            i += 1
        }
        return end
    }

    /// Whether `needle` occurs in `base[0..<count]`. Sixteen places at a time are tested
    /// for the needle's first two bytes, and only those places are compared whole: a
    /// search for `"key"` in JSON meets a quote every few bytes, but rarely `"k`.
    static func contains(_ needle: UnsafeBufferPointer<UInt8>, in base: UnsafePointer<UInt8>, count: Int) -> Bool {
        let n = needle.count
        guard n > 0, count >= n, let np = needle.baseAddress else { return n == 0 }
        @inline(__always) func matches(at i: Int) -> Bool {
            var k = 0
            while k < n, base[i &+ k] == np[k] { k &+= 1 }
            return k == n
        }
        let last = count &- n  // the last place the needle may start
        var i = 0
        if n >= 2 {
            let (v0, v1) = (SIMD16<UInt8>(repeating: np[0]), SIMD16<UInt8>(repeating: np[1]))
            // Places i..<i+16, their second bytes read from i+1: both loads stay in bounds
            // while i + 17 <= count.
            while i &+ 16 <= last && i &+ 17 <= count {
                let a = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self)
                let b = UnsafeRawPointer(base + (i &+ 1)).loadUnaligned(as: SIMD16<UInt8>.self)
                var (lo, hi) = words((a .== v0) .& (b .== v1))
                while lo != 0 {
                    if matches(at: i &+ (lo.trailingZeroBitCount >> 3)) { return true }
                    lo &= lo &- 1
                }
                while hi != 0 {
                    if matches(at: i &+ 8 &+ (hi.trailingZeroBitCount >> 3)) { return true }
                    hi &= hi &- 1
                }
                i &+= 16
            }
        }
        while i <= last {
            if matches(at: i) { return true }
            i &+= 1
        }
        return false
    }
}
