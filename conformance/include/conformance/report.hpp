// The catalogue's results and the report: what every conformance test produces, whichever way the
// implementation came in (the C ABI's vectors, a shim's live sessions), and the
// JSON (docs/schemas/conformance-report.schema.json) and JUnit XML forms a CI reads, and the HTML
// page a person reads.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.hpp"

namespace tfqkd::conformance {

// The grade of one test. Only `fail` makes a run fail: an implementation may choose not to offer a
// capability (not_implemented), an evaluator may switch a test off with a reason (disabled), and
// informational records a difference the spec allows (another error code for an invalid input,
// a key length below our certified bound).
enum class Grade { pass, fail, informational, not_implemented, disabled };

std::string_view grade_name(Grade grade) noexcept;

struct TestResult {
    std::string id;           // stable, unique: "wire.abort.3", "primitive.toeplitz.7"
    std::string group;        // the id without its last component: "wire.abort"
    std::string requirement;  // the document and requirement checked: "docs/wire-format.md 5.16; WF-ENC-5"
    std::string title;        // what the test does, one line
    std::vector<std::string> flags;  // the vector's flags (Wycheproof style), when it came from one
    Grade grade = Grade::pass;
    std::string detail;       // why the grade: what was expected and what the implementation did
    double seconds = 0;       // wall time of the test
    // What the implementation printed while the test ran (a shim's standard error, its last 4 KiB),
    // and the harness's own trace of a live session; empty for the C ABI's tests.
    std::string log;
};

struct Summary {
    std::size_t total = 0;
    std::map<Grade, std::size_t> by_grade;
};

struct Report {
    std::string subject;      // what was tested ("library /path/libvendor.so")
    std::string harness;      // "tfqkd 0.1.0"
    std::string started_utc;  // ISO 8601
    double seconds = 0;       // the whole run
    std::vector<TestResult> results;

    Summary summary() const;
    bool passed() const;      // no test graded fail
    nlohmann::ordered_json to_json() const;
    std::string to_junit() const;
    // One self-contained HTML page (src/report_html.cpp): the subject, harness, start and duration, the
    // verdict, the counts by grade, the failures linked to their rows, then every test in a
    // collapsible section per group (open when it holds a failure), its log collapsible below its
    // detail. Nothing external is referenced; it reads without scripts. A test's row has the id
    // "t-" + its id (bytes other than letters, digits, '.', '_', '-' as "~" and two hex digits), a
    // group's "g-" + its name, so that "report.html#t-wire.abort.3" links to a test. Every string
    // goes through markup_escape (base/markup.hpp). The same Report gives the same bytes.
    std::string to_html() const;
};

// The current time as ISO 8601 UTC with seconds ("2026-11-28T12:00:00Z").
std::string utc_now();

// The disabled-tests file (docs/schemas/conformance-disabled.schema.json):
//   {"disabled": [{"id": "wire.frame.11", "reason": "..."}, {"id": "primitive.toeplitz.*", "reason": "..."}]}
// An id ending in ".*" disables the tests whose id starts with what comes before the "*".
struct DisabledTest {
    std::string id;
    std::string reason;
};

// Parses the text of a disabled-tests file; errors name the entry and field (detail) and say what is
// accepted. `file` names the file in the errors.
Result<std::vector<DisabledTest>> parse_disabled(std::string_view text, std::string_view file);

// The entry that disables test `id`, or nullptr. Runners ask before running a test, so that a
// disabled test (one that hangs an implementation, say) never runs.
const DisabledTest* find_disabled(const std::vector<DisabledTest>& disabled, std::string_view id) noexcept;

// The entries that matched no result: the caller reports them, since a misspelt id must not
// pass silently.
std::vector<DisabledTest> unmatched_disabled(const std::vector<DisabledTest>& disabled,
                                             const std::vector<TestResult>& results);

// A result graded disabled by `entry`, not run.
TestResult disabled_result(std::string id, std::string requirement, std::string title, const DisabledTest& entry);

// Whether `id` is matched by the pattern of a disabled entry.
bool disabled_matches(std::string_view pattern, std::string_view id) noexcept;

}  // namespace tfqkd::conformance
