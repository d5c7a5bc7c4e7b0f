/// Finding the first of a few bytes eight bytes at a time (a word-at-a-time search):
/// most of a log line is text between a handful of delimiters.
enum ByteSearch {
    /// The index of the first byte in `base[from..<end]` equal to one of `bytes` (repeat
    /// a byte to look for fewer than four), or `end` when there is none.
    @inline(__always)
    static func first(_ bytes: (UInt8, UInt8, UInt8, UInt8), in base: UnsafePointer<UInt8>, from: Int, end: Int) -> Int {
        var i = from
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let (a, b, c, d) = (ones &* UInt64(bytes.0), ones &* UInt64(bytes.1), ones &* UInt64(bytes.2), ones &* UInt64(bytes.3))
        while i + 8 <= end {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let x = w ^ a, y = w ^ b, z = w ^ c, v = w ^ d
            // A zero byte in x, y, z or v marks a match; the lowest mark is exact (on a
            // little-endian machine, the first in memory).
            let m = ((x &- ones) & ~x | (y &- ones) & ~y | (z &- ones) & ~z | (v &- ones) & ~v) & highs
            if m != 0 { return i + (m.littleEndian.trailingZeroBitCount >> 3) }
            i += 8
        }
        while i < end {
            let k = base[i]
            if k == bytes.0 || k == bytes.1 || k == bytes.2 || k == bytes.3 { return i }
            i += 1
        }
        return end
    }
}
