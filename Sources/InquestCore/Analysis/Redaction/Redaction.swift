import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How to run `redact`.
public struct RedactionOptions: Sendable {
    /// The directory that receives the rewritten files, mirroring the inputs' paths.
    public var outDirectory: String
    /// Replace outputs that already exist (never an input).
    public var force = false
    /// Count only; write nothing.
    public var dryRun = false
    public var limits = InputLimits()
    /// A format forced with `--log-format` instead of detection.
    public var format: DetectedFormat?

    public init(outDirectory: String) { self.outDirectory = outDirectory }
}

/// What redaction did to one file (or one tar member).
public struct RedactedFile: Sendable {
    /// The input as shown elsewhere (`archive.tar.gz:member` for a member).
    public var path: String
    /// The file written (`out/archive.tar.gz:member` for a member); nil when nothing
    /// was written (dry run, binary input, error).
    public var out: String?
    public var format: String
    public var lines = 0
    public var detections = RedactionCounts()
    /// Lines written empty (too long), lines left out (cut by damage), and why a file
    /// was not written.
    public var issues: [Issue] = []
}

/// The result of a run: one entry per file in input order.
public struct RedactionSummary: Sendable {
    public var files: [RedactedFile] = []
    /// Inputs that could not be read or written at all.
    public var problems: [String] = []
    public var totals: RedactionCounts {
        var t = RedactionCounts()
        for f in files { t += f.detections }
        return t
    }
    public var lines: Int { files.reduce(0) { $0 + $1.lines } }
}

/// Hands out the indices 0..<limit once each, to whichever thread asks first.
final class WorkCounter: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}

/// Where one input goes.
public struct PlannedOutput: Sendable {
    /// The file read: a plain or gzip file, or a tar archive (all its members).
    public var inputFile: String
    /// Shown name of the input (`-` for standard input).
    public var shownPath: String
    /// The path written under the output directory.
    public var outPath: String
    public var compression: Compression
    public var isArchive: Bool { compression == .tar || compression == .tarGzip }
}

/// `inquest redact`: rewrites inputs into an output directory with personal and
/// secret values replaced, keeping each file's format, compression and lines.
///
/// The output directory mirrors the inputs: one directory argument's files keep
/// their paths below it; with several arguments each keeps its own name at the top;
/// a file argument is written under its name. Gzip files are written gzip, tar and
/// tar.gz archives as archives of the same members in the same order (regular
/// files; directories and links are not carried over). An output is never an
/// input: an output directory inside an input directory, or holding an input, is
/// refused, as is an existing output file without `force`. Files are created
/// `O_CREAT|O_EXCL` with mode 0600.
///
/// Memory stays bounded by the longest line: files are read and written a line at
/// a time (a span dump written on one line is held whole, as the span reader does).
public enum Redaction {
    /// Decides every output path and checks, before anything is written, that no
    /// output is an input and that none exists (unless `force`).
    public static func plan(paths: [String], units: [InputUnit], options: RedactionOptions) throws(RedactionError) -> [PlannedOutput] {
        let out = absolute(options.outDirectory)
        var argInfo: [(arg: String, abs: String, isDir: Bool)] = []
        for p in paths where p != "-" {
            var st = stat()
            guard stat(p, &st) == 0 else { continue }
            let a = absolute(p)
            let isDir = (st.st_mode & S_IFMT) == S_IFDIR
            if a == out { throw RedactionError("--out \(options.outDirectory) is the input \(p); give a new directory") }
            if isDir, out.hasPrefix(a == "/" ? "/" : a + "/") {
                throw RedactionError("--out \(options.outDirectory) is inside the input directory \(p); give a directory outside the inputs")
            }
            if a.hasPrefix(out == "/" ? "/" : out + "/") {
                throw RedactionError("the input \(p) is inside --out \(options.outDirectory); give a directory outside the inputs")
            }
            argInfo.append((p, a, isDir))
        }
        let several = paths.count > 1

        var planned: [PlannedOutput] = []
        var seenFiles = Set<String>()
        var seenOutputs: [String: String] = [:]
        for u in units {
            let file: String
            switch u.origin {
            case .file(let f): file = f
            case .tarMember(let archive, _, _): file = archive
            case .memory: continue
            }
            let shown: String
            if case .tarMember = u.origin {
                shown = String(u.path.dropLast(memberSuffixLength(u)))
            } else {
                shown = u.path
            }
            guard seenFiles.insert(file).inserted else { continue }
            var rel: String
            if shown == "-" {
                rel = u.compression == .none ? "stdin" : (u.compression == .gzip ? "stdin.gz" : (u.compression == .tar ? "stdin.tar" : "stdin.tar.gz"))
            } else if let arg = argInfo.first(where: { $0.arg == shown }) {
                rel = basename(arg.arg)
            } else if let arg = argInfo.first(where: { $0.isDir && shown.hasPrefix($0.arg.hasSuffix("/") ? $0.arg : $0.arg + "/") }) {
                rel = String(shown.dropFirst(arg.arg.hasSuffix("/") ? arg.arg.count : arg.arg.count + 1))
                if several { rel = basename(arg.arg) + "/" + rel }
            } else {
                rel = basename(shown)
            }
            rel = rel.split(separator: "/").filter { $0 != "." && $0 != ".." && !$0.isEmpty }.joined(separator: "/")
            if rel.isEmpty { rel = "input" }
            let outPath = (options.outDirectory.hasSuffix("/") ? options.outDirectory : options.outDirectory + "/") + rel
            if let other = seenOutputs[outPath] {
                throw RedactionError("\(other) and \(shown) would both be written to \(outPath); redact them in separate runs")
            }
            seenOutputs[outPath] = shown
            planned.append(PlannedOutput(inputFile: file, shownPath: shown, outPath: outPath, compression: u.compression))
        }

        guard !options.dryRun else { return planned }
        // No output may be an input, whatever path leads to it; existing outputs need force.
        var inputIDs = Set<[UInt64]>()
        for p in planned {
            var st = stat()
            if stat(p.inputFile, &st) == 0 { inputIDs.insert([UInt64(st.st_dev), UInt64(st.st_ino)]) }
        }
        for p in planned {
            var st = stat()
            guard lstat(p.outPath, &st) == 0 else { continue }
            var target = stat()
            if stat(p.outPath, &target) == 0, inputIDs.contains([UInt64(target.st_dev), UInt64(target.st_ino)]) {
                throw RedactionError("\(p.outPath) is an input (\(p.shownPath)); never written over")
            }
            if !options.force {
                throw RedactionError("\(p.outPath) already exists; give --force to replace outputs, or another --out")
            }
        }
        return planned
    }

    static func memberSuffixLength(_ u: InputUnit) -> Int {
        if case .tarMember(_, _, let name) = u.origin { return name.count + 1 }
        return 0
    }

    /// Redacts every planned output, several at once on as many threads as there
    /// are cores (each with its own copy of `redactor`); the summary lists the files
    /// in plan order.
    public static func run(_ plan: [PlannedOutput], redactor: Redactor, options: RedactionOptions) -> RedactionSummary {
        let workers = max(1, min(plan.count, ProcessInfo.processInfo.activeProcessorCount))
        let parts = ResultBox<RedactionSummary>(count: plan.count)
        let next = WorkCounter(limit: plan.count)
        let rules = redactor.rules, pseudonymizer = redactor.pseudonymizer
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let mine = Redactor(rules: rules, pseudonymizer: pseudonymizer)
            while let i = next.take() {
                var part = RedactionSummary()
                let p = plan[i]
                if p.isArchive {
                    redactArchive(p, redactor: mine, options: options, into: &part)
                } else {
                    part.files.append(redactFile(p, redactor: mine, options: options))
                }
                parts.set(i, part)
            }
        }
        var summary = RedactionSummary()
        for part in parts.values {
            summary.files += part.files
            summary.problems += part.problems
        }
        return summary
    }

    static func redactFile(_ p: PlannedOutput, redactor: Redactor, options: RedactionOptions) -> RedactedFile {
        var result = RedactedFile(path: p.shownPath, out: nil, format: "unknown")
        var sink: (any RedactionSink)?
        do {
            let raw = try FileSource(path: p.inputFile)
            let source = try InputUnit.decompressing(raw, path: p.shownPath, limits: options.limits)
            defer { source.close() }
            let written = try redactStream(source, redactor: redactor, options: options, result: &result) { () throws(RedactionError) -> any RedactionSink in
                let file = try FileSink(creating: p.outPath, replace: options.force)
                let s: any RedactionSink = p.compression == .gzip ? try GzipSink(file) : file
                sink = s
                return s
            }
            if written {
                try sink?.finish()
                result.out = p.outPath
            }
            sink?.close()
        } catch {
            sink?.close()
            if sink != nil { unlink(p.outPath) }
            result.out = nil
            result.issues.append(Issue(line: 0, reason: "not written: \(describe(error))"))
        }
        return result
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? RedactionError { return e.message }
        if let e = error as? InputError { return e.message }
        return "\(error)"
    }

    static func redactArchive(_ p: PlannedOutput, redactor: Redactor, options: RedactionOptions, into summary: inout RedactionSummary) {
        var archiveSink: (any RedactionSink)?
        var members: [RedactedFile] = []
        do {
            let raw = try FileSource(path: p.inputFile)
            let outer = try InputUnit.decompressing(raw, path: p.shownPath, limits: options.limits)
            defer { outer.close() }
            let tar = TarReader(source: outer)
            var writer: TarWriter?
            if !options.dryRun {
                let file = try FileSink(creating: p.outPath, replace: options.force)
                archiveSink = p.compression == .tarGzip ? try GzipSink(file) : file
                var st = stat()
                let mtime = stat(p.inputFile, &st) == 0 ? Int64(st.st_mtim.tv_sec) : 0
                writer = TarWriter(sink: archiveSink!, modified: mtime)
            }
            let tempDir = parentDirectory(p.outPath)
            while let m = try tar.nextMember() {
                var r = RedactedFile(path: "\(p.shownPath):\(m.name)", out: nil, format: "unknown")
                let memberRaw = tar.memberSource()
                let magic = try memberRaw.readFully(upTo: 2)
                let gz = magic.count == 2 && magic[0] == 0x1F && magic[1] == 0x8B
                let member = try InputUnit.decompressing(ReplaySource(prefix: magic, rest: memberRaw), path: r.path, limits: options.limits)
                var temp: FileSink?
                var memberSink: (any RedactionSink)?
                let written = try redactStream(member, redactor: redactor, options: options, result: &r) { () throws(RedactionError) -> any RedactionSink in
                    let t = try FileSink(temporaryIn: tempDir)
                    temp = t
                    let s: any RedactionSink = gz ? try GzipSink(t) : t
                    memberSink = s
                    return s
                }
                if written, let writer, let temp, let memberSink {
                    try memberSink.finish()
                    try writer.add(name: m.name, content: temp)
                    r.out = "\(p.outPath):\(m.name)"
                } else if !options.dryRun, r.format == "binary" {
                    r.issues.append(Issue(line: 0, reason: "binary member left out of the output archive"))
                }
                temp?.close()
                members.append(r)
            }
            for i in tar.issues { summary.problems.append("\(p.shownPath): \(i.reason)") }
            try writer?.end()
            try archiveSink?.finish()
            archiveSink?.close()
            summary.files += members
        } catch {
            archiveSink?.close()
            if archiveSink != nil { unlink(p.outPath) }
            for var m in members { m.out = nil; summary.files.append(m) }
            summary.problems.append("\(p.shownPath): not written: \(describe(error))")
        }
    }

    /// Reads `source` a line at a time and writes each line redacted to the sink
    /// `makeSink` creates once the content is known not to be binary. Returns false
    /// when nothing was written (dry run or binary input).
    static func redactStream(_ source: any ByteSource, redactor: Redactor, options: RedactionOptions, result: inout RedactedFile,
                             makeSink: () throws(RedactionError) -> any RedactionSink) throws(RedactionError) -> Bool {
        do {
            let (head, gaps) = try source.readHead(upTo: 64 * 1024)
            let detected = options.format ?? FormatRegistry.detect(head: head)
            result.format = detected.name
            if case .binary = detected {
                result.issues.append(Issue(line: 0, reason: "binary content: not written"))
                return false
            }
            let json: Bool
            var maxLine = options.limits.maxLineBytes
            switch detected {
            case .spans(.spanTable), .metrics(.table), .metrics(.prometheus): json = false
            case .spans, .otlpLogs, .metrics(.prometheusAPI):
                json = true
                maxLine = max(maxLine, options.limits.maxDocumentBytes)
            case .logLines(let f): json = f.name == "json" || f.name == "docker-json"
            case .binary, .empty: json = false
            }
            let sink = options.dryRun ? nil : try makeSink()
            var reader = TerminatedLineReader(source: ReplaySource(prefix: head, rest: source, gaps: gaps), maxLineBytes: maxLine)
            var rewriter = JSONLineRewriter(maxDepth: options.limits.maxJSONDepth)
            var out: [UInt8] = []
            out.reserveCapacity(1 << 20 + 4096)
            var counts = RedactionCounts()
            var lines = 0
            while let event = try reader.next() {
                switch event {
                case .line(let b, let t):
                    lines += 1
                    if !json || !rewriter.rewrite(b, redactor: redactor, into: &out, counts: &counts) {
                        redactor.rewriteText(b, into: &out, counts: &counts)
                    }
                    out += t.bytes
                case .tooLong(let t):
                    lines += 1
                    result.issues.append(Issue(line: lines, reason: "line longer than \(maxLine) bytes: written as an empty line (raise --max-line-bytes)"))
                    out += t.bytes
                case .cut(let reason):
                    result.issues.append(Issue(line: lines + 1, reason: "a line cut by damage in the input (\(reason)) was left out"))
                }
                if out.count >= 1 << 20, let sink {
                    try sink.write(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
            if let sink, !out.isEmpty { try sink.write(out) }
            if source.endedEarly {
                result.issues.append(Issue(line: lines, reason: "the input ends early (truncated or damaged); what could be read was redacted"))
            }
            result.lines = lines
            result.detections = counts
            return sink != nil
        } catch let e as InputError {
            throw RedactionError(e.message)
        } catch let e as RedactionError {
            throw e
        } catch {
            throw RedactionError("\(error)")
        }
    }

    // MARK: Paths

    static func basename(_ p: String) -> String {
        let trimmed = p.hasSuffix("/") && p.count > 1 ? String(p.dropLast()) : p
        return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
    }

    static func parentDirectory(_ p: String) -> String {
        guard let slash = p.lastIndex(of: "/") else { return "." }
        return slash == p.startIndex ? "/" : String(p[..<slash])
    }

    /// An absolute path with symbolic links resolved as far as the path exists
    /// (the output directory usually does not exist yet).
    static func absolute(_ p: String) -> String {
        if let r = realpath(p, nil) {
            defer { free(r) }
            return String(cString: r)
        }
        var parts: [String] = []
        var rest = p.hasSuffix("/") && p.count > 1 ? String(p.dropLast()) : p
        while true {
            if let r = realpath(rest.isEmpty ? "." : rest, nil) {
                defer { free(r) }
                var base = String(cString: r)
                for part in parts.reversed() where part != "." {
                    if part == ".." { base = parentDirectory(base) } else { base += (base.hasSuffix("/") ? "" : "/") + part }
                }
                return base
            }
            guard let slash = rest.lastIndex(of: "/") else {
                parts.append(rest); rest = ""
                continue
            }
            parts.append(String(rest[rest.index(after: slash)...]))
            rest = String(rest[..<slash])
            if rest.isEmpty { rest = "/" }
        }
    }
}
