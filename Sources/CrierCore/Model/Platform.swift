/// The platforms crier can deliver to. `webhook` is the generic, Standard Webhooks-signed JSON POST.
public enum Platform: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case webhook, mastodon, bluesky, x, threads, linkedin, facebook, instagram, telegram, discord, slack, matrix
}
