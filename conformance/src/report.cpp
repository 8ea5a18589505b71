#include "conformance/report.hpp"

#include <ctime>
#include <set>

#include "base/markup.hpp"

namespace tfqkd::conformance {

using nlohmann::ordered_json;

std::string_view grade_name(Grade grade) noexcept {
    switch (grade) {
        case Grade::pass: return "pass";
        case Grade::fail: return "fail";
        case Grade::informational: return "informational";
        case Grade::not_implemented: return "not_implemented";
        case Grade::disabled: return "disabled";
    }
    return "fail";
}

Summary Report::summary() const {
    Summary s;
    s.total = results.size();
    for (Grade g : {Grade::pass, Grade::fail, Grade::informational, Grade::not_implemented, Grade::disabled})
        s.by_grade[g] = 0;
    for (const auto& r : results) ++s.by_grade[r.grade];
    return s;
}

bool Report::passed() const {
    for (const auto& r : results)
        if (r.grade == Grade::fail) return false;
    return true;
}

ordered_json Report::to_json() const {
    ordered_json j;
    j["report"] = "tfqkd-conformance";
    j["format_version"] = 1;
    j["harness"] = harness;
    j["subject"] = subject;
    j["started_utc"] = started_utc;
    j["seconds"] = seconds;
    const Summary s = summary();
    ordered_json sum;
    sum["total"] = s.total;
    for (const auto& [grade, count] : s.by_grade) sum[std::string(grade_name(grade))] = count;
    j["summary"] = sum;
    j["passed"] = passed();
    ordered_json tests = ordered_json::array();
    for (const auto& r : results) {
        ordered_json t;
        t["id"] = r.id;
        t["group"] = r.group;
        t["requirement"] = r.requirement;
        t["title"] = r.title;
        t["flags"] = r.flags;
        t["grade"] = grade_name(r.grade);
        t["detail"] = r.detail;
        if (!r.log.empty()) t["log"] = r.log;
        t["seconds"] = r.seconds;
        tests.push_back(std::move(t));
    }
    j["tests"] = std::move(tests);
    return j;
}

std::string Report::to_junit() const {
    // One <testsuite> per group, in the order groups first appear; JUnit has no "informational", so
    // those pass with their detail in <system-out>, and not_implemented/disabled are <skipped>.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const TestResult*>> groups;
    for (const auto& r : results) {
        if (!groups.contains(r.group)) order.push_back(r.group);
        groups[r.group].push_back(&r);
    }
    const Summary s = summary();
    std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x += "<testsuites name=\"" + markup_escape("tfqkd conformance: " + subject) + "\" tests=\"" + std::to_string(s.total) +
         "\" failures=\"" + std::to_string(s.by_grade.at(Grade::fail)) + "\" time=\"" + std::to_string(seconds) + "\">\n";
    for (const auto& name : order) {
        const auto& tests = groups[name];
        std::size_t failures = 0;
        std::size_t skipped = 0;
        double time = 0;
        for (const auto* t : tests) {
            failures += t->grade == Grade::fail ? 1 : 0;
            skipped += (t->grade == Grade::not_implemented || t->grade == Grade::disabled) ? 1 : 0;
            time += t->seconds;
        }
        x += "  <testsuite name=\"" + markup_escape(name) + "\" tests=\"" + std::to_string(tests.size()) + "\" failures=\"" +
             std::to_string(failures) + "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" + std::to_string(time) +
             "\">\n";
        for (const auto* t : tests) {
            x += "    <testcase classname=\"" + markup_escape(name) + "\" name=\"" + markup_escape(t->id) + "\" time=\"" +
                 std::to_string(t->seconds) + "\">";
            const std::string what = markup_escape(t->requirement + ": " + t->detail);
            switch (t->grade) {
                case Grade::fail: x += "<failure message=\"" + what + "\"/>"; break;
                case Grade::not_implemented:
                case Grade::disabled:
                    x += "<skipped message=\"" + markup_escape(std::string(grade_name(t->grade)) + ": " + t->detail) + "\"/>";
                    break;
                case Grade::informational: x += "<system-out>informational: " + what + "</system-out>"; break;
                case Grade::pass: break;
            }
            if (!t->log.empty()) x += "<system-err>" + markup_escape(t->log) + "</system-err>";
            x += "</testcase>\n";
        }
        x += "  </testsuite>\n";
    }
    x += "</testsuites>\n";
    return x;
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

Result<std::vector<DisabledTest>> parse_disabled(std::string_view text, std::string_view file) {
    const auto fail = [&](std::string where, std::string what) {
        return make_error(Errc::parse, "disabled tests", "disabled",
                          std::string(file) + ": " + where + (where.empty() ? "" : ": ") + what +
                              " (accepted: {\"disabled\": [{\"id\": \"wire.frame.11\", \"reason\": \"why\"}, ...]}; "
                              "an id may end in \".*\")");
    };
    const ordered_json j = ordered_json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return fail("", "not well-formed JSON");
    if (!j.is_object()) return fail("", "the file must hold a JSON object");
    for (const auto& [key, value] : j.items())
        if (key != "disabled" && key != "description") return fail(key, "unknown field");
    if (!j.contains("disabled") || !j["disabled"].is_array()) return fail("disabled", "missing, or not an array");
    std::vector<DisabledTest> out;
    std::set<std::string> seen;
    std::size_t index = 0;
    for (const auto& entry : j["disabled"]) {
        const std::string where = "disabled[" + std::to_string(index++) + "]";
        if (!entry.is_object()) return fail(where, "not an object");
        for (const auto& [key, value] : entry.items())
            if (key != "id" && key != "reason") return fail(where + "." + key, "unknown field");
        if (!entry.contains("id") || !entry["id"].is_string() || entry["id"].get<std::string>().empty())
            return fail(where + ".id", "missing or not a non-empty string");
        if (!entry.contains("reason") || !entry["reason"].is_string() || entry["reason"].get<std::string>().empty())
            return fail(where + ".reason", "missing or not a non-empty string: every disabled test needs a reason");
        DisabledTest d{entry["id"].get<std::string>(), entry["reason"].get<std::string>()};
        const auto star = d.id.find('*');
        if (star != std::string::npos && (star + 1 != d.id.size() || !d.id.ends_with(".*")))
            return fail(where + ".id", "\"" + d.id + "\": a \"*\" may only end an id, after a \".\"");
        if (!seen.insert(d.id).second) return fail(where + ".id", "\"" + d.id + "\" is listed twice");
        out.push_back(std::move(d));
    }
    return out;
}

bool disabled_matches(std::string_view pattern, std::string_view id) noexcept {
    if (pattern.ends_with(".*")) return id.starts_with(pattern.substr(0, pattern.size() - 1));
    return pattern == id;
}

const DisabledTest* find_disabled(const std::vector<DisabledTest>& disabled, std::string_view id) noexcept {
    for (const auto& d : disabled)
        if (disabled_matches(d.id, id)) return &d;
    return nullptr;
}

std::vector<DisabledTest> unmatched_disabled(const std::vector<DisabledTest>& disabled,
                                             const std::vector<TestResult>& results) {
    std::vector<DisabledTest> out;
    for (const auto& d : disabled) {
        bool any = false;
        for (const auto& r : results) any = any || disabled_matches(d.id, r.id);
        if (!any) out.push_back(d);
    }
    return out;
}

TestResult disabled_result(std::string id, std::string requirement, std::string title, const DisabledTest& entry) {
    TestResult r;
    r.group = id.substr(0, id.rfind('.'));
    r.id = std::move(id);
    r.requirement = std::move(requirement);
    r.title = std::move(title);
    r.grade = Grade::disabled;
    r.detail = "disabled by " + entry.id + ": " + entry.reason;
    return r;
}

}  // namespace tfqkd::conformance
