// The C ABI side of the conformance harness against real libraries: the reference library passes
// every vector test, each mutant (mutant_exports.cpp) is caught, a crashing or hanging library fails
// only its tests and leaves no process behind, a missing capability is "not implemented".
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>

#include "conformance/library.hpp"
#include "conformance/vectors.hpp"

namespace tfqkd::conformance {
namespace {

std::string mutant_path(const std::string& name) {
    const char* dir = std::getenv("TFQKD_CONFORMANCE_MUTANTS_DIR");
    return std::string(dir != nullptr ? dir : "conformance/tests") + "/libtfqkd_conformance_mutant_" + name + ".so";
}

std::vector<TestResult> run(const std::string& path, CallLimits limits = {}, const std::vector<DisabledTest>& disabled = {},
                            Isolation isolation = Isolation::child_process) {
    auto lib = VendorLibrary::open(path, isolation, limits);
    EXPECT_TRUE(lib.ok()) << (lib.ok() ? "" : lib.error().to_string() + " " + lib.error().detail);
    if (!lib) return {};
    RunOptions options;
    options.disabled = disabled;
    auto results = run_vector_suite(**lib, default_vector_suite(), options);
    EXPECT_TRUE(results.ok()) << (results.ok() ? "" : results.error().detail);
    return results.ok() ? *results : std::vector<TestResult>{};
}

std::map<Grade, std::size_t> count(const std::vector<TestResult>& results) {
    std::map<Grade, std::size_t> n;
    for (const auto& r : results) ++n[r.grade];
    return n;
}

// The failed tests' ids, for messages.
std::string failed(const std::vector<TestResult>& results) {
    std::string s;
    for (const auto& r : results)
        if (r.grade == Grade::fail && s.size() < 2000) s += r.id + ": " + r.detail + "\n";
    return s;
}

bool no_child_left() {
    // Every child the harness started has been reaped: nothing to wait for.
    return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

TEST(ConformanceReference, PassesEveryVector) {
    const auto results = run(TFQKD_BUILD_REFERENCE_LIBRARY);
    ASSERT_GT(results.size(), 380U);  // 357 codec vectors and the primitive ones
    auto n = count(results);
    EXPECT_EQ(n[Grade::pass], results.size()) << failed(results);
    std::size_t key_lengths = 0;
    for (const auto& r : results) {
        EXPECT_FALSE(r.requirement.empty()) << r.id;
        if (r.group == "primitive.key_length") ++key_lengths;
    }
    EXPECT_GE(key_lengths, 8U);
    EXPECT_TRUE(no_child_left());
}

TEST(ConformanceReference, InProcessCallsGiveTheSameGrades) {
    // The differential fuzz target calls in process; its verdicts must be those of the isolated runs.
    const auto results = run(TFQKD_BUILD_REFERENCE_LIBRARY, CallLimits{}, std::vector<DisabledTest>{}, Isolation::in_process);
    EXPECT_EQ(count(results)[Grade::pass], results.size()) << failed(results);
}

struct MutantCase {
    const char* name;
    const char* caught_in;  // a group in which at least one test must fail
};

class ConformanceMutant : public ::testing::TestWithParam<MutantCase> {};

TEST_P(ConformanceMutant, IsCaught) {
    const auto results = run(mutant_path(GetParam().name));
    std::size_t caught = 0;
    for (const auto& r : results) {
        if (r.grade != Grade::fail) continue;
        ++caught;
        EXPECT_TRUE(r.group.starts_with(GetParam().caught_in)) << "an unexpected failure: " << r.id << ": " << r.detail;
    }
    EXPECT_GT(caught, 0U) << GetParam().name << " passed the suite";
}

INSTANTIATE_TEST_SUITE_P(
    Defects, ConformanceMutant,
    ::testing::Values(MutantCase{"accepts_truncated", "wire."}, MutantCase{"skips_range_check", "wire."},
                      MutantCase{"accepts_trailing_data", "wire."},
                      MutantCase{"hash_wrong_polynomial", "primitive.verification_hash"},
                      MutantCase{"toeplitz_seed_reversed", "primitive.toeplitz"},
                      MutantCase{"key_length_overclaim", "primitive.key_length"}),
    [](const ::testing::TestParamInfo<MutantCase>& param) { return std::string(param.param.name); });

TEST(ConformanceMutant, TruncationIsCaughtByTheTruncatedVectors) {
    for (const auto& r : run(mutant_path("accepts_truncated")))
        if (r.grade == Grade::fail) {
            EXPECT_NE(std::find(r.flags.begin(), r.flags.end(), "Truncated"), r.flags.end()) << r.id;
            EXPECT_NE(r.detail.find("accepted an invalid input"), std::string::npos) << r.detail;
        }
}

TEST(ConformanceMutant, OverclaimNamesTheBound) {
    for (const auto& r : run(mutant_path("key_length_overclaim")))
        if (r.grade == Grade::fail) {
            EXPECT_NE(r.detail.find("above the certified bound"), std::string::npos) << r.detail;
        }
}

TEST(ConformanceSandbox, ACrashFailsOnlyItsTestsWithTheSignal) {
    const auto results = run(mutant_path("crashes"));
    std::size_t crashed = 0;
    for (const auto& r : results) {
        if (r.group == "wire.abort") {
            ++crashed;
            EXPECT_EQ(r.grade, Grade::fail) << r.id;
            EXPECT_NE(r.detail.find("signal 11 (SIGSEGV)"), std::string::npos) << r.detail;
        } else {
            EXPECT_EQ(r.grade, Grade::pass) << r.id << ": " << r.detail;
        }
    }
    EXPECT_GT(crashed, 10U);
    EXPECT_TRUE(no_child_left());
}

TEST(ConformanceSandbox, AHangIsKilledAtTheLimit) {
    CallLimits limits;
    limits.timeout = std::chrono::milliseconds(300);
    const auto results = run(mutant_path("hangs"), limits);
    std::size_t hung = 0;
    for (const auto& r : results) {
        if (r.grade != Grade::fail) continue;
        ++hung;
        EXPECT_EQ(r.id, "wire.frame.11");  // the empty frame
        EXPECT_NE(r.detail.find("no answer within the time limit"), std::string::npos) << r.detail;
        EXPECT_LT(r.seconds, 2.0);
    }
    EXPECT_EQ(hung, 1U);
    EXPECT_TRUE(no_child_left());
}

TEST(ConformanceSandbox, MissingCapabilitiesAreNotImplementedNotFailed) {
    const auto results = run(mutant_path("partial"));
    for (const auto& r : results) {
        const bool missing = r.group == "primitive.toeplitz" || r.group == "primitive.key_length" ||
                             r.group == "wire.ldpc_syndrome";
        EXPECT_EQ(r.grade, missing ? Grade::not_implemented : Grade::pass) << r.id << ": " << r.detail;
    }
}

TEST(ConformanceSandbox, GarbageInARejectionIsContained) {
    // A field that is neither NUL-terminated nor UTF-8: the rejection still counts, the difference
    // in the field is informational, and what reaches the report is printable ('?' for the bytes).
    const auto results = run(mutant_path("garbage_reject"));
    auto n = count(results);
    EXPECT_EQ(n[Grade::fail], 0U) << failed(results);
    EXPECT_GT(n[Grade::informational], 150U);
    for (const auto& r : results) {
        if (r.grade != Grade::informational) continue;
        EXPECT_NE(r.detail.find("." + std::string(63, '?') + ":"), std::string::npos) << r.detail;
        break;
    }
    Report report;
    report.results = results;
    EXPECT_NO_THROW(static_cast<void>(report.to_json().dump()));
}

TEST(ConformanceCLibrary, APartialLibraryInPlainCPassesWhatItOffers) {
    const char* dir = std::getenv("TFQKD_CONFORMANCE_MUTANTS_DIR");
    const auto results = run(std::string(dir != nullptr ? dir : "conformance/tests") + "/libtfqkd_conformance_example_c.so");
    std::size_t hashes = 0;
    for (const auto& r : results) {
        const bool offered = r.group == "primitive.verification_hash";
        if (offered) ++hashes;
        EXPECT_EQ(r.grade, offered ? Grade::pass : Grade::not_implemented) << r.id << ": " << r.detail;
    }
    EXPECT_EQ(hashes, 15U);
}

TEST(ConformanceSandbox, DisabledTestsDoNotRun) {
    // The hanging test, disabled, costs no time and fails nothing.
    const std::vector<DisabledTest> disabled{{"wire.frame.11", "hangs on an empty frame (ticket 42)"},
                                             {"primitive.toeplitz.*", "not in this release"}};
    const auto results = run(mutant_path("hangs"), CallLimits{}, disabled);
    auto n = count(results);
    EXPECT_EQ(n[Grade::fail], 0U);
    EXPECT_EQ(n[Grade::disabled], 13U);  // the frame and the 12 Toeplitz vectors
    EXPECT_TRUE(unmatched_disabled(disabled, results).empty());
}

TEST(ConformanceLoader, RefusesWhatIsNoConformanceLibrary) {
    const auto missing = VendorLibrary::open("/nonexistent/libvendor.so", Isolation::child_process);
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().detail.find("/nonexistent/libvendor.so: cannot be loaded"), std::string::npos)
        << missing.error().detail;
    // A real shared library without the ABI's two mandatory functions.
    const auto foreign = VendorLibrary::open("libm.so.6", Isolation::child_process);
    ASSERT_FALSE(foreign.ok());
    EXPECT_NE(foreign.error().detail.find("exports no tfqkd_abi_version"), std::string::npos) << foreign.error().detail;
}

TEST(ConformanceLoader, MalformedVectorFilesAreAnErrorNamingTheFile) {
    auto lib = VendorLibrary::open(TFQKD_BUILD_REFERENCE_LIBRARY, Isolation::in_process);
    ASSERT_TRUE(lib.ok());
    const auto dir = std::filesystem::temp_directory_path() / ("tfqkd-conformance-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "abort.json") << R"({"message": "abort", "testGroups": [{"tests": [{"tcId": 1, "result": "valid", "input": "zz"}]}]})";
    }
    const auto results = run_vector_suite(**lib, {dir, dir}, {});
    std::filesystem::remove_all(dir);
    ASSERT_FALSE(results.ok());
    EXPECT_NE(results.error().detail.find("abort.json tcId 1"), std::string::npos) << results.error().detail;
}

}  // namespace
}  // namespace tfqkd::conformance
