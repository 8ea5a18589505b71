#include "conformance.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "conformance/library.hpp"
#include "conformance/report.hpp"
#include "conformance/vectors.hpp"

namespace tfqkd::cli {

namespace cf = tfqkd::conformance;

CLI::App* add_conformance_command(CLI::App& app, ConformanceOptions& o) {
    CLI::App* cmd = app.add_subcommand("conformance", "Run the conformance suite against a third-party implementation");
    cmd->footer("Grades: pass, fail, informational (a difference the spec allows), not_implemented, disabled.\n"
                "Exit status: 0 no test failed, 1 a test failed, 2 bad input. docs/vendor-guide.md is the manual.");
    // The shim of issue #8 will be a second way in (--shim); until then the library is required,
    // which run_conformance checks (a missing way in is bad input, exit status 2).
    cmd->add_option("--library", o.library,
                    "Shared library implementing the C ABI of tfqkd/conformance_abi.h (codec and primitive vectors)")
        ->type_name("PATH");
    cmd->add_option("--json", o.json, "Write the JSON report (docs/schemas/conformance-report.schema.json); - for standard output")
        ->type_name("FILE");
    cmd->add_option("--junit", o.junit, "Write the report as JUnit XML")->type_name("FILE");
    cmd->add_option("--html", o.html, "Write the report as one self-contained HTML page, for a person to read")
        ->type_name("FILE");
    cmd->add_option("--disable", o.disable,
                    "Disabled tests, each with a reason (docs/schemas/conformance-disabled.schema.json)")
        ->type_name("FILE");
    cmd->add_option("--timeout", o.timeout, "Seconds one call into the library may take before it is killed (0.01 to 3600)")
        ->capture_default_str();
    cmd->add_flag("--verbose", o.verbose, "Print every test, not only those that did not pass");
    return cmd;
}

namespace {

int input_error(const std::string& what) {
    std::cerr << "tfqkd conformance: " << what << "\n";
    return 2;
}

bool write_file(const std::string& path, const std::string& text) {
    if (path == "-") {
        std::cout << text;
        return static_cast<bool>(std::cout.flush());
    }
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    return static_cast<bool>(out);
}

}  // namespace

int run_conformance(const ConformanceOptions& o) {
    if (o.library.empty())
        return input_error("--library PATH is required: the shared library to test (docs/vendor-guide.md section 6)");
    double timeout_seconds = 0;
    {
        // The whole text must be a number in range; std::stod alone would take "5s" as 5.
        std::size_t used = 0;
        try {
            timeout_seconds = std::stod(o.timeout, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != o.timeout.size() || !(timeout_seconds >= 0.01 && timeout_seconds <= 3600))
            return input_error("--timeout \"" + o.timeout + "\": not a number of seconds from 0.01 to 3600");
    }
    std::vector<cf::DisabledTest> disabled;
    if (!o.disable.empty()) {
        std::ifstream in(o.disable, std::ios::binary);
        if (!in) return input_error(o.disable + ": cannot be read");
        std::stringstream text;
        text << in.rdbuf();
        auto parsed = cf::parse_disabled(text.str(), o.disable);
        if (!parsed) return input_error(parsed.error().detail);
        disabled = std::move(parsed).value();
    }
    cf::CallLimits limits;
    limits.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_seconds * 1000));
    auto library = cf::VendorLibrary::open(o.library, cf::Isolation::child_process, limits);
    if (!library) return input_error(library.error().detail);

    // The human-readable lines go where the JSON report does not.
    std::ostream& text = o.json == "-" ? std::cerr : std::cout;
    cf::Report report;
    // What the library says it offers goes into the subject, so that a report read alone explains
    // its not_implemented grades.
    std::string offered;
    for (const auto& [bit, name] : {std::pair{TFQKD_CAP_DECODE_MESSAGE, "decode_message"},
                                    std::pair{TFQKD_CAP_DECODE_FRAME, "decode_frame"},
                                    std::pair{TFQKD_CAP_VERIFICATION_HASH, "verification_hash"},
                                    std::pair{TFQKD_CAP_TOEPLITZ, "toeplitz"}, std::pair{TFQKD_CAP_KEY_LENGTH, "key_length"}})
        if ((*library)->implements(bit)) offered += std::string(offered.empty() ? "" : ", ") + name;
    report.subject = "library " + o.library + " (ABI version " + std::to_string((*library)->abi_version()) +
                     "; implements " + (offered.empty() ? "nothing" : offered) + ")";
    report.harness = "tfqkd 0.1.0 (conformance C ABI version " + std::to_string(TFQKD_ABI_VERSION) + ")";
    report.started_utc = cf::utc_now();
    const auto start = std::chrono::steady_clock::now();
    cf::RunOptions run;
    run.disabled = disabled;
    run.on_result = [&](const cf::TestResult& r) {
        if (r.grade == cf::Grade::pass && !o.verbose) return;
        text << cf::grade_name(r.grade) << "  " << r.id << "  [" << r.requirement << "]  " << r.detail << "\n";
    };
    auto results = cf::run_vector_suite(**library, cf::default_vector_suite(), run);
    if (!results) return input_error(results.error().detail);
    report.results = std::move(results).value();
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // A disabled entry that matches nothing is most likely a misspelt id: refuse rather than let a
    // test the evaluator meant to switch off run (or one meant to run hide).
    const auto unmatched = cf::unmatched_disabled(disabled, report.results);
    if (!unmatched.empty()) {
        std::string ids;
        for (const auto& d : unmatched) ids += (ids.empty() ? "" : ", ") + d.id;
        return input_error(o.disable + ": no test has the id " + ids +
                           " (ids are listed in the JSON report and by --verbose)");
    }

    const cf::Summary s = report.summary();
    char line[256];
    std::snprintf(line, sizeof line, "%zu tests in %.2f s: %zu pass, %zu fail, %zu informational, %zu not implemented, %zu disabled\n",
                  s.total, report.seconds, s.by_grade.at(cf::Grade::pass), s.by_grade.at(cf::Grade::fail),
                  s.by_grade.at(cf::Grade::informational), s.by_grade.at(cf::Grade::not_implemented),
                  s.by_grade.at(cf::Grade::disabled));
    text << line << std::flush;
    // A library's reject strings are bytes it chose, not necessarily UTF-8: replace what is not,
    // rather than let the JSON writer throw.
    if (!o.json.empty() &&
        !write_file(o.json, report.to_json().dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n"))
        return input_error(o.json + ": the JSON report cannot be written");
    if (!o.junit.empty() && !write_file(o.junit, report.to_junit()))
        return input_error(o.junit + ": the JUnit report cannot be written");
    if (!o.html.empty() && !write_file(o.html, report.to_html()))
        return input_error(o.html + ": the HTML report cannot be written");
    return report.passed() ? 0 : 1;
}

}  // namespace tfqkd::cli
