/// What `crier preview` shows: for every post, each channel's planned send time, the exact text of
/// every part with its length against the platform limit, and the warnings and errors found.
///
/// A pure value filled in by the planner; `PreviewJSON` and `PreviewTimeline` turn it into output.
public struct PreviewReport: Sendable, Equatable, Encodable {
    public var posts: [PreviewPost]

    public init(posts: [PreviewPost] = []) {
        self.posts = posts
    }

    /// True when any post or any delivery has an error: `crier preview` then exits with status 1.
    public var hasErrors: Bool {
        posts.contains { post in !post.errors.isEmpty || post.deliveries.contains { !$0.errors.isEmpty } }
    }

    /// Deliveries across all posts.
    public var deliveryCount: Int {
        posts.reduce(0) { $0 + $1.deliveries.count }
    }

    /// Warnings across all deliveries.
    public var warningCount: Int {
        posts.reduce(0) { total, post in total + post.deliveries.reduce(0) { $0 + $1.warnings.count } }
    }

    /// File-level errors plus per-delivery errors.
    public var errorCount: Int {
        posts.reduce(0) { total, post in total + post.errors.count + post.deliveries.reduce(0) { $0 + $1.errors.count } }
    }
}
