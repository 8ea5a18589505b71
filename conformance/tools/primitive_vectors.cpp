// Writes the primitive vector files of the conformance suite (conformance/vectors/):
//   verification_hash.json, toeplitz.json, key_length.json   (docs/schemas/primitive-vectors.schema.json)
//
//   tfqkd_primitive_vectors OUT_DIR STATISTICS.json...
//
// Inputs are drawn from a CounterRng with fixed seeds, so a run reproduces the files byte for byte.
// Expected values come from the reference implementation (src/reference.hpp, the code the reference
// library exports), and each is first checked against a second computation from the definition: the
// hash bit by bit (bitwise_poly_hash.hpp), the Toeplitz product as the naive matrix product. The
// key-length bounds are the certified lengths of security/ for the given statistics files (the
// files of cli/tests/data), and variants of them written here; the harness cites the family's
// section of docs/security.md beside the file's spec. The tool refuses to write anything when a
// cross-check fails. Regenerate after a deliberate change of a primitive, and say why in the commit:
//   ninja -C build conformance/tfqkd_primitive_vectors
//   build/conformance/tfqkd_primitive_vectors conformance/vectors cli/tests/data/{sns,pm,cal19,mp}_observed.json
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/bytes.hpp"
#include "base/rng.hpp"
#include "bitwise_poly_hash.hpp"
#include "reference.hpp"

namespace {

using nlohmann::ordered_json;
using tfqkd::Bytes;
using tfqkd::CounterRng;

Bytes random_bytes(CounterRng& rng, std::size_t n, std::uint64_t bits) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng.next());
    if (bits % 8 != 0 && n > 0) b.back() &= static_cast<std::uint8_t>(0xFFU << (8 - bits % 8));  // zero padding
    return b;
}

bool bit(const Bytes& b, std::uint64_t i) { return ((b[i / 8] >> (7 - i % 8)) & 1U) != 0; }

[[noreturn]] void die(const std::string& what) {
    std::cerr << "tfqkd_primitive_vectors: " << what << "; nothing written\n";
    std::exit(1);
}

ordered_json provenance(const std::string& how) {
    ordered_json p;
    p["program"] = "conformance/tools/primitive_vectors.cpp";
    p["expected_values"] = how;
    p["inputs"] = "CounterRng (base/rng.hpp) with the seeds in each test's comment; deterministic";
    return p;
}

ordered_json file_header(const char* primitive, const char* spec, const std::string& how, const ordered_json& notes) {
    ordered_json f;
    f["algorithm"] = std::string("tfqkd-") + primitive;
    f["primitive"] = primitive;
    f["spec"] = spec;
    f["generator"] = provenance(how);
    f["notes"] = notes;
    return f;
}

void finish(ordered_json& file, const char* group_type, ordered_json tests, const std::string& path) {
    file["numberOfTests"] = tests.size();
    file["testGroups"] = ordered_json::array({ordered_json{{"type", group_type}, {"tests", std::move(tests)}}});
    // numberOfTests before testGroups, as in the wire vectors.
    std::ofstream out(path);
    out << file.dump(1) << "\n";
    if (!out) die("cannot write " + path);
}

ordered_json hash_vectors() {
    ordered_json tests = ordered_json::array();
    const std::uint64_t lengths[] = {0, 1, 7, 8, 9, 127, 128, 129, 255, 256, 257, 1000, 4099, 65536, 100003};
    std::uint64_t tc = 0;
    for (std::uint64_t bits : lengths) {
        CounterRng rng(0x7F00 + bits);
        const Bytes key = random_bytes(rng, 16, 128);
        const Bytes data = random_bytes(rng, static_cast<std::size_t>((bits + 7) / 8), bits);
        std::uint8_t out[16];
        if (tfqkd::conformance::ref::verification_hash(key.data(), data.data(), bits, out) != TFQKD_OK)
            die("the reference hash failed");
        const auto check = tfqkd::conformance::bitwise::hash(key.data(), data.data(), bits,
                                                              tfqkd::conformance::bitwise::kGcmLowTerms);
        if (!std::equal(check.begin(), check.end(), out)) die("the reference hash disagrees with the bitwise one at " + std::to_string(bits) + " bits");
        ordered_json t;
        t["tcId"] = ++tc;
        t["comment"] = std::to_string(bits) + "-bit message, seed " + std::to_string(0x7F00 + bits);
        t["key"] = tfqkd::to_hex(key);
        t["data"] = tfqkd::to_hex(data);
        t["bitLength"] = bits;
        t["hash"] = tfqkd::to_hex(tfqkd::ByteSpan(out, 16));
        t["result"] = "valid";
        ordered_json flags = ordered_json::array();
        if (bits % 128 == 0) flags.push_back("WholeBlocks");
        if (bits % 8 != 0) flags.push_back("PartialByte");
        if (bits == 0) flags.push_back("Empty");
        t["flags"] = flags;
        tests.push_back(std::move(t));
    }
    return tests;
}

ordered_json toeplitz_vectors() {
    ordered_json tests = ordered_json::array();
    struct Shape {
        std::uint64_t n, l;
    };
    const Shape valid[] = {{1, 1}, {8, 1}, {8, 8}, {13, 5}, {64, 32}, {127, 64}, {1000, 1}, {1000, 999},
                           {4099, 1234}, {20000, 3000}};
    std::uint64_t tc = 0;
    for (const Shape& s : valid) {
        CounterRng rng(0x70E0 + s.n * 7 + s.l);
        const std::uint64_t seed_bits = s.n + s.l - 1;
        const Bytes seed = random_bytes(rng, static_cast<std::size_t>((seed_bits + 7) / 8), seed_bits);
        const Bytes input = random_bytes(rng, static_cast<std::size_t>((s.n + 7) / 8), s.n);
        Bytes out(static_cast<std::size_t>((s.l + 7) / 8));
        if (tfqkd::conformance::ref::toeplitz(seed.data(), input.data(), s.n, s.l, out.data(), out.size()) != TFQKD_OK)
            die("the reference Toeplitz hash failed");
        // y[i] = sum_j T[i][j] x[j], T[i][j] = s[i - j + n - 1]: the definition, O(n l).
        for (std::uint64_t i = 0; i < s.l; ++i) {
            bool y = false;
            for (std::uint64_t j = 0; j < s.n; ++j) y ^= bit(seed, i - j + s.n - 1) && bit(input, j);
            if (y != bit(out, i)) die("the reference Toeplitz hash disagrees with the matrix product");
        }
        ordered_json t;
        t["tcId"] = ++tc;
        t["comment"] = std::to_string(s.n) + " -> " + std::to_string(s.l) + " bits, seed " + std::to_string(0x70E0 + s.n * 7 + s.l);
        t["inputBits"] = s.n;
        t["outputBits"] = s.l;
        t["seed"] = tfqkd::to_hex(seed);
        t["input"] = tfqkd::to_hex(input);
        t["output"] = tfqkd::to_hex(out);
        t["result"] = "valid";
        ordered_json flags = ordered_json::array();
        if (s.l == s.n) flags.push_back("Square");
        if (s.n % 8 != 0 || s.l % 8 != 0) flags.push_back("PartialByte");
        t["flags"] = flags;
        tests.push_back(std::move(t));
    }
    // Shapes that are no privacy amplification: the library must refuse them.
    const Shape invalid[] = {{8, 0}, {8, 9}};
    for (const Shape& s : invalid) {
        const std::uint64_t seed_bits = s.n + s.l - 1;
        ordered_json t;
        t["tcId"] = ++tc;
        t["comment"] = s.l == 0 ? "output of 0 bits" : "output longer than the input";
        t["inputBits"] = s.n;
        t["outputBits"] = s.l;
        t["seed"] = tfqkd::to_hex(Bytes(static_cast<std::size_t>((seed_bits + 7) / 8), 0x5A));
        t["input"] = tfqkd::to_hex(Bytes(static_cast<std::size_t>((s.n + 7) / 8), 0xA5));
        t["result"] = "invalid";
        t["flags"] = ordered_json::array({"BadShape"});
        tests.push_back(std::move(t));
    }
    return tests;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) die("cannot read " + path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

ordered_json key_length_test(std::uint64_t tc, const std::string& comment, const ordered_json& statistics,
                             const std::vector<std::string>& flags) {
    const std::string text = statistics.dump();
    std::uint64_t bits = 0;
    char error[512] = {};
    const tfqkd_status status = tfqkd::conformance::ref::key_length(text.data(), text.size(), &bits, error, sizeof error);
    if (status != TFQKD_OK && status != TFQKD_REJECTED) die("the reference key length failed: " + std::string(error));
    ordered_json t;
    t["tcId"] = tc;
    t["comment"] = comment + (status == TFQKD_OK ? "" : std::string(" (tfqkd rejects it: ") + error + ")");
    t["statistics"] = statistics;
    t["result"] = status == TFQKD_OK ? "valid" : "invalid";
    if (status == TFQKD_OK) t["certifiedBits"] = bits;
    t["flags"] = flags;
    return t;
}

ordered_json key_length_vectors(const std::vector<std::string>& files) {
    ordered_json tests = ordered_json::array();
    std::uint64_t tc = 0;
    for (const auto& path : files) {
        ordered_json stats = ordered_json::parse(read_text(path));
        // Provenance and plotting fields never enter a certification: keep the vector to what does.
        for (const char* k : {"reference_link", "clock_hz", "simulation"}) stats.erase(k);
        const std::string name = path.substr(path.rfind('/') + 1);
        const std::string family = stats["protocol"]["family"].get<std::string>();
        tests.push_back(key_length_test(++tc, "cli/tests/data/" + name, stats, {"Observed", "Family_" + family}));
        // The same block with a hundredth of its error-correction budget: a longer key, the bound
        // moving with the input (a vendor that ignores the leakage cannot pass both).
        if (stats["counts"].contains("key") && stats["counts"]["key"].contains("ec_leakage_bits")) {
            ordered_json less = stats;
            less["counts"]["key"]["ec_leakage_bits"] = stats["counts"]["key"]["ec_leakage_bits"].get<std::uint64_t>() / 100;
            tests.push_back(key_length_test(++tc, name + " with ec_leakage_bits / 100", less, {"Variant", "Family_" + family}));
        }
        // Tighter security parameters cost key.
        if (stats.contains("security")) {
            ordered_json tight = stats;
            tight["security"]["eps_pa"] = 1e-12;
            tight["security"]["eps_smooth"] = 1e-12;
            tests.push_back(key_length_test(++tc, name + " with eps_pa = eps_smooth = 1e-12", tight, {"Variant", "Family_" + family}));
        }
        if (family == "sns") {
            // More errors in the key than key bits: no experiment produces this.
            ordered_json impossible = stats;
            impossible["counts"]["key"]["errors"] = stats["counts"]["key"]["effective"].get<std::uint64_t>() + 1;
            tests.push_back(key_length_test(++tc, name + " with more key errors than key bits", impossible, {"Invalid"}));
            // Statistics without counts: nothing to certify.
            ordered_json no_counts = stats;
            no_counts.erase("counts");
            tests.push_back(key_length_test(++tc, name + " without counts", no_counts, {"Invalid"}));
        }
    }
    return tests;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: tfqkd_primitive_vectors OUT_DIR STATISTICS.json...\n";
        return 2;
    }
    const std::string dir = argv[1];
    std::vector<std::string> stats_files(argv + 2, argv + argc);
    // Compute everything before writing anything: a failed cross-check leaves the old files.
    ordered_json hash_tests = hash_vectors();
    ordered_json toeplitz_tests = toeplitz_vectors();
    ordered_json key_tests = key_length_vectors(stats_files);

    ordered_json hash = file_header(
        "verification_hash", "docs/postprocessing.md, Verification (GF(2^128) polynomial hash)",
        "the reference implementation (protocol/postprocessing/poly_hash.cpp), each checked against a bitwise "
        "evaluation of the definition (conformance/tools/bitwise_poly_hash.hpp)",
        {{"WholeBlocks", "The message is a whole number of 128-bit blocks."},
         {"PartialByte", "The bit length is not a multiple of 8: the last byte has zero padding bits."},
         {"Empty", "A message of 0 bits: the hash is L k with L = 0."}});
    finish(hash, "VerificationHash", std::move(hash_tests), dir + "/verification_hash.json");

    ordered_json toeplitz = file_header(
        "toeplitz", "docs/postprocessing.md, Privacy amplification (Toeplitz hashing)",
        "the reference implementation (protocol/postprocessing/toeplitz.cpp), each checked against the naive "
        "matrix product y[i] = sum_j s[i - j + n - 1] x[j]",
        {{"Square", "l = n: the largest output."},
         {"PartialByte", "n or l is not a multiple of 8."},
         {"BadShape", "l = 0 or l > n: no privacy amplification; the library must return TFQKD_REJECTED."}});
    finish(toeplitz, "Toeplitz", std::move(toeplitz_tests), dir + "/toeplitz.json");

    ordered_json keys = file_header(
        "key_length", "docs/keyrate.md section 2 (the statistics form)",
        "the certified key length of security/ (security::certified_key_length, the bound `tfqkd keyrate` prints) "
        "for the statistics of cli/tests/data and variants of them",
        {{"Observed", "Statistics as tfqkd simulate writes them (cli/tests/data)."},
         {"Variant", "An observed block with one input changed; the bound must move with it."},
         {"Invalid", "Statistics tfqkd rejects: the library must reject them or claim no key."},
         {"Family_sns", "SNS-TF-QKD (docs/security.md 4)."},
         {"Family_pm", "PM-QKD (docs/security.md 7)."},
         {"Family_cal19", "CAL19 (docs/security.md 8)."},
         {"Family_mode_pairing", "Mode-pairing QKD (docs/security.md 9)."}});
    finish(keys, "KeyLength", std::move(key_tests), dir + "/key_length.json");
    std::printf("wrote %s/{verification_hash,toeplitz,key_length}.json\n", dir.c_str());
    return 0;
}
