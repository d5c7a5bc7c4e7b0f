import Foundation
import Testing

/// `report --output openmetrics`: the RED series with their timestamps, for
/// `promtool tsdb create-blocks-from openmetrics`.
@Suite("report --output openmetrics")
struct ReportOpenMetricsTests {
    func render() throws -> String {
        let r = try CLI.run(["report", "--output", "openmetrics", CLI.sampleData])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout
    }

    @Test func wellFormedCumulativeAndTimeOrdered() throws {
        let text = try render()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.last == "# EOF")
        for family in ["inquest_log_records counter", "inquest_requests counter", "inquest_request_errors counter",
                       "inquest_request_duration_seconds histogram"] {
            #expect(lines.contains("# TYPE " + family), "\(family)")
        }
        // Per series: timestamps strictly increase and counters never go down.
        var last: [String: (value: Double, time: Double)] = [:]
        var samples = 0
        for line in lines where !line.hasPrefix("#") {
            // name{labels} value timestamp — label values may hold spaces: split from the right.
            let parts = line.split(separator: " ")
            try #require(parts.count >= 3, "name{labels} value timestamp: \(line)")
            let series = parts.dropLast(2).joined(separator: " ")
            let value = try #require(Double(parts[parts.count - 2])), time = try #require(Double(parts[parts.count - 1]))
            if let p = last[series] {
                #expect(time > p.time, "time order: \(line)")
                #expect(value >= p.value, "cumulative: \(line)")
            }
            last[series] = (value, time)
            samples += 1
        }
        #expect(samples > 1000)
        // The incident's failed charges show in the payment errors counter.
        let payment = last.first { $0.key.hasPrefix("inquest_request_errors_total{service=\"payment\"") }
        #expect((payment?.value.value ?? 0) >= 30)
        // Histogram: +Inf bucket equals the count.
        let inf = last.filter { $0.key.contains("le=\"+Inf\"") }
        for (series, v) in inf {
            let countSeries = series.replacingOccurrences(of: "_bucket{", with: "_count{").replacingOccurrences(of: ",le=\"+Inf\"", with: "")
            #expect(last[countSeries]?.value == v.value, "\(series)")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"), "promtool (Debian's prometheus) is absent"))
    func promtoolBackfillsIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-om-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.path + "/sample.om"
        try render().write(toFile: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        p.arguments = ["tsdb", "create-blocks-from", "openmetrics", file, dir.path + "/db"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(printed)")
        #expect(printed.contains("NUM SAMPLES"), "\(printed)")
    }
}
