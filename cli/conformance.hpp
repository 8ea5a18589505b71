// `tfqkd conformance`: the conformance suite of issue #8 against a third-party implementation.
// Today one way in: --library, a shared library behind the C ABI of
// conformance/include/tfqkd/conformance_abi.h, run against the codec and primitive vectors.
// docs/vendor-guide.md ("Testing a library through the C ABI") is the manual.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace tfqkd::cli {

struct ConformanceOptions {
    std::string library;    // the vendor's shared library
    std::string json;       // write the JSON report here ("-": standard output)
    std::string junit;      // write JUnit XML here
    std::string html;       // write the HTML page here
    std::string disable;    // the disabled-tests file
    // Kept as text and checked by run_conformance, so that a bad value is bad input (exit status 2)
    // with a message, like every other input error of the command.
    std::string timeout = "10";   // seconds per call into the library
    bool verbose = false;   // print every test, not only those that did not pass
};

CLI::App* add_conformance_command(CLI::App& app, ConformanceOptions& options);

// 0: every test passed (informational, not implemented and disabled tests do not fail a run);
// 1: a test failed; 2: bad input (a library that cannot be loaded, a malformed disabled-tests file
// or vector file, an unknown id in the disabled-tests file, a report that cannot be written).
int run_conformance(const ConformanceOptions& options);

}  // namespace tfqkd::cli
