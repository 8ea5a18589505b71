// The catalogue's report and the disabled-tests file: grades counted, JSON and JUnit as documented,
// bad disabled-test files rejected with the entry and what is accepted.
#include <gtest/gtest.h>

#include "conformance/report.hpp"

namespace tfqkd::conformance {
namespace {

Report sample() {
    Report r;
    r.subject = "library <vendor>.so";
    r.harness = "tfqkd test";
    r.started_utc = "2026-11-28T12:00:00Z";
    r.results.push_back({"wire.abort.1", "wire.abort", "docs/wire-format.md 5.16; WF-ENC-6", "abort: minimal", {"Minimal"},
                         Grade::pass, "ok", "", 0.001});
    r.results.push_back({"wire.abort.2", "wire.abort", "docs/wire-format.md 5.16; WF-ENC-5", "abort: cut", {"Truncated"},
                         Grade::fail, "accepted an invalid input & more", "", 0.002});
    r.results.push_back({"primitive.toeplitz.1", "primitive.toeplitz", "docs/postprocessing.md", "t", {},
                         Grade::not_implemented, "no", "", 0});
    r.results.push_back({"primitive.key_length.1", "primitive.key_length", "docs/security.md", "k", {},
                         Grade::informational, "claims less", "", 0});
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
}

TEST(ConformanceReport, JUnitHasASuitePerGroupAndEscapes) {
    const std::string x = sample().to_junit();
    EXPECT_NE(x.find("<testsuite name=\"wire.abort\" tests=\"2\" failures=\"1\" skipped=\"0\""), std::string::npos) << x;
    EXPECT_NE(x.find("<failure message=\"docs/wire-format.md 5.16; WF-ENC-5: accepted an invalid input &amp; more\"/>"),
              std::string::npos) << x;
    EXPECT_NE(x.find("<skipped message=\"not_implemented: no\"/>"), std::string::npos) << x;
    EXPECT_NE(x.find("library &lt;vendor&gt;.so"), std::string::npos) << x;
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
