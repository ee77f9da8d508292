import RecurEngine
import HummingbirdCore

/// The page shell of the portal and the back office: header, navigation, language
/// switcher, flash message; one stylesheet, no JavaScript.
enum Layout {
    struct NavItem {
        let href: String
        let key: String
    }

    static let portalNav = [NavItem(href: "/portal", key: "nav.subscriptions"), NavItem(href: "/portal/plans", key: "nav.plans"),
                            NavItem(href: "/portal/checkout", key: "nav.buy"), NavItem(href: "/portal/invoices", key: "nav.invoices"),
                            NavItem(href: "/portal/top-up", key: "nav.top_up"),
                            NavItem(href: "/portal/account", key: "nav.account"), NavItem(href: "/portal/support", key: "nav.support")]
    static let staffNav = [NavItem(href: "/admin", key: "admin.nav.home"), NavItem(href: "/admin/customers", key: "admin.nav.customers"),
                           NavItem(href: "/admin/catalog", key: "admin.nav.catalog"), NavItem(href: "/admin/invoices", key: "admin.nav.invoices"),
                           NavItem(href: "/admin/payments", key: "admin.nav.payments"), NavItem(href: "/admin/deals", key: "admin.nav.deals"), NavItem(href: "/admin/requests", key: "admin.nav.requests"),
                           NavItem(href: "/admin/webhooks", key: "admin.nav.webhooks"), NavItem(href: "/admin/audit", key: "admin.nav.audit"),
                           NavItem(href: "/admin/staff", key: "admin.nav.staff")]

    /// A whole page.
    static func page(_ r: WebRequest, title: String, area: Area, _ body: HTML) -> HTML {
        let w = r.w
        let nav: [NavItem] = switch area {
        case .portal: r.session?.kind == .portal ? portalNav : []
        case .staff: r.session?.kind == .staff ? staffNav : []
        }
        let current = r.path
        let links = HTML.each(nav) { item in
            let here = item.href == current || (item.href != "/portal" && item.href != "/admin" && current.hasPrefix(item.href))
            return "<a href=\"\(item.href)\"\(HTML(raw: here ? " aria-current=\"page\"" : ""))>\(w[item.key])</a>"
        }
        let signOut: HTML = r.session == nil ? .empty : """
            <form method="post" action="\(area == .portal ? "/portal/sign-out" : "/admin/sign-out")" class="inline">\(csrfField(r))\
            <button class="link">\(w["nav.sign_out"])</button></form>
            """
        let who: HTML = r.session.map { s in s.kind == .portal ? "<span class=\"who\">\(s.memberEmail ?? "")</span>" : "<span class=\"who\">\(w["admin.staff"])</span>" } ?? .empty
        let flash: HTML = r.flash.map { "<div class=\"flash\" role=\"status\">\($0)</div>" } ?? .empty
        return """
            <!doctype html>
            <html lang="\(w.lang.rawValue)">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Recur</title><link rel="stylesheet" href="/assets/recur.css"></head>
            <body class="\(area == .portal ? "portal" : "staff")">
            <header><div class="bar"><a class="brand" href="\(area == .portal ? "/portal" : "/admin")">Recur\(area == .staff ? " · \(w["admin.title"])" : "")</a>
            <nav>\(links)</nav><div class="tools">\(who)\(signOut)\(languageSwitcher(r))</div></div></header>
            <main>\(flash)<h1>\(title)</h1>
            \(body)
            </main>
            <footer>Recur</footer>
            </body></html>
            """
    }

    enum Area { case portal, staff }

    static func languageSwitcher(_ r: WebRequest) -> HTML {
        let back = r.request.uri.description
        let options = HTML.each(Lang.allCases) { l in "<option value=\"\(l.rawValue)\"\(HTML(raw: l == r.lang ? " selected" : ""))>\(l.name)</option>" }
        return """
            <form method="post" action="/language" class="inline lang">\(csrfField(r))<input type="hidden" name="back" value="\(back)">\
            <label class="sr">\(r.w["nav.language"])</label><select name="lang" aria-label="\(r.w["nav.language"])">\(options)</select>\
            <button>\(r.w["nav.language_go"])</button></form>
            """
    }

    static func csrfField(_ r: WebRequest) -> HTML { "<input type=\"hidden\" name=\"_csrf\" value=\"\(r.csrf)\">" }

    /// A page with one message (errors, refusals).
    static func message(_ w: Words, title: String, text: String) -> HTML {
        """
        <!doctype html>
        <html lang="\(w.lang.rawValue)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Recur</title><link rel="stylesheet" href="/assets/recur.css"></head>
        <body><main><h1>\(title)</h1><p class="error" role="alert">\(text)</p><p><a href="/portal">\(w["nav.home"])</a></p></main></body></html>
        """
    }

    /// Errors listed above a form.
    static func errors(_ w: Words, _ errors: [RecurEngineErrorView]) -> HTML {
        guard !errors.isEmpty else { return .empty }
        return "<div class=\"errors\" role=\"alert\"><ul>\(HTML.each(errors) { "<li data-code=\"\($0.code)\" data-field=\"\($0.field ?? "")\">\($0.text)</li>" })</ul></div>"
    }

    static let css = """
    :root{--ink:#1d2330;--muted:#5b6475;--line:#dfe3ea;--bg:#f6f7f9;--accent:#2357d9;--ok:#1b7f4b;--warn:#a86400;--bad:#b3261e;font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK JP",sans-serif}
    *{box-sizing:border-box}body{margin:0;color:var(--ink);background:var(--bg);font-size:15px;line-height:1.45}
    header{background:#fff;border-bottom:1px solid var(--line)}.bar{max-width:1100px;margin:0 auto;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.25rem;padding:.6rem 1rem}
    .brand{font-weight:700;color:var(--ink);text-decoration:none}nav{display:flex;flex-wrap:wrap;gap:.25rem .9rem;flex:1}nav a{color:var(--muted);text-decoration:none;padding:.2rem 0}
    nav a[aria-current=page]{color:var(--accent);border-bottom:2px solid var(--accent)}.tools{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}.who{color:var(--muted);font-size:.9em}
    main{max-width:1100px;margin:0 auto;padding:1rem}h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .6rem}
    footer{max-width:1100px;margin:2rem auto;padding:0 1rem;color:var(--muted);font-size:.85em}
    .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem;margin:0 0 1rem}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:1rem}
    table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);border-radius:8px;overflow:hidden}th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
    th{background:#fafbfc;font-weight:600;color:var(--muted);font-size:.9em}td.num,th.num{text-align:right;white-space:nowrap}.table{overflow-x:auto;margin-bottom:1rem}
    tr.current td{background:#eef3ff}tr.unavailable td{color:var(--muted)}
    .badge{display:inline-block;padding:.05rem .5rem;border-radius:99px;font-size:.8em;background:#eef0f4;color:var(--muted)}
    .badge.active,.badge.paid,.badge.succeeded,.badge.matched,.badge.signed{background:#e3f5eb;color:var(--ok)}.badge.trialing,.badge.open,.badge.pending{background:#e8eefc;color:var(--accent)}
    .badge.past_due,.badge.expired,.badge.underpaid{background:#fff3e0;color:var(--warn)}.badge.locked,.badge.void,.badge.failed,.badge.uncollectible,.badge.cancelled,.badge.unmatched{background:#fdecea;color:var(--bad)}
    form.stack{display:grid;gap:.75rem;max-width:640px}label{display:grid;gap:.25rem;font-weight:600;font-size:.92em}label.check{display:flex;gap:.5rem;align-items:center;font-weight:400}
    input,select,textarea{font:inherit;padding:.45rem .55rem;border:1px solid #c5ccd8;border-radius:6px;background:#fff;min-width:0}textarea{min-height:5rem}
    button,.button{font:inherit;display:inline-block;padding:.45rem .9rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none}
    button.secondary,.button.secondary{background:#fff;color:var(--accent)}button.danger{background:var(--bad);border-color:var(--bad)}button.link{background:none;border:none;color:var(--accent);padding:0}
    form.inline{display:inline-flex;gap:.35rem;align-items:center;margin:0}.lang select{padding:.2rem}.lang button{padding:.2rem .5rem}
    .errors{background:#fdecea;border:1px solid #f3b8b3;color:var(--bad);border-radius:8px;padding:.5rem 1rem;margin-bottom:1rem}.error{color:var(--bad)}
    .flash{background:#e3f5eb;border:1px solid #b5e0c7;border-radius:8px;padding:.5rem 1rem;margin-bottom:1rem}.notice{background:#fff8e6;border:1px solid #f0d9a0;border-radius:8px;padding:.6rem 1rem;margin-bottom:1rem}
    .muted{color:var(--muted)}.tabs{display:flex;flex-wrap:wrap;gap:.25rem;border-bottom:1px solid var(--line);margin-bottom:1rem}.tabs a{padding:.4rem .8rem;text-decoration:none;color:var(--muted);border:1px solid transparent;border-bottom:none;border-radius:6px 6px 0 0}
    .tabs a[aria-current=page]{background:#fff;border-color:var(--line);color:var(--ink)}.meter{height:8px;background:#eef0f4;border-radius:99px;overflow:hidden}.meter span{display:block;height:100%;background:var(--accent)}
    .meter.full span{background:var(--bad)}dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
    .steps{display:flex;flex-wrap:wrap;gap:.4rem;list-style:none;padding:0;margin:0 0 1rem}.steps li{padding:.2rem .6rem;border-radius:99px;background:#eef0f4;color:var(--muted);font-size:.85em}.steps li.on{background:var(--accent);color:#fff}
    .total{font-size:1.2rem;font-weight:700}.sr{position:absolute;left:-9999px}fieldset{border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;background:#fff}legend{font-weight:600;padding:0 .3rem}
    @media (max-width:640px){.bar{gap:.4rem}nav{order:3;flex-basis:100%}th,td{padding:.4rem}h1{font-size:1.25rem}}
    """
}

/// An error as a form shows it: its code, its field, its text in the page's language.
struct RecurEngineErrorView {
    let code: String
    let field: String?
    let text: String
}
