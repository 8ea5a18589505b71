// `tfqkd conformance`: the conformance suite against a third-party implementation, by two ways in
// (either or both in one run, one report): --library, a shared library behind the C ABI of
// conformance/include/tfqkd/conformance_abi.h, run against the codec and primitive vectors; and
// --shim, an executable that plays one party in live sessions against tfqkd's reference parties
// (conformance/include/conformance/shim.hpp). docs/vendor-guide.md sections 6 and 7 are the manual.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace tfqkd::cli {

struct ConformanceOptions {
    std::string library;    // the vendor's shared library
    std::string shim;       // the vendor's shim executable
    std::vector<std::string> only;  // run only the tests whose id matches one of these patterns
    std::string json;       // write the JSON report here ("-": standard output)
    std::string junit;      // write JUnit XML here
    std::string html;       // write the HTML page here
    std::string disable;    // the disabled-tests file
    // Kept as text and checked by run_conformance, so that a bad value is bad input (exit status 2)
    // with a message, like every other input error of the command.
    std::string timeout = "10";   // seconds per call into the library
    std::string session_timeout = "60";  // seconds one live session may take before the shim is killed
    std::string property_cases = "4";    // RapidCheck sessions per role
    std::string seed = "1";              // the live sessions' seed
    std::string work_dir;                // keep each live test's files in DIR/<test id>
    bool list = false;      // print the catalogue's ids and exit
    bool verbose = false;   // print every test, not only those that did not pass
};

CLI::App* add_conformance_command(CLI::App& app, ConformanceOptions& options);

// 0: every test passed (informational, not implemented and disabled tests do not fail a run);
// 1: a test failed; 2: bad input (neither --library nor --shim, a library that cannot be loaded, a
// shim that is not an executable file, a malformed disabled-tests file
// or vector file, an unknown id in the disabled-tests file, a report that cannot be written).
int run_conformance(const ConformanceOptions& options);

}  // namespace tfqkd::cli
