import ArgumentParser
import InquestCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `convert` writes.
enum ConvertTarget: String, ExpressibleByArgument, CaseIterable {
    case jaeger, zipkin, otlp, ndjson
    case otlpLogs = "otlp-logs"

    var spanFormat: SpanOutputFormat? {
        switch self {
        case .jaeger: .jaeger
        case .zipkin: .zipkin
        case .otlp: .otlp
        case .ndjson, .otlpLogs: nil
        }
    }
}

/// Ends the process with `code` (the command's own `exit` is argument-parser's).
private func terminate(_ code: Int32) -> Never {
    #if canImport(Glibc)
    Glibc.exit(code)
    #else
    Darwin.exit(code)
    #endif
}

extension Inquest {
    /// Spans between Jaeger, Zipkin and OTLP JSON; logs to normalized NDJSON or OTLP JSON logs.
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "convert",
            abstract: "Convert span dumps between Jaeger, Zipkin and OTLP JSON, and logs to NDJSON or OTLP JSON logs.",
            discussion: """
                Spans from any mix of Jaeger JSON, Zipkin v1/v2 JSON and OTLP JSON inputs are written \
                as one document of the target format, keeping IDs (64 and 128 bits), start times, \
                durations, kinds, status and its message, typed attributes, events, links, service \
                names, resource attributes and instrumentation scope. Jaeger and Zipkin count in \
                microseconds: finer OTLP times are rounded down. Zipkin has no links, no resource and \
                no attribute types: links are kept as tags link.N = TYPE:TRACEID:SPANID, resource \
                attributes other than ip, ipv6 and port as tags resource.KEY, event attributes in the \
                annotation (name|{json}|0), and all tag values become strings; Inquest reads them back. \
                Spans read twice (the same span in two files) are written once.

                Logs from every input are merged in time order: --to ndjson writes one object a line \
                (time in RFC 3339, level, service, message, trace_id, span_id, then the record's other \
                fields); --to otlp-logs writes one ExportLogsServiceRequest, grouped by service.

                Inputs of the other kind (logs when spans are asked for, or spans when logs are) are \
                named on standard error and skipped. Exit status: 0 done, 2 bad usage, 3 nothing could \
                be read.
                """
        )

        @OptionGroup var input: InputOptions

        @Option(help: ArgumentHelp("""
            Target format: jaeger (the UI's download, {"data": [traces]}), zipkin (a v2 JSON array), \
            otlp (an OTLP JSON ExportTraceServiceRequest) for spans; ndjson (normalized JSON lines) or \
            otlp-logs (an OTLP JSON ExportLogsServiceRequest) for logs.
            """, valueName: "format"))
        var to: ConvertTarget

        @Option(name: [.short, .customLong("out")], help: ArgumentHelp("Write to this file (created with mode 0644; never one of the inputs) instead of standard output.", valueName: "file"))
        var outFile: String?

        func validate() throws {
            if let f = outFile, f.isEmpty { throw ValidationError("-o/--out needs a file name.") }
        }

        func run() throws {
            let (units, problems) = input.discover()
            let out = try openOutput(units: units)
            if let format = to.spanFormat {
                convertSpans(units, problems, format: format, out: out)
            } else {
                convertLogs(units, problems, out: out)
            }
        }

        /// Opens `-o FILE` (mode 0644), refusing a file that is one of the inputs.
        func openOutput(units: [InputUnit]) throws -> Output {
            guard let path = outFile, path != "-" else { return .stdout }
            var target = stat()
            if stat(path, &target) == 0 {
                var inputFiles = input.paths.filter { $0 != "-" }
                for u in units {
                    switch u.origin {
                    case .file(let p): inputFiles.append(p)
                    case .tarMember(let archive, _, _): inputFiles.append(archive)
                    case .memory: break
                    }
                }
                for p in inputFiles {
                    var st = stat()
                    if stat(p, &st) == 0, st.st_dev == target.st_dev, st.st_ino == target.st_ino {
                        throw ValidationError("-o \(path) is one of the inputs; convert never writes over an input.")
                    }
                }
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw CLIError.cannotWrite(path, String(cString: strerror(errno))) }
            _ = fchmod(fd, 0o644)
            return Output(fd: fd, owns: true)
        }

        func convertSpans(_ units: [InputUnit], _ problems: [InputDiscovery.Problem], format: SpanOutputFormat, out: Output) -> Never {
            var load = SpanLoader.load(units, format: input.format, detail: .full)
            let (spans, duplicates) = SpanWriting.deduplicated(load.spans)
            load.spans = []
            switch format {
            case .jaeger: JaegerWriter.write(spans, to: &out.buffered)
            case .zipkin: ZipkinWriter.write(spans, to: &out.buffered)
            case .otlp: OTLPTraceWriter.write(spans, to: &out.buffered)
            }
            out.close()
            reportProblems(load.stats + load.unreadable, problems)
            let err = Output.stderr
            for u in load.logUnits {
                err.write("inquest: \(u.path) holds logs, not spans: skipped (convert logs with --to ndjson or --to otlp-logs)\n")
            }
            for u in load.metricUnits {
                err.write("inquest: \(u.path) holds metrics, not spans: skipped (inquest metrics --output csv lists their points)\n")
            }
            if format != .jaeger, case let n = SpanWriting.nonHexIDs(spans), n > 0 {
                err.write("inquest: \(grouped(n)) span\(n == 1 ? " has" : "s have") IDs that are not hex; \(format.rawValue) needs hex, so each such ID is written as a hash of it\n")
            }
            if duplicates > 0 { err.write("inquest: \(grouped(duplicates)) span\(duplicates == 1 ? "" : "s") read twice, written once\n") }
            if load.stats.isEmpty { err.write("inquest: no span dumps among the inputs (Jaeger, Zipkin or OTLP JSON)\n") }
            err.flush()
            if out.failed { terminate(Exit.noInput) }
            // Ending here spares freeing every span one by one.
            terminate(load.stats.isEmpty || load.stats.allSatisfy(\.unreadable) ? Exit.noInput : Exit.ok)
        }

        func convertLogs(_ units: [InputUnit], _ problems: [InputDiscovery.Problem], out: Output) {
            let stream = LogStream(units: units, filter: LogFilter(), needs: .all, format: input.format)
            if to == .otlpLogs {
                var writer = OTLPLogWriter()
                writer.begin(to: &out.buffered)
                stream.forEach { r in
                    writer.write(r, to: &out.buffered)
                    return !out.failed
                }
                writer.end(to: &out.buffered)
            } else {
                stream.forEach { r in
                    NDJSONLogWriter.write(r, to: &out.buffered)
                    return !out.failed
                }
            }
            out.close()
            let stats = stream.stats
            let logStats = stats.filter { $0.kind != "spans" }
            reportProblems(logStats, problems)
            let err = Output.stderr
            for s in stats where s.kind == "spans" {
                err.write("inquest: \(s.path) holds spans, not logs: skipped (convert spans with --to jaeger, zipkin or otlp)\n")
            }
            err.flush()
            if nothingRead(logStats, problems) { terminate(Exit.noInput) }
        }
    }
}
