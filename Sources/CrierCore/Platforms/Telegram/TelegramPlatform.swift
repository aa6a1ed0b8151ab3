/// Telegram (Bot API): `sendMessage` with HTML, `sendPhoto`/`sendVideo`/`sendMediaGroup` for media.
public enum TelegramPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .telegram,
        // Config keys: `url` (default https://api.telegram.org), `token`* (bot token), `chat` (id or
        // @channel), `topic` (message thread id). Adapter: `TelegramAdapter`.
        secretKeys: ["token"],
        settingKeys: ["chat", "topic"],
        requiredKeys: [["token", "chat"]],
        // sendMessage text 1–4096 characters after entities parsing, captions 0–1024; albums
        //   (sendMediaGroup) 2–10 items; no alt text. Telegram counts UTF-16 code units.
        //   "Telegram Bot API" https://core.telegram.org/bots/api#sendmessage ,
        //   https://core.telegram.org/bots/api#sendmediagroup , https://core.telegram.org/bots/api#html-style
        rules: PlatformRules(platform: .telegram, limit: 4096, captionLimit: 1024, unit: .visibleHTMLUTF16,
                             format: .telegramHTML, hashtags: true, threads: true, maxMedia: 10, maxAltLength: nil, supportsAlt: false),
        // No more than 20 messages per minute to the same group, and about one message per second
        // in a particular chat.
        // https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this — "Bots FAQ" (Telegram)
        limits: ChannelLimits(windows: [RateWindow(count: 20, seconds: 60)], minGap: 1),
        duplicates: DuplicateSettings(policy: .hold),
        // sendPhoto: "The photo must be at most 10 MB in size"; sendVideo: "Telegram clients support
        //   MPEG4 videos … Bots can currently send video files of up to 50 MB"; sendAnimation (GIF):
        //   up to 50 MB — https://core.telegram.org/bots/api#sendphoto , #sendvideo , #sendanimation
        //   (the Bot API text as quoted by aiogram). Which image types sendPhoto takes is not listed;
        //   JPEG, PNG and WebP are assumed (unverified).
        // sendPhoto: "The photo's width and height must not exceed 10000 in total. Width and height ratio
        //   must be at most 20" (Bot API, as quoted by aiogram send_photo.py).
        media: MediaLimits(imageTypes: ["image/jpeg", "image/png", "image/webp", "image/gif"], videoTypes: ["video/mp4"],
                           maxImageBytes: 10 * MediaLimits.megabyte, maxVideoBytes: 50 * MediaLimits.megabyte,
                           maxBytesByType: ["image/gif": 50 * MediaLimits.megabyte])
            .shaped(ImageShape(accepted: (ImageRatio(1, 20), ImageRatio(20, 1)), maxWidth: 5000, maxHeight: 5000)),
        defaultURL: TelegramRequestBuilder.defaultAPIRoot)
}
