// Live sessions against a shim (conformance/shim.hpp): the harness plays the two other parties with
// tfqkd's reference state machines, simulates the optical part, and stands between them and the
// shim as a network, a misbehaving peer or a lying relay (docs/vendor-guide.md section 7).
//
// The catalogue (live_catalogue()) holds one test per (role, scenario): honest sessions, network
// faults, an authenticated peer that breaks the protocol, a relay that lies, parameter mismatches,
// authentication pool exhaustion, and the key-length claims of the honest sessions. Property-based
// sessions (RapidCheck) draw the fault, the frame it hits and the seed at random and shrink a failing
// case to a minimal one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "conformance/report.hpp"
#include "protocol/wire/types.hpp"

namespace tfqkd::conformance {

struct LiveOptions {
    std::string shim;                     // the executable
    std::vector<DisabledTest> disabled;
    std::vector<std::string> only;        // run only tests matching one of these (patterns as in disabled)
    double test_timeout_seconds = 60;     // a session's hard limit; the shim is killed past it
    std::uint64_t output_cap_bytes = 1U << 20;  // a shim that writes more to stdout + stderr is killed
    std::size_t property_cases = 4;       // RapidCheck cases per role (0: no property tests)
    std::uint64_t seed = 1;               // every session's seed derives from it
    // Where each test's config, choices or detections and outcome files go: DIR/<test id>, kept;
    // empty: a temporary directory per test, removed after it.
    std::string work_dir;
    std::function<void(const TestResult&)> on_result;  // progress (may be empty)
};

// What the harness knows about the shim before the tests: its answer to --capabilities.
struct ShimCapabilities {
    bool answered = false;              // false: the shim does not implement --capabilities (all roles tried)
    std::vector<wire::Role> roles;
    std::vector<std::string> families;  // "sns", "sns-aopp", "pm", "cal19"
    std::string implementation;
    std::string error;                  // why the answer was refused (the tests then run every role)
};

ShimCapabilities query_capabilities(const LiveOptions& options);

// Runs the live catalogue against the shim. Errors: the harness's own (the work directory cannot be
// made); everything the shim does is a test result.
Result<std::vector<TestResult>> run_live(const LiveOptions& options);

// The ids of the live catalogue, in order, with their requirement and title (for --list and the
// docs). Property tests are listed once per role ("live.alice.property").
struct LiveTestInfo {
    std::string id, requirement, title;
};
std::vector<LiveTestInfo> live_catalogue();

}  // namespace tfqkd::conformance
