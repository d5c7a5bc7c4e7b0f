/// Reads JSON documents from an input: either one document for the whole input
/// (a Jaeger download, a Zipkin array) or one document a line (the OpenTelemetry
/// collector's file exporter, Zipkin one span a line). Which one is decided by
/// whether the first non-blank line is a complete JSON value by itself.
///
/// Damage is reported with line numbers; what could be recovered is returned.
public enum JSONDocuments {
    public struct Result {
        /// Each document with the line it starts on.
        public var documents: [(value: JSONNode, line: Int)] = []
        /// Problems, with lines; `brokenLines` counts lines that were not JSON at all.
        public var issues: [Issue] = []
        public var brokenLines = 0
        public var lineDelimited = false
    }

    /// Reads the rest of `lines`, holding at most `maxBytes` of text in memory.
    public static func read(_ lines: inout LineReader, maxDepth: Int, maxBytes: Int = 4 << 30) -> Result {
        var result = Result()
        var buffer: [UInt8] = []
        var firstLine = 0
        var decided = false
        do {
            while let event = try lines.next() {
                switch event {
                case .skipped(let number, let reason):
                    result.issues.append(Issue(line: number, reason: reason))
                    result.brokenLines += 1
                    if !decided { decided = true; result.lineDelimited = false }
                    if !result.lineDelimited { buffer.append(0x0A) }
                case .line(let raw, let number):
                    let line = raw.bindMemory(to: UInt8.self)
                    if !decided {
                        if line.isBlank() { buffer.append(0x0A); continue }
                        decided = true
                        firstLine = number
                        let doc = JSONTape(bytes: Array(line), maxDepth: maxDepth, firstLine: number)
                        result.lineDelimited = doc.error == nil
                        if result.lineDelimited, let v = doc.root {
                            result.documents.append((v, number))
                            continue
                        }
                        buffer.removeAll()
                    }
                    if result.lineDelimited {
                        if line.isBlank() { continue }
                        let doc = JSONTape(bytes: Array(line), maxDepth: maxDepth, firstLine: number)
                        if let e = doc.error {
                            result.issues.append(Issue(line: number, reason: e.reason))
                            result.brokenLines += 1
                        } else if let v = doc.root {
                            result.documents.append((v, number))
                        }
                    } else {
                        if buffer.count + line.count > maxBytes {
                            result.issues.append(Issue(line: number, reason: "document larger than \(maxBytes) bytes; the rest is not read"))
                            return finish(&result, buffer, firstLine, maxDepth)
                        }
                        buffer.append(contentsOf: line)
                        buffer.append(0x0A)
                    }
                }
            }
        } catch {
            result.issues.append(Issue(line: lines.lineNumber, reason: error.message))
        }
        for i in lines.streamIssues { result.issues.append(i) }
        return finish(&result, buffer, firstLine, maxDepth)
    }

    static func finish(_ result: inout Result, _ buffer: [UInt8], _ firstLine: Int, _ maxDepth: Int) -> Result {
        if !result.lineDelimited && !buffer.isEmpty {
            let doc = JSONTape(bytes: buffer, maxDepth: maxDepth, firstLine: max(firstLine, 1))
            if let e = doc.error { result.issues.append(e) }
            if let v = doc.root { result.documents.append((v, max(firstLine, 1))) }
        }
        return result
    }
}
