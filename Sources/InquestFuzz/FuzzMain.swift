import InquestCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes a line to standard error.
func complain(_ s: String) {
    let line = Array((s + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

#if FUZZING
/// libFuzzer's entry: the target is chosen by `INQUEST_FUZZ_TARGET`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { selectedTarget.run([]); return 0 }
    selectedTarget.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// libFuzzer's driver, called from our own entry point: SwiftPM links an executable
/// target's `main` to `InquestFuzz_main`, so libFuzzer's `main` cannot be used.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("InquestFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return runFuzzerDriver(&count, &vector, fuzzOneInput)
}

let selectedTarget: FuzzTarget = {
    guard let name = getenv("INQUEST_FUZZ_TARGET").map({ String(cString: $0) }), let t = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        complain("set INQUEST_FUZZ_TARGET to one of: \(names)")
        exit(2)
    }
    return t
}()
#else
/// Without libFuzzer: replays files through a target (regression runs, CI).
/// `inquest-fuzz TARGET FILE...`
@main
struct FuzzReplay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            complain("usage: InquestFuzz TARGET FILE...   (targets: \(names))")
            exit(2)
        }
        for path in args.dropFirst() {
            guard let f = fopen(path, "rb") else { complain("cannot open \(path)"); exit(3) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = fread(&buffer, 1, buffer.count, f)
                if n <= 0 { break }
                bytes.append(contentsOf: buffer[0..<n])
            }
            fclose(f)
            target.run(bytes)
        }
    }
}
#endif
