// Report::to_html: the report as one page an evaluator can hand on (docs/vendor-guide.md 6.2).
//
// Self-contained: the style sheet and a small script are inline and nothing is fetched, so the file
// opens the same from a mail attachment, an archive or a CI artefact. Everything reads without the
// script: groups and logs are <details> elements, and the failures are plain links to their rows;
// the script only adds buttons (expand, collapse, hide passed tests), opens the group of a linked
// row and opens every group for printing. A grade is a coloured badge that also says its name, so
// colour is never the only cue. One row per test and a class per row, no per-test style, so that
// ~2000 tests stay a page a browser lays out at once. The bytes depend on the Report only.
#include "conformance/report.hpp"

#include <cstdio>

#include "base/markup.hpp"

namespace tfqkd::conformance {
namespace {

constexpr Grade kGrades[] = {Grade::pass, Grade::fail, Grade::informational, Grade::not_implemented, Grade::disabled};

std::string_view grade_meaning(Grade grade) noexcept {
    switch (grade) {
        case Grade::pass: return "meets the requirement";
        case Grade::fail: return "violates the requirement; fails the run";
        case Grade::informational: return "a difference the specification allows";
        case Grade::not_implemented: return "a capability the implementation does not offer";
        case Grade::disabled: return "switched off by the evaluator, with a reason; not run";
    }
    return "";
}

// An id attribute (and its fragment) for a test or group name: letters, digits, '.', '_' and '-'
// as they are, every other byte as "~" and two hex digits. Injective, since '~' is itself encoded,
// and free of whitespace and of anything a URL fragment would need to percent-encode.
void append_anchor(std::string& out, std::string_view prefix, std::string_view name) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += prefix;
    for (char c : name) {
        const auto b = static_cast<unsigned char>(c);
        const bool plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '.' ||
                           b == '_' || b == '-';
        if (plain) {
            out += c;
        } else {
            out += '~';
            out += kHex[b >> 4];
            out += kHex[b & 0xF];
        }
    }
}

std::string fixed(double v, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, v);
    return text;
}

std::string tests_count(std::size_t n) { return std::to_string(n) + (n == 1 ? " test" : " tests"); }

// The first line of `text`, at most `limit` bytes cut at a character boundary, with "…" when cut.
std::string first_line(std::string_view text, std::size_t limit) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    bool cut = eol != std::string_view::npos;
    if (line.size() > limit) {
        std::size_t end = limit;
        while (end > 0 && (static_cast<unsigned char>(line[end]) & 0xC0U) == 0x80U) --end;  // not inside a character
        line = line.substr(0, end);
        cut = true;
    }
    return std::string(line) + (cut ? "\xE2\x80\xA6" : "");
}

constexpr std::string_view kStyle = R"css(
:root{--pass:#1a7f37;--fail:#c62828;--info:#1f5fbf;--ni:#8a5a00;--dis:#59636e;--line:#d0d7de;--muted:#57606a;--soft:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#fff;margin:0 auto;padding:20px 28px 40px;max-width:1500px}
h1{font-size:22px;margin:0 0 10px}
h2{font-size:17px;margin:26px 0 8px}
code,.mono,table.tests td:first-child,table.tests td:nth-child(6){font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:0}
dl.meta dt{color:var(--muted)}
dl.meta dd{margin:0;overflow-wrap:anywhere}
.verdict{font-size:21px;font-weight:700;letter-spacing:.02em;padding:12px 16px;border:2px solid;border-left-width:10px;border-radius:6px;margin:18px 0 14px}
.verdict.passed{color:var(--pass);background:#eaf6ed}
.verdict.failed{color:var(--fail);background:#fcebeb}
table{border-collapse:collapse}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid var(--line)}
th{font-weight:600;background:var(--soft)}
table.summary td:nth-child(2),table.summary th:nth-child(2){text-align:right;font-variant-numeric:tabular-nums}
table.summary td:nth-child(3){color:var(--muted)}
table.summary tr.total td{font-weight:600;border-bottom:none}
table.summary tr.total td:nth-child(3){font-weight:400}
.b{display:inline-block;min-width:5.2em;padding:0 7px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;text-align:center;white-space:nowrap}
.pass .b{background:var(--pass)}
.fail .b{background:var(--fail)}
.informational .b{background:var(--info)}
.not_implemented .b{background:var(--ni)}
.disabled .b{background:var(--dis)}
ol.failures{margin:0;padding-left:2.2em}
ol.failures li{margin:3px 0;overflow-wrap:anywhere}
ol.failures .why{color:var(--muted)}
details.group{border:1px solid var(--line);border-radius:6px;margin:8px 0;background:#fff}
details.group>summary{cursor:pointer;padding:7px 12px;background:var(--soft);border-radius:6px}
details.group[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
details.group.has-fail{border-color:var(--fail)}
details.group.has-fail>summary{background:#fcebeb}
summary .name{font-weight:600;font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
summary .counts{color:var(--muted);margin-left:.6em}
summary .counts .nf{color:var(--fail);font-weight:600}
table.tests{width:100%;table-layout:fixed}
table.tests col:nth-child(1){width:15em}
table.tests col:nth-child(2){width:9em}
table.tests col:nth-child(3){width:16%}
table.tests col:nth-child(4){width:17%}
table.tests col:nth-child(6){width:9em}
table.tests col:nth-child(7){width:4.5em}
table.tests td{overflow-wrap:anywhere}
table.tests td:nth-child(5){white-space:pre-wrap}
table.tests td:last-child,table.tests th:last-child{text-align:right;font-variant-numeric:tabular-nums}
table.tests tr.fail td:first-child{box-shadow:inset 4px 0 var(--fail)}
table.tests tr.fail td{background:#fff6f6}
table.tests tr:target td{background:#fff4c2}
details.log{margin-top:4px;white-space:normal}
details.log>summary{cursor:pointer;color:var(--muted)}
details.log pre{margin:4px 0 0;padding:6px 8px;max-height:26em;overflow:auto;background:var(--soft);border:1px solid var(--line);white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px}
#controls button{font:inherit;font-size:13px;margin:0 6px 0 0;padding:3px 10px;border:1px solid var(--line);border-radius:5px;background:var(--soft);cursor:pointer}
body.hide-pass tr.pass,body.hide-pass details.group.all-pass{display:none}
footer{margin-top:28px;color:var(--muted);font-size:12px}
@media print{
body{padding:0;max-width:none;font-size:9pt}
table.tests col:nth-child(1){width:12em}
table.tests col:nth-child(6){width:7em}
#controls{display:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
details.group{break-inside:auto;border-color:#999}
tr{break-inside:avoid}
thead{display:table-header-group}
a{color:inherit;text-decoration:none}
details.log pre{max-height:none;overflow:visible}
}
)css";

// Buttons that need the script are made by it, so that a page read without scripts shows none.
constexpr std::string_view kScript = R"js(
(function(){
var c=document.getElementById('controls');
function groups(open){document.querySelectorAll('details.group').forEach(function(d){d.open=open;});}
function button(label,act){var b=document.createElement('button');b.type='button';b.textContent=label;b.addEventListener('click',act);c.appendChild(b);return b;}
button('Expand all groups',function(){groups(true);});
button('Collapse all groups',function(){groups(false);});
var hide=button('Hide passed tests',function(){var on=document.body.classList.toggle('hide-pass');hide.textContent=on?'Show passed tests':'Hide passed tests';});
function reveal(){var t=location.hash?document.getElementById(location.hash.slice(1)):null;for(var e=t;e;e=e.parentElement)if(e.tagName==='DETAILS')e.open=true;if(t)t.scrollIntoView();}
window.addEventListener('hashchange',reveal);
if(location.hash)reveal();
var closed=[];
window.addEventListener('beforeprint',function(){closed=[];document.querySelectorAll('details:not([open])').forEach(function(d){closed.push(d);d.open=true;});});
window.addEventListener('afterprint',function(){closed.forEach(function(d){d.open=false;});});
})();
)js";

void append_row(std::string& h, const TestResult& t) {
    const std::string_view grade = grade_name(t.grade);
    h += "<tr id=\"";
    append_anchor(h, "t-", t.id);
    h += "\" class=\"";
    h += grade;
    h += "\"><td>";
    // A break opportunity after each dot, so that a long id wraps between its components.
    for (std::size_t from = 0; from < t.id.size();) {
        const std::size_t dot = t.id.find('.', from);
        const std::size_t end = dot == std::string::npos ? t.id.size() : dot + 1;
        append_markup_escaped(h, std::string_view(t.id).substr(from, end - from));
        if (dot != std::string::npos && end < t.id.size()) h += "<wbr>";
        from = end;
    }
    h += "</td><td><span class=\"b\">";
    h += grade;
    h += "</span></td><td>";
    append_markup_escaped(h, t.title);
    h += "</td><td>";
    append_markup_escaped(h, t.requirement);
    h += "</td><td>";
    append_markup_escaped(h, t.detail);
    if (!t.log.empty()) {
        std::size_t lines = 0;
        for (char c : t.log) lines += c == '\n' ? 1 : 0;
        if (t.log.back() != '\n') ++lines;
        h += "<details class=\"log\"><summary>log, " + std::to_string(lines) + (lines == 1 ? " line" : " lines") +
             "</summary><pre>";
        append_markup_escaped(h, t.log);
        h += "</pre></details>";
    }
    h += "</td><td>";
    for (std::size_t i = 0; i < t.flags.size(); ++i) {
        if (i > 0) h += ", ";
        append_markup_escaped(h, t.flags[i]);
    }
    h += "</td><td>" + fixed(t.seconds, 3) + "</td></tr>\n";
}

}  // namespace

std::string Report::to_html() const {
    const Summary s = summary();
    const std::size_t failures = s.by_grade.at(Grade::fail);
    const std::string verdict =
        failures == 0 ? "PASSED: no test failed" : "FAILED: " + tests_count(failures) + " failed";

    // Groups in the order they first appear, as in the JUnit form.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const TestResult*>> groups;
    for (const auto& r : results) {
        if (!groups.contains(r.group)) order.push_back(r.group);
        groups[r.group].push_back(&r);
    }

    std::string h;
    h.reserve(4096 + results.size() * 400);
    h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"";
    append_markup_escaped(h, harness);
    h += "\">\n<title>tfqkd conformance: ";
    h += failures == 0 ? "PASSED" : "FAILED";
    h += " \xE2\x80\x94 ";
    append_markup_escaped(h, subject);
    h += "</title>\n<style>";
    h += kStyle;
    h += "</style>\n</head>\n<body>\n<header>\n<h1>tfqkd conformance report</h1>\n<dl class=\"meta\">\n<dt>Subject</dt><dd>";
    append_markup_escaped(h, subject);
    h += "</dd>\n<dt>Harness</dt><dd>";
    append_markup_escaped(h, harness);
    h += "</dd>\n<dt>Started</dt><dd>";
    append_markup_escaped(h, started_utc);
    h += "</dd>\n<dt>Duration</dt><dd>" + fixed(seconds, 2) + " s</dd>\n<dt>Tests</dt><dd>" + std::to_string(s.total) +
         "</dd>\n</dl>\n</header>\n";

    h += "<p id=\"verdict\" class=\"verdict ";
    h += failures == 0 ? "passed" : "failed";
    h += "\">" + verdict + "</p>\n";

    h += "<table class=\"summary\" id=\"summary\">\n<thead><tr><th>grade</th><th>tests</th><th>meaning</th></tr></thead>\n"
         "<tbody>\n";
    for (Grade g : kGrades) {
        const std::string_view name = grade_name(g);
        h += "<tr class=\"";
        h += name;
        h += "\"><td><span class=\"b\">";
        h += name;
        h += "</span></td><td>" + std::to_string(s.by_grade.at(g)) + "</td><td>";
        h += grade_meaning(g);
        h += "</td></tr>\n";
    }
    h += "<tr class=\"total\"><td>total</td><td>" + std::to_string(s.total) + "</td><td>only fail fails a run</td></tr>\n"
         "</tbody>\n</table>\n";

    if (failures > 0) {
        h += "<section id=\"failures\">\n<h2>Failures (" + std::to_string(failures) + ")</h2>\n<ol class=\"failures\">\n";
        for (const auto& r : results) {
            if (r.grade != Grade::fail) continue;
            h += "<li><a class=\"mono\" href=\"#";
            append_anchor(h, "t-", r.id);
            h += "\">";
            append_markup_escaped(h, r.id);
            h += "</a> ";
            append_markup_escaped(h, r.title);
            h += " <span class=\"why\">\xE2\x80\x94 ";
            append_markup_escaped(h, first_line(r.detail, 200));
            h += "</span></li>\n";
        }
        h += "</ol>\n</section>\n";
    }

    h += "<section id=\"tests\">\n<h2>Tests by group (" + std::to_string(order.size()) +
         (order.size() == 1 ? " group" : " groups") + ")</h2>\n<div id=\"controls\"></div>\n";
    for (const auto& name : order) {
        const auto& tests = groups[name];
        std::map<Grade, std::size_t> counts;
        double time = 0;
        for (const auto* t : tests) {
            ++counts[t->grade];
            time += t->seconds;
        }
        const bool has_fail = counts.contains(Grade::fail);
        const bool all_pass = counts.size() == 1 && counts.contains(Grade::pass);
        h += "<details class=\"group";
        h += has_fail ? " has-fail" : "";
        h += all_pass ? " all-pass" : "";
        h += "\" id=\"";
        append_anchor(h, "g-", name);
        h += "\"";
        h += has_fail ? " open" : "";
        h += "><summary><span class=\"name\">";
        append_markup_escaped(h, name);
        h += "</span><span class=\"counts\">" + tests_count(tests.size()) + ": ";
        bool first = true;
        for (Grade g : kGrades) {
            const auto it = counts.find(g);
            if (it == counts.end()) continue;
            h += first ? "" : ", ";
            first = false;
            const std::string part = std::to_string(it->second) + " " + std::string(grade_name(g));
            h += g == Grade::fail ? "<span class=\"nf\">" + part + "</span>" : part;
        }
        h += "; " + fixed(time, 3) + " s</span></summary>\n";
        h += "<table class=\"tests\">\n<colgroup><col><col><col><col><col><col><col></colgroup>\n"
             "<thead><tr><th>id</th><th>grade</th><th>test</th><th>requirement</th><th>detail</th><th>flags</th>"
             "<th>s</th></tr></thead>\n<tbody>\n";
        for (const auto* t : tests) append_row(h, *t);
        h += "</tbody>\n</table>\n</details>\n";
    }
    h += "</section>\n<footer>Written by ";
    append_markup_escaped(h, harness);
    h += ". The same run as JSON: docs/schemas/conformance-report.schema.json; the grades: docs/vendor-guide.md "
         "section 6.3.</footer>\n<script>";
    h += kScript;
    h += "</script>\n</body>\n</html>\n";
    return h;
}

}  // namespace tfqkd::conformance
