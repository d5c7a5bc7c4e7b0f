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
            } else if (st.st_mode & S_IFMT) == S_IFREG || top {
                addFile(path)
            }
        }

        for p in paths {
            if p == "-" {
                let u = InputUnit(path: "-", origin: .stdin, compression: .none, limits: limits)
                do {
                    let raw = FileSource(descriptor: 0, path: "-")
                    let head = try raw.readFully(upTo: 2)
                    let replay = ReplaySource(prefix: head, rest: raw)
                    if head.count == 2 && head[0] == 0x1f && head[1] == 0x8b {
                        u.compression = .gzip
                    }
                    u.stdinSource = try InputUnit.decompressing(replay, path: "-", limits: limits)
                    units.append(u)
                } catch {
                    problems.append(Problem(path: "-", reason: error.message))
                }
            } else {
                visit(p, top: true)
            }
        }
        return (units, problems)
    }

    /// One unit for a plain or gzip file; one per member for a tar archive, with the
    /// archive's damage (members after a bad header are lost: say so).
    static func classify(path: String, limits: InputLimits) throws(InputError) -> (units: [InputUnit], issues: [Issue]) {
        let raw = try FileSource(path: path)
        let magic = try raw.readFully(upTo: 2)
        let gz = magic.count == 2 && magic[0] == 0x1f && magic[1] == 0x8b
        let source = try InputUnit.decompressing(ReplaySource(prefix: magic, rest: raw), path: path, limits: limits)
        let block = try source.readFully(upTo: 512)
        (source as? PrefetchSource)?.cancel()
        guard TarReader.looksLikeHeader(block) else {
            return ([InputUnit(path: path, origin: .file(path), compression: gz ? .gzip : .none, limits: limits)], [])
        }
        // List the members.
        let again = try InputUnit.decompressing(try FileSource(path: path), path: path, limits: limits)
        let tar = TarReader(source: again)
        var units: [InputUnit] = []
        while let m = try tar.nextMember() {
            units.append(InputUnit(path: "\(path):\(m.name)", origin: .tarMember(archive: path, index: m.index, name: m.name),
                                   compression: gz ? .tarGzip : .tar, limits: limits))
        }
        return (units, tar.issues)
    }
}
