#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns command-line paths into input units: walks directories (sorted, without
/// following a symlink loop twice), reads standard input for `-`, and lists the
/// members of tar archives. Paths that cannot be read become issues, not errors.
public enum InputDiscovery {
    public struct Problem: Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public static func discover(_ paths: [String], limits: InputLimits = InputLimits()) -> (units: [InputUnit], problems: [Problem]) {
        var units: [InputUnit] = []
        var problems: [Problem] = []
        var visited = Set<[UInt64]>()
        var fileCount = 0

        func addFile(_ path: String) {
            fileCount += 1
            if fileCount > limits.maxFiles {
                if fileCount == limits.maxFiles + 1 {
                    problems.append(Problem(path: path, reason: "more than \(limits.maxFiles) files; the rest are not read (raise --max-files)"))
                }
                return
            }
            do {
                let (found, issues) = try classify(path: path, limits: limits)
                units.append(contentsOf: found)
                for i in issues { problems.append(Problem(path: path, reason: i.reason)) }
            } catch {
                problems.append(Problem(path: path, reason: error.message))
            }
        }

        func walk(_ dir: String) {
            guard let d = opendir(dir) else {
                problems.append(Problem(path: dir, reason: "cannot open directory: \(String(cString: strerror(errno)))"))
                return
            }
            var names: [String] = []
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                }
                if name == "." || name == ".." { continue }
                names.append(name)
            }
            closedir(d)
            for name in names.sorted() {
                visit(dir.hasSuffix("/") ? dir + name : dir + "/" + name, top: false)
            }
        }

        func visit(_ path: String, top: Bool) {
            var st = stat()
            guard stat(path, &st) == 0 else {
                var lst = stat()
                if lstat(path, &lst) == 0 {
                    problems.append(Problem(path: path, reason: "dangling or looping symbolic link"))
                } else {
                    problems.append(Problem(path: path, reason: String(cString: strerror(errno))))
                }
                return
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                let key = [UInt64(st.st_dev), UInt64(st.st_ino)]
                if !visited.insert(key).inserted {
                    problems.append(Problem(path: path, reason: "directory already visited (symbolic link loop); skipped"))
                    return
                }
                walk(path)
            } else if (st.st_mode & S_IFMT) == S_IFREG {
                // Inside a directory, documentation, pictures and configuration are not
                // logs (an incident folder's README, a rules.yaml); named on the command
                // line, any file is read.
                if !top && InputDiscovery.isNotALog(path) { return }
                addFile(path)
            } else if top {
                // A pipe, a device, <(process substitution): readable once, so kept on disk.
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { problems.append(Problem(path: path, reason: String(cString: strerror(errno)))); return }
                spoolAndAdd(descriptor: fd, shownAs: path)
                close(fd)
            }
        }

        /// Copies a stream that can be read only once into a temporary file, then reads that
        /// like any file (gzip, tar and formats detected; several passes possible).
        func spoolAndAdd(descriptor: Int32, shownAs name: String) {
            do {
                let spooled = try Spool.copy(descriptor: descriptor, name: name)
                let (found, issues) = try classify(path: spooled, limits: limits, shownAs: name)
                units.append(contentsOf: found)
                for i in issues { problems.append(Problem(path: name, reason: i.reason)) }
            } catch {
                problems.append(Problem(path: name, reason: error.message))
            }
        }

        for p in paths {
            if p == "-" {
                spoolAndAdd(descriptor: 0, shownAs: "-")
            } else {
                visit(p, top: true)
            }
        }
        return (units, problems)
    }

    /// Names a directory walk passes over: README and LICENSE files, and documents,
    /// pictures, configuration and source code by extension.
    public static func isNotALog(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let upper = name.uppercased()
        if upper.hasPrefix("README") || upper.hasPrefix("LICENSE") || upper.hasPrefix("COPYING") { return true }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return notLogExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    static let notLogExtensions: Set<String> = ["md", "markdown", "rst", "adoc", "html", "htm", "css", "png", "jpg",
                                                "jpeg", "gif", "svg", "ico", "pdf", "yaml", "yml", "toml", "ini",
                                                "py", "sh", "swift"]

    /// One unit for a plain or gzip file; one per member for a tar archive, with the
    /// archive's damage (members after a bad header are lost: say so).
    static func classify(path: String, limits: InputLimits, shownAs name: String? = nil) throws(InputError) -> (units: [InputUnit], issues: [Issue]) {
        let shown = name ?? path
        let raw = try FileSource(path: path)
        let magic = try raw.readFully(upTo: 2)
        let gz = magic.count == 2 && magic[0] == 0x1f && magic[1] == 0x8b
        let source = try InputUnit.decompressing(ReplaySource(prefix: magic, rest: raw), path: path, limits: limits)
        let block = try source.readFully(upTo: 512)
        source.close()
        guard TarReader.looksLikeHeader(block) else {
            return ([InputUnit(path: shown, origin: .file(path), compression: gz ? .gzip : .none, limits: limits)], [])
        }
        // List the members.
        let again = try InputUnit.decompressing(try FileSource(path: path), path: path, limits: limits)
        defer { again.close() }
        let tar = TarReader(source: again)
        var units: [InputUnit] = []
        while let m = try tar.nextMember() {
            units.append(InputUnit(path: "\(shown):\(m.name)", origin: .tarMember(archive: path, index: m.index, name: m.name),
                                   compression: gz ? .tarGzip : .tar, limits: limits))
        }
        return (units, tar.issues)
    }
}

/// Temporary copies of streams that can be read only once (standard input, pipes).
enum Spool {
    /// Copies everything from `descriptor` into an unlinked temporary file and returns a
    /// path that reopens it for as long as the process lives (`/proc/self/fd/N`).
    static func copy(descriptor: Int32, name: String) throws(InputError) -> String {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((dir + "/inquest-spool-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw InputError.errno(name, "cannot create a temporary file to hold the stream") }
        let tempPath = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        let source = FileSource(descriptor: descriptor, path: name)
        while true {
            let n = try source.read(into: &buffer, offset: 0, count: buffer.count)
            if n == 0 { break }
            var off = 0
            while off < n {
                let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + off, n - off) }
                if w < 0 { if errno == EINTR { continue }; close(fd); unlink(tempPath); throw InputError.errno(name, "cannot write the temporary copy") }
                off += w
            }
        }
        #if os(Linux)
        unlink(tempPath)  // gone from the directory; the open descriptor keeps it readable
        return "/proc/self/fd/\(fd)"
        #else
        return tempPath
        #endif
    }
}
