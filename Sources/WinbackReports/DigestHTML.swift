import WinbackCore

/// `digest.html`: the digest's content for a mail client or a browser, with the failure trend and the failures
/// by direction drawn as charts.
///
/// Safe to send as the body of an e-mail: one file, styles inline on each element, charts as inline SVG, no
/// script, no link to anything outside it. Everything from data is escaped.
extension Digest {
    public func renderHTML(top: Int = 10) -> String {
        var out = HTMLWriter()
        out.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        out.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        out.raw("<title>\(html(title))</title></head>\n")
        out.raw("<body style=\"\(Style.body)\">\n<div style=\"\(Style.page)\">\n")
        out.raw("<h1 style=\"\(Style.h1)\">\(html(title))</h1>\n")

        if let feed {
            if feed.lastSaleDay == nil {
                out.paragraph(
                    "No sales stored yet. Import a sales export (winback import FILE, or drop it into the inbox); "
                        + "until then nothing here says anything about clients.", style: Style.warning)
            } else if feed.isStale {
                out.paragraph("Warning: \(feed.summary).", style: Style.warning)
            } else {
                out.paragraph("Data: \(feed.summary).", style: Style.muted)
            }
        }

        let (now, before) = todayAndBefore
        if let now {
            let c = now.counts
            out.raw("<table style=\"\(Style.table)\" role=\"presentation\"><tr>")
            func tile(_ label: String, _ value: String, _ change: String, colour: String) {
                out.raw("<td style=\"\(Style.tile)\"><div style=\"font-size:26px;font-weight:700;color:\(colour)\">")
                out.text(value)
                out.raw("</div><div style=\"\(Style.small)\">")
                out.text(label + (change.isEmpty ? "" : " (" + change + ")"))
                out.raw("</div></td>")
            }
            tile(
                "at risk", count(c.atRisk), before.map { signed(c.atRisk - $0.counts.atRisk) } ?? "",
                colour: SVGChart.amber)
            tile("lost", count(c.lost), before.map { signed(c.lost - $0.counts.lost) } ?? "", colour: SVGChart.red)
            tile(
                "won back", count(c.wonBack), before.map { signed(c.wonBack - $0.counts.wonBack) } ?? "",
                colour: SVGChart.green)
            tile(
                "revenue at risk, a year's worth", numbers.amount(c.revenueAtRisk),
                before.map { signedMoney(c.revenueAtRisk - $0.counts.revenueAtRisk) } ?? "", colour: "#222")
            out.raw("</tr></table>\n")
            out.paragraph(
                "\(count(c.clients)) clients scanned as of \(asOf.iso)"
                    + (before.map { ", compared with \($0.asOf.iso)" } ?? "")
                    + ". Today: \(count(c.becameAtRisk)) became at risk, \(count(c.becameLost)) became lost, "
                    + "\(count(c.cameBack)) came back; \(count(c.categoryDrops)) dropped a category.",
                style: Style.muted)
            let series = Array(overall.filter { $0.asOf <= asOf }.suffix(24))
            if series.count >= 2 {
                out.heading("Clients at risk and lost, scan by scan")
                out.raw(SVGChart.trend(series, numbers: numbers))
            }
        } else {
            out.paragraph("No scan results for this day.", style: Style.muted)
        }

        let fresh = freshAlerts
        out.heading("New today: \(count(fresh.count)) \(fresh.count == 1 ? "alert" : "alerts")")
        if fresh.isEmpty { out.paragraph("Nothing new.", style: Style.muted) }
        if !fresh.isEmpty {
            out.raw("<ul style=\"\(Style.list)\">")
            for alert in fresh.prefix(top) {
                out.raw("<li style=\"margin:0 0 6px 0\"><span style=\"\(Style.badge(alert.severity))\">")
                out.text(alert.severity.rawValue)
                out.raw("</span> <b>")
                out.text(alert.title)
                out.raw("</b>")
                if let value = alert.value { out.text(" (\(numbers.amount(value)) a year)") }
                out.raw("<br><span style=\"\(Style.small)\">")
                out.text(alert.explanation)
                out.raw("</span></li>")
            }
            if fresh.count > top {
                out.more(count(fresh.count - top), moreCommand("winback alerts --since \(asOf.iso)"), in: "li")
            }
            out.raw("</ul>\n")
        }
        let work = workRuleCounts
        if !work.isEmpty {
            out.paragraph("Key-account work new today:", style: "margin:12px 0 4px 0")
            out.raw("<ul style=\"\(Style.list)\">")
            for entry in work {
                out.raw("<li>")
                out.text(workRuleLine(entry))
                out.raw("</li>")
            }
            out.raw("</ul>\n")
        }
        let critical = criticalAlerts
        if !critical.isEmpty {
            out.heading("Critical and still open: \(count(critical.count))")
            out.raw("<ul style=\"\(Style.list)\">")
            for alert in critical.prefix(top) {
                out.raw("<li>#\(alert.id) ")
                out.text(alert.title)
                out.raw(" <span style=\"\(Style.small)\">")
                out.text("(\(alert.status.rawValue), since \(alert.firstSeen.iso))")
                out.raw("</span></li>")
            }
            if critical.count > top {
                out.more(count(critical.count - top), moreCommand("winback alerts --severity critical"), in: "li")
            }
            out.raw("</ul>\n")
        }

        let dimensions = [FailureDimension.category, .manager, .region, .class].filter { !ranked($0).isEmpty }
        if !dimensions.isEmpty {
            out.heading("Failures by direction")
            out.paragraph(
                "Clients at risk (amber) and lost (red) in each direction: at risk + lost (change since the last scan) "
                    + "· their revenue at risk, a year's worth.", style: Style.small)
            for dimension in dimensions {
                out.raw("<h3 style=\"\(Style.h3)\">By \(html(dimension.rawValue))</h3>\n")
                out.raw(SVGChart.directions(Array(ranked(dimension).prefix(8)), numbers: numbers))
            }
        }

        out.heading("Win back first")
        if winback.isEmpty {
            out.paragraph(
                feed?.lastSaleDay == nil && feed != nil ? "No sales, so no list yet." : "No client is at risk or lost.",
                style: Style.muted)
        } else {
            out.raw("<table style=\"\(Style.table)\"><tr>")
            for (header, right) in [
                ("#", true), ("client", false), ("manager", false), ("status", false), ("worth a year", true),
                ("why", false), ("offer", false),
            ] {
                out.raw("<th style=\"\(Style.th)\(right ? "text-align:right;" : "")\">\(header)</th>")
            }
            out.raw("</tr>\n")
            for row in winback.prefix(top) {
                let who = row.clientName.map { "\($0) (\(row.clientID))" } ?? row.clientID
                let cells: [(String, Bool)] = [
                    (String(row.rank), true), (who, false), (row.manager ?? "", false),
                    (row.status.rawValue.replacingAll("_", with: " "), false), (numbers.amount(row.value), true),
                    (row.reason, false), (row.offer.map(describe) ?? "", false),
                ]
                out.raw("<tr>")
                for (text, right) in cells {
                    out.raw("<td style=\"\(Style.td)\(right ? "text-align:right;white-space:nowrap;" : "")\">")
                    out.text(text)
                    out.raw("</td>")
                }
                out.raw("</tr>\n")
            }
            out.raw("</table>\n")
            if winback.count > top { out.more(count(winback.count - top), moreCommand("winback list"), in: "p") }
        }
        out.raw("</div>\n</body></html>\n")
        return out.text
    }
}

/// Builds the page: markup written as it is, text from data escaped.
struct HTMLWriter {
    private(set) var text = ""

    mutating func raw(_ markup: String) { text += markup }

    mutating func text(_ value: String) { text += html(value) }

    mutating func paragraph(_ value: String, style: String) {
        text += "<p style=\"\(style)\">" + html(value) + "</p>\n"
    }

    /// "… and 12 more: `winback list`", as a list item or a paragraph.
    mutating func more(_ count: String, _ command: String, in element: String) {
        text +=
            "<\(element) style=\"\(Style.small)\">… and " + html(count) + " more: <code>" + html(command)
            + "</code></\(element)>\n"
    }

    mutating func heading(_ value: String) {
        text += "<h2 style=\"\(Style.h2)\">" + html(value) + "</h2>\n"
    }
}

/// Text made safe inside HTML elements and attribute values; control characters from data are shown, never sent.
func html(_ value: String) -> String {
    var out = ""
    out.reserveCapacity(value.utf8.count)
    for scalar in escapeControls(value).unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// The digest's inline styles, in one place.
enum Style {
    static let body = "margin:0;padding:0;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;color:#222;"
    static let page = "max-width:760px;margin:0 auto;padding:16px 20px;background:#ffffff;"
    static let h1 = "font-size:22px;margin:0 0 8px 0;"
    static let h2 = "font-size:17px;margin:22px 0 8px 0;border-bottom:1px solid #ddd;padding-bottom:4px;"
    static let h3 = "font-size:14px;margin:12px 0 4px 0;color:#444;"
    static let muted = "margin:4px 0;color:#555;font-size:14px;"
    static let warning = "margin:4px 0;padding:8px;background:#fff3cd;color:#664d03;font-size:14px;"
    static let small = "color:#555;font-size:13px;"
    static let list = "margin:0;padding-left:20px;font-size:14px;"
    static let table = "border-collapse:collapse;width:100%;font-size:13px;"
    static let tile = "padding:8px 12px;border:1px solid #e3e3e3;text-align:center;"
    static let th = "text-align:left;padding:4px 6px;border-bottom:2px solid #ccc;"
    static let td = "padding:4px 6px;border-bottom:1px solid #eee;vertical-align:top;"

    static func badge(_ severity: Severity) -> String {
        let colour: String
        switch severity {
        case .critical: colour = SVGChart.red
        case .warning: colour = SVGChart.amber
        case .info: colour = "#6c757d"
        }
        return "display:inline-block;padding:0 6px;border-radius:3px;color:#fff;background:\(colour);font-size:12px;"
    }
}

/// The digest's two charts as inline SVG: plain shapes and text, sized in pixels, readable without colour too
/// (each bar carries its number).
enum SVGChart {
    static let amber = "#d9822b"
    static let red = "#c0392b"
    static let green = "#2e8b57"

    /// At risk and lost, stacked, one bar per scan day, oldest on the left.
    static func trend(_ points: [FailurePoint], numbers: NumberStyle) -> String {
        let width = 720.0
        let height = 180.0
        let left = 44.0
        let bottom = 24.0
        let top = 12.0
        let plot = height - bottom - top
        let highest = max(1, points.map { $0.counts.atRisk + $0.counts.lost }.max() ?? 1)
        let step = (width - left - 8) / Double(points.count)
        let bar = max(2, step * 0.7)
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"clients at risk and lost per scan\" "
            + "style=\"max-width:100%;height:auto;font-family:Helvetica,Arial,sans-serif\">"
        svg += line(left, top + plot, width - 8, top + plot, "#999")
        svg += label(left - 4, top + 4, numbers.count(highest), anchor: "end")
        svg += label(left - 4, top + plot, "0", anchor: "end")
        for (index, point) in points.enumerated() {
            let x = left + Double(index) * step + (step - bar) / 2
            let lostHeight = plot * Double(point.counts.lost) / Double(highest)
            let riskHeight = plot * Double(point.counts.atRisk) / Double(highest)
            svg += rect(x, top + plot - lostHeight, bar, lostHeight, red)
            svg += rect(x, top + plot - lostHeight - riskHeight, bar, riskHeight, amber)
            if index == 0 || index == points.count - 1 || points.count <= 8 {
                svg += label(x + bar / 2, height - 6, point.asOf.iso, anchor: "middle", size: 10)
            }
        }
        svg += rect(width - 170, 2, 10, 10, amber) + label(width - 156, 11, "at risk", anchor: "start")
        svg += rect(width - 100, 2, 10, 10, red) + label(width - 86, 11, "lost", anchor: "start")
        return svg + "</svg>\n"
    }

    /// One row per direction: a bar of at risk and one of lost side by side, with the counts and the revenue at
    /// risk written beside them.
    static func directions(_ items: [Listings.Point], numbers: NumberStyle) -> String {
        let width = 720.0
        let row = 22.0
        let labelWidth = 180.0
        let numbersWidth = 190.0
        let height = row * Double(items.count) + 4
        let highest = max(1, items.map { $0.point.counts.atRisk + $0.point.counts.lost }.max() ?? 1)
        let room = width - labelWidth - numbersWidth
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"failures by direction\" "
            + "style=\"max-width:100%;height:auto;font-family:Helvetica,Arial,sans-serif\">"
        for (index, item) in items.enumerated() {
            let c = item.point.counts
            let y = Double(index) * row + 4
            var name = item.point.direction
            if name.count > 26 { name = String(name.prefix(25)) + "…" }
            svg += label(labelWidth - 6, y + 13, name, anchor: "end")
            let riskWidth = room * Double(c.atRisk) / Double(highest)
            let lostWidth = room * Double(c.lost) / Double(highest)
            svg += rect(labelWidth, y + 3, riskWidth, row - 8, amber)
            svg += rect(labelWidth + riskWidth, y + 3, lostWidth, row - 8, red)
            let change = item.before.map { " (" + signed(c.atRisk + c.lost - $0.atRisk - $0.lost) + ")" } ?? ""
            svg += label(
                labelWidth + riskWidth + lostWidth + 6, y + 13,
                "\(numbers.count(c.atRisk)) + \(numbers.count(c.lost))\(change) · "
                    + numbers.amount(c.revenueAtRisk), anchor: "start")
        }
        return svg + "</svg>\n"
    }

    private static func signed(_ value: Int) -> String { value > 0 ? "+\(value)" : value < 0 ? "−\(-value)" : "±0" }

    private static func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, _ fill: String) -> String {
        guard width > 0, height > 0 else { return "" }
        return "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"\(fill)\"/>"
    }

    private static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ stroke: String) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\" stroke-width=\"1\"/>"
    }

    private static func label(_ x: Double, _ y: Double, _ text: String, anchor: String, size: Int = 12) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" fill=\"#333\" text-anchor=\"\(anchor)\">"
            + html(text) + "</text>"
    }

    private static func f(_ value: Double) -> String { fixed(value, 1) }
}
