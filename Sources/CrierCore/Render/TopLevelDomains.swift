/// The TLDs a schemeless URL (`example.com/x`) may end in: every two-letter country code and the
/// generic TLDs people actually write. twitter-text uses IANA's full list
/// (https://data.iana.org/TLD/tlds-alpha-by-domain.txt); this is a pragmatic subset of it.
enum TopLevelDomains {
    static func isKnown(_ b: UTF8Text.Bytes, _ range: Range<Int>) -> Bool {
        let length = range.count
        if length == 2 {
            let c0 = UTF8Text.lower(b[range.lowerBound]), c1 = UTF8Text.lower(b[range.lowerBound + 1])
            guard c0 >= 0x61 && c0 <= 0x7A && c1 >= 0x61 && c1 <= 0x7A else { return false }
            return countryCodes.contains(UInt16(c0) << 8 | UInt16(c1))
        }
        guard length <= 8 else { return longGeneric.contains(UTF8Text.string(b, range).lowercased()) }
        var key: UInt64 = 0
        for i in range { key = key << 8 | UInt64(UTF8Text.lower(b[i])) }
        return generic.contains(key)
    }

    private static func pack(_ s: String) -> UInt64 { s.utf8.reduce(0) { $0 << 8 | UInt64($1) } }

    private static let countryCodes: Set<UInt16> = Set("""
        ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo bq br bs bt \
        bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg eh \
        er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr \
        ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr \
        ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng \
        ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se \
        sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz \
        ua ug uk um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
        """.split(separator: " ").map { s in UInt16(s.utf8.first!) << 8 | UInt16(s.utf8.last!) })

    private static let genericNames = """
        com net org edu gov mil int arpa info biz name pro mobi aero asia cat coop jobs museum tel travel \
        app dev io ai xyz online site tech store blog news page cloud social art design shop club live life \
        world today space website email link click top wiki zone media digital network studio agency \
        company group team center academy school science health care fund finance money bank law legal tax \
        eco green earth fun games run rocks ninja guru works tools codes support help chat video film music \
        radio photo photos pics gallery fashion style fit coffee cafe pizza bar wine beer food kitchen house \
        home garden land city town london berlin paris nyc tokyo wien bayern quebec swiss moe new mov zip \
        one plus page ltd inc llc gmbh email events press review reviews love bio eus gal scot wales nrw \
        hamburg koeln ruhr tirol vegas miami boston ooo lol wtf xxx porn sex sucks gay kim mba phd prof \
        xn--p1ai xn--90ais xn--80asehdb xn--j1amh xn--c1avg
        """
    private static let generic: Set<UInt64> = Set(genericNames.split(separator: " ").filter { $0.utf8.count <= 8 }
        .map { pack(String($0)) })
    private static let longGeneric: Set<String> = Set(genericNames.split(separator: " ").filter { $0.utf8.count > 8 }
        .map(String.init)).union(["solutions", "community", "foundation", "university", "photography",
                                  "international", "technology", "management", "consulting", "marketing"])
}
