/// Matrix (client-server API): `PUT /rooms/{room}/send/m.room.message/{txnId}`, media uploaded to the
/// homeserver's content repository (`mxc://`).
public enum MatrixPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .matrix,
        // Config keys: `url` (homeserver), `room` (id or alias), `token`* — or `user` + `password`*
        // (crier logs in once as device `device_id`, default `crier-<channel>`); `msgtype` (m.text / m.notice).
        secretKeys: ["token", "password"],
        settingKeys: ["room", "user", "msgtype", "device_id"],
        requiredKeys: [["room", "token"], ["room", "user", "password"]],
        // No text limit but the 65,536-byte event limit; one image per m.image event (its `body` is
        //   the alt text). "Client-Server API m.room.message" https://spec.matrix.org/latest/client-server-api/#mroommessage
        //   and "Size limits" https://spec.matrix.org/latest/client-server-api/#size-limits
        // Threads: later parts go into an `m.thread` rooted at part 1 (spec "Threading",
        //   https://spec.matrix.org/latest/client-server-api/#threading), so `long: thread` can split
        //   when a channel sets a `limit:`.
        rules: PlatformRules(platform: .matrix, limit: nil, unit: .graphemes, format: .matrix, hashtags: false, threads: true,
                             maxMedia: nil, maxAltLength: nil),
        // Synapse's default message limit: rc_message per_second 0.2, burst_count 10 — a token
        // bucket that a 10-per-50-seconds window never exceeds. Homeservers may configure otherwise.
        // https://element-hq.github.io/synapse/latest/usage/configuration/config_documentation.html#rc_message — "Configuration Manual" (Synapse)
        limits: ChannelLimits(windows: [RateWindow(count: 10, seconds: 50)]),
        duplicates: DuplicateSettings(policy: .hold),
        // Any file type; the size limit is the homeserver's `m.upload.size`
        //   (GET /_matrix/client/v1/media/config; too big: 413 M_TOO_LARGE), so none is set here.
        //   https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1mediaconfig
        media: MediaLimits(imageTypes: nil, videoTypes: nil, maxImageBytes: nil, maxVideoBytes: nil, otherFiles: true))
}
