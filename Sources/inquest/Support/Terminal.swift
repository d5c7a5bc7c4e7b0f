#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import InquestCore

/// Facts about the terminal the command runs in.
enum Terminal {
    static func isTTY(_ fd: Int32) -> Bool { isatty(fd) != 0 }

    /// Columns of the terminal on stdout, or `COLUMNS`, or 80.
    static var width: Int {
        var ws = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        if let c = getenv("COLUMNS"), let v = Int(String(cString: c)), v > 0 { return v }
        return 80
    }

    static var noColor: Bool {
        if let v = getenv("NO_COLOR") { return v.pointee != 0 }
        return false
    }
}

/// Buffered output to a file descriptor (stdout, stderr or a file from `-o`).
final class Output: TextOutputStream, @unchecked Sendable {
    let fd: Int32
    var buffer: [UInt8] = []
    let owns: Bool
    var failed = false

    init(fd: Int32, owns: Bool = false) {
        self.fd = fd
        self.owns = owns
        buffer.reserveCapacity(1 << 16)
    }

    static let stdout = Output(fd: 1)
    static let stderr = Output(fd: 2)

    /// Opens `path` for writing (mode 0644), or stdout for nil or `-`.
    static func open(_ path: String?) throws -> Output {
        guard let path, path != "-" else { return .stdout }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError.cannotWrite(path, String(cString: strerror(errno))) }
        return Output(fd: fd, owns: true)
    }

    func write(_ string: String) {
        buffer.append(contentsOf: string.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty, !failed else { buffer.removeAll(keepingCapacity: true); return }
        buffer.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = Glibc.write(fd, b.baseAddress! + off, b.count - off)
                if n < 0 { if errno == EINTR { continue }; failed = true; break }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        flush()
        if owns { Glibc.close(fd) }
    }

    deinit { flush() }

    /// A value-typed handle for APIs that take `inout some TextOutputStream`.
    var buffered: Handle {
        get { Handle(output: self) }
        set {}
    }

    struct Handle: TextOutputStream {
        let output: Output
        mutating func write(_ string: String) { output.write(string) }
    }
}

/// Errors the command line reports before doing any work.
enum CLIError: Error, CustomStringConvertible {
    case cannotWrite(String, String)
    var description: String {
        switch self {
        case .cannotWrite(let p, let m): return "cannot write \(p): \(m)"
        }
    }
}

/// Exit statuses of the command-line contract.
enum Exit {
    static let ok: Int32 = 0
    static let fired: Int32 = 1
    static let usage: Int32 = 2
    static let noInput: Int32 = 3
}

/// Reports skipped records and unreadable inputs on stderr: totals, then the first
/// few as `file:line: reason`.
func reportProblems(_ stats: [InputStats], _ problems: [InputDiscovery.Problem], limit: Int = 10) {
    let err = Output.stderr
    let style = Style(enabled: Terminal.isTTY(2) && !Terminal.noColor)
    for p in problems { err.write("inquest: \(p.path): \(p.reason)\n") }
    let skipped = stats.reduce(0) { $0 + $1.skipped }
    let damaged = stats.filter { !$0.errors.isEmpty }
    if skipped > 0 || !damaged.isEmpty {
        if skipped > 0 {
            let inputs = stats.filter { $0.skipped > 0 }.count
            err.write(style.paint("inquest: \(grouped(skipped)) record\(skipped == 1 ? "" : "s") skipped in \(inputs) input\(inputs == 1 ? "" : "s")", .yellow, bold: true) + "\n")
        }
        var shown = 0
        for s in damaged {
            for e in s.errors {
                guard shown < limit else { break }
                err.write("  \(s.path)\(e.line > 0 ? ":\(e.line)" : ""): \(e.reason)\n")
                shown += 1
            }
        }
        let total = damaged.reduce(0) { $0 + $1.errors.count + $1.errorsOmitted }
        if total > shown { err.write("  … and \(total - shown) more (inquest inspect --output json lists them)\n") }
    }
    err.flush()
}

/// True when nothing at all could be read: the run exits with status 3.
func nothingRead(_ stats: [InputStats], _ problems: [InputDiscovery.Problem]) -> Bool {
    stats.isEmpty || stats.allSatisfy(\.unreadable)
}
