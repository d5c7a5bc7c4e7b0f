/// Kubernetes pod names: the workload a pod belongs to.
///
/// A Deployment's pod is `NAME-HASH-SUFFIX`: the ReplicaSet's pod-template hash (6 to 10
/// characters) and a 5-character random suffix, both drawn from Kubernetes' "safe"
/// alphabet (`bcdfghjklmnpqrstvwxz2456789`, no vowels so no words). A DaemonSet's or a
/// Job's pod is `NAME-SUFFIX`; a StatefulSet's is `NAME-ORDINAL`, which is kept (its
/// pods are distinct members). Anything else is returned as it is.
public enum PodName {
    @inline(__always) static func isSafe(_ c: UInt8) -> Bool {
        switch c {
        case 0x62, 0x63, 0x64, 0x66, 0x67, 0x68, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x70, 0x71, 0x72, 0x73, 0x74, 0x76, 0x77, 0x78, 0x7A,
             0x32, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39: return true
        default: return false
        }
    }

    /// The workload name of a pod (`cartservice-579f59597d-wc2lz` → `cartservice`), or nil
    /// when the name does not end in Kubernetes' generated suffixes.
    public static func workload(_ pod: String) -> String? {
        var parts = pod.utf8.split(separator: 0x2D, omittingEmptySubsequences: false)
        guard parts.count >= 2, let last = parts.last, last.count == 5, last.allSatisfy(isSafe) else { return nil }
        parts.removeLast()
        if parts.count >= 2, let hash = parts.last, (6...10).contains(hash.count), hash.allSatisfy(isSafe),
           hash.contains(where: { $0 >= 0x32 && $0 <= 0x39 }) {
            parts.removeLast()
        }
        let name = parts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "-")
        return name.isEmpty ? nil : name
    }

    /// The service a pod name stands for: its workload, else the name itself.
    public static func service(_ pod: String) -> String { workload(pod) ?? pod }
}
