// The vector tests of the catalogue, run against a library behind the C ABI:
//   wire.<message>.<tcId>, wire.frame.<tcId>   the codec vectors of docs/wire-format.md section 7
//                                              (protocol/tests/vectors/, schema
//                                              docs/schemas/wire-vectors.schema.json)
//   primitive.verification_hash.<tcId>         conformance/vectors/verification_hash.json
//   primitive.toeplitz.<tcId>                  conformance/vectors/toeplitz.json
//   primitive.key_length.<tcId>                conformance/vectors/key_length.json
// (schema docs/schemas/primitive-vectors.schema.json). Grades, per Wycheproof's results:
//   valid input:   accepted and re-encoded to the same bytes (or the expected output) -> pass;
//                  anything else -> fail
//   invalid input: rejected with the reference's code and field -> pass; with another -> informational
//                  (WF-ENC-8 fixes the order of checks, but a decoder may report another violation);
//                  accepted -> fail
//   acceptable:    either verdict -> pass, the verdict in the detail
//   key length:    above our certified bound -> fail; equal -> pass; below -> informational
//   a capability the library lacks -> not_implemented; a crash, a hang, an exit -> fail with the signal.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "conformance/library.hpp"
#include "conformance/report.hpp"

namespace tfqkd::conformance {

struct VectorSuite {
    std::filesystem::path wire_dir;       // *.json: one file per message type, frame.json
    std::filesystem::path primitive_dir;  // verification_hash.json, toeplitz.json, key_length.json
};

// The vector directories for a command run from the build tree or installed: TFQKD_WIRE_VECTORS_DIR
// and TFQKD_PRIMITIVE_VECTORS_DIR when set, else the source tree's when it exists, else
// <prefix>/share/tfqkd/{wire-vectors,conformance-vectors} next to the running executable's prefix.
VectorSuite default_vector_suite();

struct RunOptions {
    std::vector<DisabledTest> disabled;
    // Called after each test, for progress output; may be empty.
    std::function<void(const TestResult&)> on_result;
};

// Runs every vector test against `library`. Errors (Errc::io / parse, detail naming the file and
// the test) only for vector files that are missing or malformed: the library's behaviour is graded,
// never an error.
Result<std::vector<TestResult>> run_vector_suite(const VendorLibrary& library, const VectorSuite& suite,
                                                 const RunOptions& options);

}  // namespace tfqkd::conformance
