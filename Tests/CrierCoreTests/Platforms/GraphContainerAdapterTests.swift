import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// The Threads/Instagram container step machine, step by step with answers in Meta's documented
/// shapes: what each request carries, which steps may be repeated, how a lost publish is reconciled
/// by the container's status, when the token is refreshed, and the errors operators see.
@Suite struct GraphContainerAdapterTests {
    struct UnexpectedStep: Error {}

    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let token = "EAAsecrettoken42"

    func channel(_ platform: Platform = .threads, mediaBase: String? = "https://cdn.example/q") -> ChannelConfig {
        var settings = ["user_id": "1001", "poll_interval": "7s"]
        settings["media_base_url"] = mediaBase
        return ChannelConfig(name: "th", platform: platform, url: "https://graph.example/v1.0", settings: settings)
    }

    func session(issuedDaysAgo: Double = 2, expiresInDays: Double = 58) -> ChannelSession {
        ChannelSession(values: ["access_token": Self.token, "issued_at": String(Int(Self.now.timeIntervalSince1970 - issuedDaysAgo * 86_400))],
                       expiresAt: Self.now.addingTimeInterval(expiresInDays * 86_400))
    }

    func context(_ platform: Platform = .threads, text: String = "Hello (Threads)", media: [MediaItem] = [], part: Int = 1,
                 earlier: [RemoteReference?] = [], session: ChannelSession? = nil, mediaBase: String? = "https://cdn.example/q") -> DeliveryContext {
        let post = Post(id: "launch", file: "launch.md", channels: .named(["th"]), tags: [], link: nil,
                        media: media.map { PostMedia(file: $0.file, alt: $0.alt) }, body: text)
        return DeliveryContext(deliveryID: "d_1", post: post, channel: channel(platform, mediaBase: mediaBase),
                               secrets: ["client_secret": Secret("app-secret")], part: part, partCount: max(part, 1),
                               rendered: RenderedPart(text: text, length: text.count, limit: 500),
                               scheduledAt: Self.now, earlierParts: earlier, media: media, session: session ?? self.session())
    }

    func image(_ file: String = "media/a.jpg", alt: String? = "A cat", base: String? = "https://cdn.example/q") -> MediaItem {
        MediaItem(file: file, alt: alt, byteCount: 1234, mimeType: "image/jpeg", publicURL: base.map { MediaItem.publicURL(base: $0, file: file) })
    }

    let threads = GraphContainerAdapter(dialect: .threads)
    let instagram = GraphContainerAdapter(dialect: .instagram)
    let media = InMemoryMediaSource()

    func step(_ adapter: GraphContainerAdapter, _ context: DeliveryContext, _ progress: DeliveryProgress) throws -> StepRequest {
        let next = adapter.nextStep(for: context, progress: progress, media: media, now: Self.now)
        guard case .request(let step) = next else {
            Issue.record("expected a request, got \(next)")
            throw UnexpectedStep()
        }
        return step
    }

    func json(_ text: String, status: Int = 200, date: String? = nil) -> TransportResponse {
        var headers = [HTTPHeader("Content-Type", "application/json")]
        if let date { headers.append(HTTPHeader("Date", date)) }
        return TransportResponse(status: status, headers: headers, body: Data(text.utf8))
    }

    func form(_ step: StepRequest) -> [String: String] {
        GraphForm.decode(String(decoding: step.request.body, as: UTF8.self))
    }

    func advanced(_ answer: StepAnswer) throws -> DeliveryProgress {
        guard case .advanced(let progress) = answer else {
            Issue.record("expected advanced, got \(answer)")
            throw UnexpectedStep()
        }
        return progress
    }

    @Test func aTextPostGoesQuotaCreatePollPublishPermalink() throws {
        let context = context()
        var progress = DeliveryProgress.start

        let quota = try step(threads, context, progress)
        #expect(quota.name == "quota" && quota.request.method == "GET" && quota.repeatSafe)
        #expect(quota.request.url == "https://graph.example/v1.0/1001/threads_publishing_limit?fields=quota_usage%2Cconfig")
        #expect(quota.request.headers.value(for: "Authorization") == "Bearer \(Self.token)")
        #expect(!quota.request.url.contains(Self.token), "the token goes in a header, never in a URL that could be logged")
        progress = try advanced(threads.read(json(#"{"data":[{"quota_usage":3,"config":{"quota_total":250,"quota_duration":86400}}]}"#),
                                             to: quota, for: context, progress: progress))

        let create = try step(threads, context, progress)
        #expect(create.name == "create" && create.repeatSafe, "a container is invisible until published: safe to repeat")
        #expect(create.request.url == "https://graph.example/v1.0/1001/threads")
        #expect(create.request.headers.value(for: "Content-Type") == "application/x-www-form-urlencoded")
        #expect(form(create) == ["media_type": "TEXT", "text": "Hello (Threads)"])
        progress = try advanced(threads.read(json(#"{"id":"c1"}"#), to: create, for: context, progress: progress))
        #expect(progress.values["container"] == "c1", "the container id is journaled before the publish")

        let poll = try step(threads, context, progress)
        #expect(poll.name == "poll" && poll.request.url == "https://graph.example/v1.0/c1?fields=status%2Cerror_message")
        let inProgress = threads.read(json(#"{"status":"IN_PROGRESS","id":"c1"}"#), to: poll, for: context, progress: progress)
        guard case .retry(let reason, let after) = inProgress else { Issue.record("\(inProgress)"); return }
        #expect(after == 7, "IN_PROGRESS is asked again after poll_interval")
        #expect(reason.contains("IN_PROGRESS"))
        progress = try advanced(threads.read(json(#"{"status":"FINISHED","id":"c1"}"#), to: poll, for: context, progress: progress))

        let publish = try step(threads, context, progress)
        #expect(publish.name == "publish" && !publish.repeatSafe, "publishing twice makes two posts")
        #expect(publish.request.url == "https://graph.example/v1.0/1001/threads_publish")
        #expect(form(publish) == ["creation_id": "c1"])
        progress = try advanced(threads.read(json(#"{"id":"m9"}"#), to: publish, for: context, progress: progress))

        let permalink = try step(threads, context, progress)
        #expect(permalink.name == "permalink" && permalink.request.url == "https://graph.example/v1.0/m9?fields=permalink")
        let sent = threads.read(json(#"{"id":"m9","permalink":"https://threads.example/@crier/post/X"}"#), to: permalink, for: context,
                                progress: progress)
        #expect(sent == .sent(RemoteReference(id: "m9", url: "https://threads.example/@crier/post/X")))
    }

    @Test func aLostPublishIsReconciledByTheContainerStatusNeverRepeated() throws {
        let context = context()
        let uncertain = DeliveryProgress(values: ["container": "c1"], done: ["quota", "create", "poll"], uncertainStep: "publish")
        let reconcile = try step(threads, context, uncertain)
        #expect(reconcile.name == "reconcile" && reconcile.repeatSafe && reconcile.request.method == "GET")
        #expect(reconcile.request.url.hasPrefix("https://graph.example/v1.0/c1?fields=status"))

        // PUBLISHED: it is out. The post's id is found by its text, and nothing is published again.
        let published = try advanced(threads.read(json(#"{"status":"PUBLISHED","id":"c1"}"#), to: reconcile, for: context, progress: uncertain))
        #expect(published.isDone("publish"))
        var settled = published
        settled.uncertainStep = nil
        let find = try step(threads, context, settled)
        #expect(find.name == "find" && find.request.url.hasPrefix("https://graph.example/v1.0/1001/threads?fields=id%2Cpermalink%2Ctext"))
        let list = #"{"data":[{"id":"m2","text":"Something else","permalink":"p2"},{"id":"m1","text":"Hello (Threads)","permalink":"p1"}]}"#
        #expect(threads.read(json(list), to: find, for: context, progress: settled) == .sent(RemoteReference(id: "m1", url: "p1")))

        // FINISHED: it never went out; publishing it now is safe.
        let finished = try advanced(threads.read(json(#"{"status":"FINISHED","id":"c1"}"#), to: reconcile, for: context, progress: uncertain))
        #expect(!finished.isDone("publish"))
        var retry = finished
        retry.uncertainStep = nil // what the engine's classifier does with an advanced answer
        #expect(try step(threads, context, retry).name == "publish")

        // Still processing: ask again later, the doubt stays.
        guard case .retry = threads.read(json(#"{"status":"IN_PROGRESS"}"#), to: reconcile, for: context, progress: uncertain) else {
            Issue.record("IN_PROGRESS during a reconcile is asked again")
            return
        }
    }

    @Test func theReconcileThroughTheEngineRulesNeverHoldsAReconcilableDelivery() throws {
        // With the engine's own rules: a lost publish answer marks the step uncertain; the next step
        // the adapter names is the reconcile, which StepPlan sends (it is repeat-safe).
        let context = context()
        let before = DeliveryProgress(values: ["container": "c1"], done: ["quota", "create", "poll"])
        let publish = try step(threads, context, before)
        let decision = StepClassifier(policy: RetryPolicy()).classify(
            .failure(TransportError(kind: .network, message: "Empty reply from server", requestSent: true)), of: publish,
            answer: { _ in .standard }, progress: before, now: Self.now, expiresAt: nil, randomFraction: 0)
        #expect(decision.progress.uncertainStep == "publish")
        let next = threads.nextStep(for: context, progress: decision.progress, media: media, now: Self.now)
        guard case .send(let request, _) = StepPlan.next(next, progress: decision.progress, lastStatus: nil) else {
            Issue.record("the reconcile is sent, not held")
            return
        }
        #expect(request.name == "reconcile")
    }

    @Test func anExpiredContainerIsMadeAgainAndAnErrorFailsWithItsReason() throws {
        let context = context()
        let polling = DeliveryProgress(values: ["container": "c1"], done: ["quota", "create"])
        let poll = try step(threads, context, polling)
        let expired = try advanced(threads.read(json(#"{"status":"EXPIRED"}"#), to: poll, for: context, progress: polling))
        #expect(expired.values["container"] == nil)
        #expect(try step(threads, context, expired).name == "create")

        let failed = try advanced(threads.read(json(#"{"status":"ERROR","error_message":"FAILED_DOWNLOADING_VIDEO"}"#), to: poll, for: context,
                                               progress: polling))
        guard case .fail(let reason) = threads.nextStep(for: context, progress: failed, media: media, now: Self.now) else {
            Issue.record("an ERROR container fails")
            return
        }
        #expect(reason.contains("channel 'th'") && reason.contains("FAILED_DOWNLOADING_VIDEO") && reason.contains("media_base_url"))
    }

    @Test func aThreadPartRepliesToThePreviousPartAndUsesTheReplyQuota() throws {
        let context = context(part: 2, earlier: [RemoteReference(id: "m1", url: nil)])
        let quota = try step(threads, context, .start)
        #expect(quota.request.url.hasSuffix("fields=reply_quota_usage%2Creply_config"))
        let create = try step(threads, context, DeliveryProgress(done: ["quota"]))
        #expect(form(create)["reply_to_id"] == "m1")

        // A parent settled by `crier resolve --sent URL` has a URL but no id: it is looked up by its permalink.
        let resolved = self.context(part: 2, earlier: [RemoteReference(id: nil, url: "https://threads.example/@crier/post/ABC")])
        let lookup = try step(threads, resolved, .start)
        #expect(lookup.name == "find-parent" && lookup.repeatSafe && lookup.request.url.hasPrefix("https://graph.example/v1.0/1001/threads?"))
        let found = try advanced(threads.read(json(#"{"data":[{"id":"m7","permalink":"https://threads.example/@crier/post/ABC"}]}"#),
                                              to: lookup, for: resolved, progress: .start))
        #expect(found.values["reply_to"] == "m7")
        #expect(form(try step(threads, resolved, found.completing("quota")))["reply_to_id"] == "m7")
        guard case .failed(let notFound) = threads.read(json(#"{"data":[]}"#), to: lookup, for: resolved, progress: .start) else {
            Issue.record("an unknown URL fails")
            return
        }
        #expect(notFound.contains("https://threads.example/@crier/post/ABC"))

        let orphan = self.context(part: 2, earlier: [nil])
        guard case .fail(let reason) = threads.nextStep(for: orphan, progress: .start, media: media, now: Self.now) else {
            Issue.record("a reply without the parent's id fails")
            return
        }
        #expect(reason.contains("part 2 replies to part 1") && reason.contains("crier resolve launch --channel th"))
    }

    @Test func anImagePostIsCheckedByHeadThenCreatedWithItsURLAndAltText() throws {
        let item = image("media/Launch day.jpg")
        let context = context(media: [item])
        let head = try step(threads, context, DeliveryProgress(done: ["quota"]))
        #expect(head.name == "check-media[1]" && head.request.method == "HEAD" && head.repeatSafe)
        #expect(head.request.url == "https://cdn.example/q/media/Launch%20day.jpg")
        #expect(head.request.headers.value(for: "Authorization") == nil, "the media host never sees the token")

        let ok = TransportResponse(status: 200, headers: [HTTPHeader("Content-Type", "image/jpeg"), HTTPHeader("Content-Length", "1234")])
        let checked = try advanced(threads.read(ok, to: head, for: context, progress: DeliveryProgress(done: ["quota"])))
        let create = try step(threads, context, checked)
        #expect(form(create) == ["media_type": "IMAGE", "image_url": "https://cdn.example/q/media/Launch%20day.jpg", "alt_text": "A cat",
                                 "text": "Hello (Threads)"])

        let missing = threads.read(TransportResponse(status: 404), to: head, for: context, progress: .start)
        guard case .failed(let notFound) = missing else { Issue.record("\(missing)"); return }
        #expect(notFound.contains("channel 'th'") && notFound.contains("media/Launch day.jpg") && notFound.contains("HTTP 404")
                && notFound.contains("media_base_url"))
        let html = TransportResponse(status: 200, headers: [HTTPHeader("Content-Type", "text/html"), HTTPHeader("Content-Length", "1234")])
        guard case .failed(let wrongType) = threads.read(html, to: head, for: context, progress: .start) else { Issue.record("wrong type"); return }
        #expect(wrongType.contains("text/html") && wrongType.contains("image/jpeg"))
        let stale = TransportResponse(status: 200, headers: [HTTPHeader("Content-Type", "image/jpeg"), HTTPHeader("Content-Length", "99")])
        guard case .failed(let wrongSize) = threads.read(stale, to: head, for: context, progress: .start) else { Issue.record("wrong size"); return }
        #expect(wrongSize.contains("99 bytes"))
    }

    @Test func aCarouselMakesItemContainersThenTheCarousel() throws {
        let items = [image("media/1.jpg"), image("media/2.jpg", alt: nil), image("media/3.jpg")]
        let context = context(.instagram, media: items)
        var progress = DeliveryProgress(done: ["quota", "check-media[1]", "check-media[2]", "check-media[3]"])
        for index in 1...3 {
            let item = try step(instagram, context, progress)
            #expect(item.name == "create-item[\(index)]" && item.request.url == "https://graph.example/v1.0/1001/media")
            #expect(form(item)["is_carousel_item"] == "true" && form(item)["image_url"] == "https://cdn.example/q/media/\(index).jpg")
            #expect(form(item)["media_type"] == nil, "Instagram images take no media_type")
            #expect(form(item)["caption"] == nil)
            progress = try advanced(instagram.read(json(#"{"id":"i\#(index)"}"#), to: item, for: context, progress: progress))
        }
        let carousel = try step(instagram, context, progress)
        #expect(form(carousel) == ["media_type": "CAROUSEL", "children": "i1,i2,i3", "caption": "Hello (Threads)"])
        progress = try advanced(instagram.read(json(#"{"id":"car"}"#), to: carousel, for: context, progress: progress))
        let poll = try step(instagram, context, progress)
        #expect(poll.request.url == "https://graph.example/v1.0/car?fields=status_code%2Cstatus")
        progress = try advanced(instagram.read(json(#"{"status_code":"FINISHED"}"#), to: poll, for: context, progress: progress))
        #expect(try step(instagram, context, progress).request.url == "https://graph.example/v1.0/1001/media_publish")
    }

    @Test func instagramRefusesTextOnlyPostsAndMediaWithoutABaseURL() {
        guard case .fail(let textOnly) = instagram.nextStep(for: context(.instagram), progress: .start, media: media, now: Self.now) else {
            Issue.record("a text-only Instagram post fails")
            return
        }
        #expect(textOnly.contains("channel 'th'") && textOnly.contains("need an image or video"))
        let noBase = context(media: [image(base: nil)], mediaBase: nil)
        guard case .fail(let missing) = threads.nextStep(for: noBase, progress: .start, media: media, now: Self.now) else {
            Issue.record("media without media_base_url fails")
            return
        }
        #expect(missing.contains("channel 'th'") && missing.contains("no `media_base_url`") && missing.contains("media/a.jpg"))
    }

    @Test func theTokenIsRefreshedAheadOfExpiryOnceADayOld() throws {
        let due = context(session: session(issuedDaysAgo: 40, expiresInDays: 20))
        let refresh = try step(threads, due, .start)
        #expect(refresh.name == "refresh-token" && refresh.sessionStep && refresh.repeatSafe)
        #expect(refresh.request.url == "https://graph.example/refresh_access_token?grant_type=th_refresh_token&access_token=\(Self.token)",
                "the token endpoints live at the host root, without the version")

        let answer = threads.read(json(#"{"access_token":"EAAnew","token_type":"bearer","expires_in":5184000}"#,
                                       date: "Fri, 15 Jan 2027 08:00:00 GMT"), to: refresh, for: due, progress: .start)
        guard case .renewed(let renewed) = answer else { Issue.record("\(answer)"); return }
        // Issued when the platform answered (its Date header: 2027-01-15 08:00 UTC is 1800000000).
        #expect(renewed["access_token"] == "EAAnew" && renewed["issued_at"] == "1800000000")
        #expect(renewed.expiresAt == Self.now.addingTimeInterval(5_184_000))

        // Far from expiry, or too young to refresh: no refresh.
        #expect(try step(threads, context(session: session(issuedDaysAgo: 2, expiresInDays: 58)), .start).name == "quota")
        #expect(try step(threads, context(session: session(issuedDaysAgo: 0.5, expiresInDays: 20)), .start).name == "quota")

        // Refused: the operator is told to run crier auth; the token is never in the message.
        let refused = threads.read(json(#"{"error":{"message":"Session has expired","type":"OAuthException","code":190,"error_subcode":463}}"#,
                                        status: 400), to: refresh, for: due, progress: .start)
        guard case .failed(let reason) = refused else { Issue.record("\(refused)"); return }
        #expect(reason.contains("crier auth th --token") && reason.contains("expired") && !reason.contains(Self.token))
    }

    @Test func anExpiredOrMissingTokenFailsWithTheFix() {
        let expired = context(session: session(issuedDaysAgo: 61, expiresInDays: -1))
        guard case .fail(let reason) = threads.nextStep(for: expired, progress: .start, media: media, now: Self.now) else {
            Issue.record("an expired token fails")
            return
        }
        #expect(reason.contains("expired on") && reason.contains("crier auth th --token TOKEN"))
        guard case .fail(let none) = threads.nextStep(for: context(session: ChannelSession.none), progress: .start, media: media, now: Self.now) else {
            Issue.record("no token fails")
            return
        }
        #expect(none.contains("has no Threads token yet"))
    }

    @Test func graphErrorsBecomeRetriesOrFailuresThatNameTheFix() throws {
        let context = context()
        let publish = try step(threads, context, DeliveryProgress(values: ["container": "c1"], done: ["quota", "create", "poll"]))
        func answer(_ body: String) -> StepAnswer {
            threads.read(json(body, status: 400, date: "Fri, 15 Jan 2027 08:00:00 GMT"), to: publish, for: context, progress: .start)
        }
        #expect(answer(#"{"error":{"message":"Media Not Found","code":24,"error_subcode":4279009}}"#)
            == .retry("publish: Threads is not ready yet: Media Not Found (code 24, subcode 4279009)", after: 7))
        guard case .retry(let quota, let wait) = answer(#"{"error":{"message":"limit reached","code":9,"error_subcode":2207042}}"#) else {
            Issue.record("quota")
            return
        }
        #expect(wait == 86_400 && quota.contains("held until 2027-01-16T08:00:00"))
        guard case .failed(let revoked) = answer(#"{"error":{"message":"not authorized","type":"OAuthException","code":190,"error_subcode":458}}"#)
        else {
            Issue.record("revoked")
            return
        }
        #expect(revoked.contains("revoked") && revoked.contains("crier auth th --token") && revoked.contains("crier retry launch --channel th"))
        guard case .retry(_, let limited) = answer(#"{"error":{"message":"Application request limit reached","code":4}}"#) else {
            Issue.record("rate limit")
            return
        }
        #expect(limited == 3600)
        guard case .failed(let invalid) = answer(#"{"error":{"message":"Invalid parameter","code":100}}"#) else { Issue.record("100"); return }
        #expect(invalid == "channel 'th': Threads refused publish: Invalid parameter (code 100)")
    }

    @Test func aQuotaUsedUpHoldsThePostForTheWindow() throws {
        let context = context()
        let quota = try step(threads, context, .start)
        let full = threads.read(json(#"{"data":[{"quota_usage":250,"config":{"quota_total":250,"quota_duration":86400}}]}"#,
                                     date: "Fri, 15 Jan 2027 08:00:00 GMT"), to: quota, for: context, progress: .start)
        guard case .retry(let reason, let after) = full else { Issue.record("\(full)"); return }
        #expect(after == 86_400)
        #expect(reason == "channel 'th': Threads publishing quota exhausted (250 of 250 posts in the last 24 h); held until "
                + "2027-01-16T08:00:00.000Z, when the rolling 24-hour window has room again")
    }

    @Test func thePreviewBuildsRequestsFromPlaceholders() throws {
        var context = context(session: .placeholder)
        context.secrets = ["client_secret": .placeholder]
        let quota = try step(threads, context, .start)
        #expect(quota.request.headers.value(for: "Authorization") == "Bearer \(ChannelSession.placeholderValue)")
    }

    @Test func thePastedTokenIsExchangedWithTheAppSecret() throws {
        let probe = ProbeContext(channel: channel(), secrets: ["client_secret": Secret("app-secret")])
        let exchange = try #require(threads.exchangeRequest(pastedToken: "EAAshort", for: probe))
        #expect(exchange.request.url
            == "https://graph.example/access_token?grant_type=th_exchange_token&client_secret=app-secret&access_token=EAAshort")
        let tokens = threads.readTokens(json(#"{"access_token":"EAAlong","token_type":"bearer","expires_in":5183944}"#), for: probe, now: Self.now)
        #expect(try tokens.get().expiresAt == Self.now.addingTimeInterval(5_183_944))
        let refused = threads.readTokens(json(#"{"error":{"message":"Error validating client secret.","code":101}}"#, status: 400), for: probe,
                                         now: Self.now)
        guard case .failure(let error) = refused else { Issue.record("refused"); return }
        #expect(error.message.contains("client secret") && error.message.contains("client_secret"))
        #expect(instagram.exchangeRequest(pastedToken: "t", for: probe)?.request.url.contains("grant_type=ig_exchange_token") == true)
    }

    @Test func theOnlineCheckNamesTheAccountTheQuotaAndTheTokenExpiry() throws {
        let probe = ProbeContext(channel: channel(), secrets: [:], session: session())
        guard case .request(let me) = threads.nextProbeStep(for: probe, values: [:]) else { Issue.record("me"); return }
        #expect(me.request.url == "https://graph.example/v1.0/me?fields=id%2Cusername")
        #expect(threads.readProbe(json(#"{"id":"1001","username":"crierbot"}"#), to: me, for: probe, values: [:]) == .advanced(["username": "crierbot"]))
        if case .problem(let wrong) = threads.readProbe(json(#"{"id":"2002","username":"other"}"#), to: me, for: probe, values: [:]) {
            #expect(wrong.contains("belongs to @other") && wrong.contains("user_id"))
        } else {
            Issue.record("a token of another account is a problem")
        }
        guard case .request(let quota) = threads.nextProbeStep(for: probe, values: ["username": "crierbot"]) else { Issue.record("quota"); return }
        let answer = threads.readProbe(json(#"{"data":[{"quota_usage":3,"config":{"quota_total":250,"quota_duration":86400}}]}"#), to: quota,
                                       for: probe, values: ["username": "crierbot"])
        guard case .advanced(let values) = answer else { Issue.record("\(answer)"); return }
        guard case .ok(let message) = threads.nextProbeStep(for: probe, values: values.merging(["username": "crierbot"]) { $1 }) else {
            Issue.record("ok")
            return
        }
        #expect(message.hasPrefix("ok as @crierbot; 3 of 250 posts used in the last 24 h; token expires 2027-03-14"))
    }

    @Test func aPollIntervalThatIsNotADurationFailsWithTheFix() {
        var context = context()
        context.channel.settings["poll_interval"] = "soon"
        guard case .fail(let reason) = threads.nextStep(for: context, progress: .start, media: media, now: Self.now) else {
            Issue.record("a bad poll_interval fails")
            return
        }
        #expect(reason == "channel 'th': `poll_interval: soon` is not a duration; write e.g. 60s or 1m")
    }

    @Test func endpointsKeepTheVersionForCallsAndDropItForTokens() {
        #expect(GraphEndpoint(channelURL: "https://graph.threads.net/v1.0/").hostRoot == "https://graph.threads.net")
        #expect(GraphEndpoint(channelURL: "https://graph.instagram.com/v23.0").url("me") == "https://graph.instagram.com/v23.0/me")
        #expect(GraphEndpoint(channelURL: "http://127.0.0.1:8080/v1.0").hostRoot == "http://127.0.0.1:8080")
        #expect(GraphEndpoint(channelURL: "https://proxy.example/graph").hostRoot == "https://proxy.example/graph")
    }
}
