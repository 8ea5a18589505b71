#include "conformance.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "conformance/library.hpp"
#include "conformance/live.hpp"
#include "conformance/report.hpp"
#include "conformance/shim.hpp"
#include "conformance/vectors.hpp"

namespace tfqkd::cli {

namespace cf = tfqkd::conformance;

CLI::App* add_conformance_command(CLI::App& app, ConformanceOptions& o) {
    CLI::App* cmd = app.add_subcommand("conformance", "Run the conformance suite against a third-party implementation");
    cmd->footer("Grades: pass, fail, informational (a difference the spec allows), not_implemented, disabled.\n"
                "Exit status: 0 no test failed, 1 a test failed, 2 bad input. docs/vendor-guide.md is the manual.");
    // At least one way in is required, which run_conformance checks (bad input, exit status 2).
    cmd->add_option("--library", o.library,
                    "Shared library implementing the C ABI of tfqkd/conformance_abi.h (codec and primitive vectors)")
        ->type_name("PATH");
    cmd->add_option("--shim", o.shim,
                    "Executable that plays alice, bob or charlie in live sessions (docs/vendor-guide.md section 7)")
        ->type_name("PATH");
    cmd->add_option("--only", o.only, "Run only the tests whose id matches (an id, or a prefix ending in \".*\"); repeatable")
        ->type_name("PATTERN");
    cmd->add_option("--session-timeout", o.session_timeout, "Seconds one live session may take before the shim is killed (1 to 3600)")
        ->type_name("S")
        ->capture_default_str();
    cmd->add_option("--property-cases", o.property_cases, "Random sessions per role of the property tests (0 to 1000)")
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--seed", o.seed, "Seed of the live sessions (1 to 2^53)")->type_name("S")->capture_default_str();
    cmd->add_option("--work-dir", o.work_dir,
                    "Keep each live test's files (config, choices or detections, outcome) in DIR/<test id>")
        ->type_name("DIR");
    cmd->add_flag("--list", o.list, "Print the ids, requirements and titles of the live tests and exit");
    cmd->add_option("--json", o.json, "Write the JSON report (docs/schemas/conformance-report.schema.json); - for standard output")
        ->type_name("FILE");
    cmd->add_option("--junit", o.junit, "Write the report as JUnit XML")->type_name("FILE");
    cmd->add_option("--html", o.html, "Write the report as one self-contained HTML page, for a person to read")
        ->type_name("FILE");
    cmd->add_option("--disable", o.disable,
                    "Disabled tests, each with a reason (docs/schemas/conformance-disabled.schema.json)")
        ->type_name("FILE");
    cmd->add_option("--timeout", o.timeout, "Seconds one call into the library may take before it is killed (0.01 to 3600)")
        ->type_name("S")
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

// A number option: the whole text must be a number in [low, high]; std::stod alone would take
// "5s" as 5.
std::optional<double> number_in(const std::string& text, double low, double high) {
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (used == 0 || used != text.size() || !(v >= low && v <= high)) return std::nullopt;
    return v;
}

}  // namespace

int run_conformance(const ConformanceOptions& o) {
    if (o.list) {
        for (const auto& t : cf::live_catalogue()) std::cout << t.id << "  [" << t.requirement << "]  " << t.title << "\n";
        return 0;
    }
    if (o.library.empty() && o.shim.empty())
        return input_error("--library PATH or --shim PATH is required: the implementation to test (docs/vendor-guide.md "
                           "sections 6 and 7)");
    const auto timeout = number_in(o.timeout, 0.01, 3600);
    if (!timeout) return input_error("--timeout \"" + o.timeout + "\": not a number of seconds from 0.01 to 3600");
    const double timeout_seconds = *timeout;
    const auto session_timeout = number_in(o.session_timeout, 1, 3600);
    if (!session_timeout)
        return input_error("--session-timeout \"" + o.session_timeout + "\": not a number of seconds from 1 to 3600");
    const auto property_cases = number_in(o.property_cases, 0, 1000);
    if (!property_cases || *property_cases != static_cast<double>(static_cast<std::size_t>(*property_cases)))
        return input_error("--property-cases \"" + o.property_cases + "\": not a whole number from 0 to 1000");
    const auto seed = number_in(o.seed, 1, 9007199254740992.0);
    if (!seed || *seed != static_cast<double>(static_cast<std::uint64_t>(*seed)))
        return input_error("--seed \"" + o.seed + "\": not a whole number from 1 to 2^53");
    if (!o.shim.empty() && access(o.shim.c_str(), X_OK) != 0)
        return input_error("--shim " + o.shim + ": not an executable file");
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
    // The human-readable lines go where the JSON report does not.
    std::ostream& text = o.json == "-" ? std::cerr : std::cout;
    cf::Report report;
    report.harness = "tfqkd 0.1.0 (conformance C ABI version " + std::to_string(TFQKD_ABI_VERSION) + ", shim contract " +
                     std::string(cf::shim::kConfigFormat) + ")";
    report.started_utc = cf::utc_now();
    const auto start = std::chrono::steady_clock::now();
    const auto on_result = [&](const cf::TestResult& r) {
        if (r.grade == cf::Grade::pass && !o.verbose) return;
        text << cf::grade_name(r.grade) << "  " << r.id << "  [" << r.requirement << "]  " << r.detail << "\n" << std::flush;
    };
    const auto wanted = [&](const std::string& id) {
        if (o.only.empty()) return true;
        for (const auto& p : o.only)
            if (cf::disabled_matches(p, id)) return true;
        return false;
    };

    if (!o.library.empty()) {
        cf::CallLimits limits;
        limits.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_seconds * 1000));
        auto library = cf::VendorLibrary::open(o.library, cf::Isolation::child_process, limits);
        if (!library) return input_error(library.error().detail);
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
        cf::RunOptions run;
        run.disabled = disabled;
        run.on_result = [&](const cf::TestResult& r) {
            if (wanted(r.id)) on_result(r);
        };
        auto results = cf::run_vector_suite(**library, cf::default_vector_suite(), run);
        if (!results) return input_error(results.error().detail);
        for (auto& r : *results)
            if (wanted(r.id)) report.results.push_back(std::move(r));
    }
    if (!o.shim.empty()) {
        cf::LiveOptions live;
        live.shim = o.shim;
        live.disabled = disabled;
        live.only = o.only;
        live.test_timeout_seconds = *session_timeout;
        live.property_cases = static_cast<std::size_t>(*property_cases);
        live.seed = static_cast<std::uint64_t>(*seed);
        live.work_dir = o.work_dir;
        live.on_result = on_result;
        const cf::ShimCapabilities caps = cf::query_capabilities(live);
        std::string roles;
        for (auto r : caps.roles) roles += std::string(roles.empty() ? "" : ", ") + std::string(wire::role_name(r));
        const std::string about =
            "shim " + o.shim + " (" +
            (caps.answered ? (caps.implementation.empty() ? std::string() : caps.implementation + "; ") + "plays " +
                                 (roles.empty() ? "no role" : roles)
                           : "no --capabilities answer: " + caps.error + "; every role tried") +
            ")";
        report.subject += (report.subject.empty() ? "" : "; ") + about;
        auto results = cf::run_live(live);
        if (!results) return input_error(results.error().detail);
        for (auto& r : *results) report.results.push_back(std::move(r));
    }
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
