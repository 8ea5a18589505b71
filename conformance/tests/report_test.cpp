// The catalogue's report and the disabled-tests file: grades counted, JSON, JUnit and HTML as
// documented, hostile strings escaped, bad disabled-test files rejected with the entry and what is
// accepted.
#include <gtest/gtest.h>

#include <cstddef>

#include "conformance/report.hpp"

namespace tfqkd::conformance {
namespace {

Report sample() {
    Report r;
    r.subject = "library <vendor>.so";
    r.harness = "tfqkd test";
    r.started_utc = "2026-11-28T12:00:00Z";
    r.results.push_back({"wire.abort.1", "wire.abort", "docs/wire-format.md 5.16; WF-ENC-6", "abort: minimal", {"Minimal"},
                         Grade::pass, "ok", 0.001, ""});
    r.results.push_back({"wire.abort.2", "wire.abort", "docs/wire-format.md 5.16; WF-ENC-5", "abort: cut", {"Truncated"},
                         Grade::fail, "accepted an invalid input & more", 0.002,
                         "shim stderr: <oops>\x01"});
    r.results.push_back({"primitive.toeplitz.1", "primitive.toeplitz", "docs/postprocessing.md", "t", {},
                         Grade::not_implemented, "no", 0, ""});
    r.results.push_back({"primitive.key_length.1", "primitive.key_length", "docs/security.md", "k", {},
                         Grade::informational, "claims less", 0, ""});
    return r;
}

TEST(ConformanceReport, CountsGradesAndFailsOnAFail) {
    Report r = sample();
    const Summary s = r.summary();
    EXPECT_EQ(s.total, 4U);
    EXPECT_EQ(s.by_grade.at(Grade::pass), 1U);
    EXPECT_EQ(s.by_grade.at(Grade::fail), 1U);
    EXPECT_FALSE(r.passed());
    r.results[1].grade = Grade::informational;
    EXPECT_TRUE(r.passed()) << "informational and not_implemented do not fail a run";
}

TEST(ConformanceReport, JsonHoldsEveryTestWithItsGrade) {
    const auto j = sample().to_json();
    EXPECT_EQ(j["report"], "tfqkd-conformance");
    EXPECT_EQ(j["summary"]["fail"], 1);
    EXPECT_EQ(j["summary"]["not_implemented"], 1);
    EXPECT_EQ(j["passed"], false);
    ASSERT_EQ(j["tests"].size(), 4U);
    EXPECT_EQ(j["tests"][1]["id"], "wire.abort.2");
    EXPECT_EQ(j["tests"][1]["grade"], "fail");
    EXPECT_EQ(j["tests"][1]["flags"][0], "Truncated");
    EXPECT_EQ(j["tests"][1]["log"], "shim stderr: <oops>\x01");
    EXPECT_FALSE(j["tests"][0].contains("log")) << "an empty log is left out";
}

TEST(ConformanceReport, JUnitHasASuitePerGroupAndEscapes) {
    const std::string x = sample().to_junit();
    EXPECT_NE(x.find("<testsuite name=\"wire.abort\" tests=\"2\" failures=\"1\" skipped=\"0\""), std::string::npos) << x;
    EXPECT_NE(x.find("<failure message=\"docs/wire-format.md 5.16; WF-ENC-5: accepted an invalid input &amp; more\"/>"),
              std::string::npos) << x;
    EXPECT_NE(x.find("<skipped message=\"not_implemented: no\"/>"), std::string::npos) << x;
    EXPECT_NE(x.find("library &lt;vendor&gt;.so"), std::string::npos) << x;
    // A shim's stderr: escaped, and a control character (not allowed in XML 1.0) replaced.
    EXPECT_NE(x.find("<system-err>shim stderr: &lt;oops&gt;\xEF\xBF\xBD</system-err>"), std::string::npos) << x;
}

TEST(ConformanceReport, JUnitCarriesTheLogWellFormed) {
    Report r = sample();
    static constexpr char kLog[] = "stderr: <x> \x01\xFF\n";
    r.results[1].log = std::string(kLog, sizeof kLog - 1);
    const std::string x = r.to_junit();
    EXPECT_NE(x.find("<system-err>stderr: &lt;x&gt; \xEF\xBF\xBD\xEF\xBF\xBD\n</system-err></testcase>"), std::string::npos)
        << "a control character and a byte that is not UTF-8 become U+FFFD";
    EXPECT_EQ(x.find("<system-err>"), x.rfind("<system-err>")) << "only the test with a log has one";
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

TEST(ConformanceReportHtml, SaysTheVerdictAndCountsByGrade) {
    Report r = sample();
    const std::string h = r.to_html();
    EXPECT_TRUE(h.starts_with("<!DOCTYPE html>\n<html lang=\"en\">")) << h.substr(0, 200);
    EXPECT_NE(h.find("<title>tfqkd conformance: FAILED \xE2\x80\x94 library &lt;vendor&gt;.so</title>"), std::string::npos);
    EXPECT_NE(h.find("<p id=\"verdict\" class=\"verdict failed\">FAILED: 1 test failed</p>"), std::string::npos);
    EXPECT_NE(h.find("<tr class=\"fail\"><td><span class=\"b\">fail</span></td><td>1</td>"), std::string::npos);
    EXPECT_NE(h.find("<tr class=\"not_implemented\"><td><span class=\"b\">not_implemented</span></td><td>1</td>"),
              std::string::npos);
    EXPECT_NE(h.find("<tr class=\"disabled\"><td><span class=\"b\">disabled</span></td><td>0</td>"), std::string::npos);
    EXPECT_NE(h.find("<tr class=\"total\"><td>total</td><td>4</td>"), std::string::npos);
    EXPECT_NE(h.find("<dt>Started</dt><dd>2026-11-28T12:00:00Z</dd>"), std::string::npos);
    EXPECT_NE(h.find("<dt>Harness</dt><dd>tfqkd test</dd>"), std::string::npos);
    EXPECT_EQ(occurrences(h, "<tr id=\"t-"), 4U) << "one row per test";

    r.results[1].grade = Grade::informational;
    const std::string passed = r.to_html();
    EXPECT_NE(passed.find("<p id=\"verdict\" class=\"verdict passed\">PASSED: no test failed</p>"), std::string::npos);
    EXPECT_EQ(passed.find("id=\"failures\""), std::string::npos) << "no failures section without a failure";
    EXPECT_EQ(passed.find(" open>"), std::string::npos) << "no group opened without a failure";
    r.results[0].grade = Grade::fail;
    r.results[1].grade = Grade::fail;
    EXPECT_NE(r.to_html().find(">FAILED: 2 tests failed</p>"), std::string::npos);
}

TEST(ConformanceReportHtml, ListsFailuresLinkedToTheirRowsAndOpensTheirGroup) {
    Report r = sample();
    r.results.push_back({"wire.frame.7 x/y", "wire.frame", "docs/wire-format.md 3", "frame", {}, Grade::fail,
                         "line one\nline two", 0.5, ""});
    const std::string h = r.to_html();
    const auto failures = h.find("<section id=\"failures\">\n<h2>Failures (2)</h2>");
    const auto groups = h.find("<section id=\"tests\">");
    ASSERT_NE(failures, std::string::npos) << h;
    ASSERT_NE(groups, std::string::npos);
    EXPECT_LT(failures, groups) << "the failures come before the groups";
    EXPECT_NE(h.find("<a class=\"mono\" href=\"#t-wire.abort.2\">wire.abort.2</a> abort: cut"), failures);
    EXPECT_NE(h.find("<tr id=\"t-wire.abort.2\" class=\"fail\"><td>wire.<wbr>abort.<wbr>2</td><td><span class=\"b\">fail</span>"),
              std::string::npos);
    // An id with a space and a slash: an anchor without either, the same in the link and the row.
    EXPECT_NE(h.find("href=\"#t-wire.frame.7~20x~2fy\">wire.frame.7 x/y</a>"), std::string::npos) << h;
    EXPECT_NE(h.find("<tr id=\"t-wire.frame.7~20x~2fy\" class=\"fail\">"), std::string::npos);
    EXPECT_NE(h.find("\xE2\x80\x94 line one\xE2\x80\xA6</span>"), std::string::npos) << "the detail's first line";
    EXPECT_NE(h.find("<details class=\"group has-fail\" id=\"g-wire.abort\" open>"), std::string::npos);
    EXPECT_NE(h.find("<details class=\"group\" id=\"g-primitive.toeplitz\">"), std::string::npos);
    EXPECT_EQ(occurrences(h, "<details class=\"group"), 4U) << "one section per group";
    EXPECT_NE(h.find("<td>Truncated</td><td>0.002</td></tr>"), std::string::npos) << "flags and seconds";
}

TEST(ConformanceReportHtml, EscapesHostileStrings) {
    static constexpr char kLog[] = "shim: <script>alert('log')</script>\x1B[31m\0\r\nbad \xFF\xFE byte\n";
    Report r;
    r.subject = "<script>alert(1)</script>";
    r.harness = "\"harness\" & 'co'";
    r.started_utc = "<b>now</b>";
    r.results.push_back({"wire.x.1\"><script>", "wire.<x>", "<req>", "<img src=x onerror=alert(1)>",
                         {"<flag>", "\"q\""}, Grade::fail, "<detail>&amp;",
                         0, std::string(kLog, sizeof kLog - 1)});
    const std::string h = r.to_html();
    EXPECT_EQ(occurrences(h, "<script>"), 1U) << "only the page's own script";
    EXPECT_EQ(h.find("<img"), std::string::npos);
    EXPECT_EQ(h.find("<b>now"), std::string::npos);
    EXPECT_EQ(h.find("<req>"), std::string::npos);
    EXPECT_EQ(h.find("<flag>"), std::string::npos);
    EXPECT_NE(h.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(h.find("&quot;harness&quot; &amp; 'co'"), std::string::npos);
    EXPECT_NE(h.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
    EXPECT_NE(h.find("<td>&lt;flag&gt;, &quot;q&quot;</td>"), std::string::npos);
    EXPECT_NE(h.find("&lt;detail&gt;&amp;amp;"), std::string::npos);
    EXPECT_NE(h.find("<tr id=\"t-wire.x.1~22~3e~3cscript~3e\""), std::string::npos) << "the id attribute cannot be closed";
    EXPECT_NE(h.find("id=\"g-wire.~3cx~3e\""), std::string::npos);
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_NE(h.find("<details class=\"log\"><summary>log, 2 lines</summary><pre>shim: &lt;script&gt;alert('log')&lt;/script&gt;" +
                     fffd + "[31m" + fffd + fffd + "\nbad " + fffd + fffd + " byte\n</pre></details>"),
              std::string::npos)
        << "control characters and bytes that are not UTF-8 become U+FFFD";
    for (unsigned char c = 0; c < 0x20; ++c) {
        if (c != '\n' && c != '\t') {
            EXPECT_EQ(h.find(static_cast<char>(c)), std::string::npos) << int{c};
        }
    }
}

TEST(ConformanceReportHtml, IsSelfContainedAndDeterministic) {
    Report r = sample();
    r.results[0].log = "one line";
    const std::string h = r.to_html();
    EXPECT_EQ(h, r.to_html()) << "the same report, the same bytes";
    EXPECT_EQ(h, Report(r).to_html());
    for (const char* external : {"http://", "https://", "src=", "<link", "@import", "url("}) {
        EXPECT_EQ(h.find(external), std::string::npos) << external;
    }
    EXPECT_NE(h.find("<details class=\"log\"><summary>log, 1 line</summary><pre>one line</pre></details>"), std::string::npos);
    EXPECT_EQ(occurrences(h, "<details class=\"log\""), 2U) << "a log section for the two tests with a log, none for the others";
    EXPECT_TRUE(h.ends_with("</html>\n"));
}

TEST(ConformanceReportHtml, StaysSmallForTwoThousandTests) {
    Report r;
    r.subject = "library big.so";
    for (int i = 0; i < 2000; ++i)
        r.results.push_back({"wire.g" + std::to_string(i % 20) + "." + std::to_string(i), "wire.g" + std::to_string(i % 20),
                             "docs/wire-format.md 5.1; WF-ENC-5", "a title of a typical length for a vector",
                             {"Truncated"}, i % 97 == 0 ? Grade::fail : Grade::pass,
                             "accepted and re-encoded to the same bytes", 0.001, ""});
    const std::string h = r.to_html();
    EXPECT_EQ(occurrences(h, "<tr id=\"t-"), 2000U);
    EXPECT_LT(h.size(), 2000U * 400) << "a few hundred bytes a test";
}

TEST(ConformanceDisabled, ParsesEntriesAndPatterns) {
    auto d = parse_disabled(R"({"disabled": [{"id": "wire.frame.11", "reason": "r1"}, {"id": "primitive.*", "reason": "r2"}]})",
                            "off.json");
    ASSERT_TRUE(d.ok()) << d.error().detail;
    ASSERT_EQ(d->size(), 2U);
    EXPECT_NE(find_disabled(*d, "wire.frame.11"), nullptr);
    EXPECT_EQ(find_disabled(*d, "wire.frame.1"), nullptr);
    EXPECT_EQ(find_disabled(*d, "primitive.toeplitz.3")->reason, "r2");
    EXPECT_EQ(find_disabled(*d, "wire.frame.110"), nullptr);
}

TEST(ConformanceDisabled, RejectsBadFilesNamingTheEntry) {
    const struct {
        const char* text;
        const char* says;
    } cases[] = {
        {"[", "off.json: not well-formed JSON"},
        {"{}", "off.json: disabled: missing"},
        {R"({"disabled": [{"id": "wire.frame.11"}]})", "off.json: disabled[0].reason: missing"},
        {R"({"disabled": [{"id": "wire.frame.11", "reason": ""}]})", "every disabled test needs a reason"},
        {R"({"disabled": [{"id": "wire.*.11", "reason": "x"}]})", "disabled[0].id: \"wire.*.11\""},
        {R"({"disabled": [{"id": "a", "reason": "x"}, {"id": "a", "reason": "y"}]})", "disabled[1].id: \"a\" is listed twice"},
        {R"({"disabled": [], "extra": 1})", "off.json: extra: unknown field"},
    };
    for (const auto& c : cases) {
        auto d = parse_disabled(c.text, "off.json");
        ASSERT_FALSE(d.ok()) << c.text;
        EXPECT_NE(d.error().detail.find(c.says), std::string::npos) << d.error().detail;
        EXPECT_NE(d.error().detail.find("accepted:"), std::string::npos) << d.error().detail;
    }
}

}  // namespace
}  // namespace tfqkd::conformance
