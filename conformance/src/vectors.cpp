#include "conformance/vectors.hpp"


#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "protocol/wire/types.hpp"

namespace tfqkd::conformance {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A malformed vector file: raised inside the runner, turned into the Error the caller gets.
struct VectorFileError {
    std::string what;
};

[[noreturn]] void bad_file(const std::string& what) { throw VectorFileError{what}; }

json read_json(const fs::path& path) {
    std::ifstream in(path);
    if (!in) bad_file(path.string() + ": cannot be read");
    json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) bad_file(path.string() + ": not well-formed JSON");
    return j;
}

// A required member of a vector, with the file and the test in the error.
const json& member(const json& object, const char* key, const std::string& where) {
    if (!object.is_object() || !object.contains(key)) bad_file(where + ": missing \"" + key + "\"");
    return object.at(key);
}

std::string string_of(const json& object, const char* key, const std::string& where) {
    const json& v = member(object, key, where);
    if (!v.is_string()) bad_file(where + ": \"" + key + "\" is not a string");
    return v.get<std::string>();
}

std::uint64_t number_of(const json& object, const char* key, const std::string& where) {
    const json& v = member(object, key, where);
    if (!v.is_number_unsigned()) bad_file(where + ": \"" + key + "\" is not a non-negative integer");
    return v.get<std::uint64_t>();
}

Bytes hex_of(const json& object, const char* key, const std::string& where) {
    Result<Bytes> bytes = from_hex(string_of(object, key, where), key);
    if (!bytes) bad_file(where + ": \"" + key + "\": " + bytes.error().to_string());
    return std::move(bytes).value();
}

// Hex for a report line: long strings cut in the middle, so that a detail stays one readable line.
std::string short_hex(ByteSpan bytes) {
    if (bytes.empty()) return "(no bytes)";
    std::string h = to_hex(bytes);
    if (h.size() <= 80) return h;
    return h.substr(0, 40) + "..." + h.substr(h.size() - 32) + " (" + std::to_string(bytes.size()) + " bytes)";
}

std::vector<std::string> flags_of(const json& test) {
    std::vector<std::string> flags;
    if (test.contains("flags") && test["flags"].is_array())
        for (const auto& f : test["flags"])
            if (f.is_string()) flags.push_back(f.get<std::string>());
    return flags;
}

// The requirement ids (WF-ENC-5, ...) a vector's flags stand for, read from the file's notes, which
// document every flag; `always` is added first.
std::string requirement_of(const std::string& spec, const json& notes, const std::vector<std::string>& flags,
                           const std::string& always) {
    static const std::regex id_pattern("WF-[A-Z]+-[0-9]+");
    std::vector<std::string> ids;
    if (!always.empty()) ids.push_back(always);
    for (const auto& flag : flags) {
        if (!notes.is_object() || !notes.contains(flag) || !notes[flag].is_string()) continue;
        const std::string note = notes[flag].get<std::string>();
        for (auto it = std::sregex_iterator(note.begin(), note.end(), id_pattern); it != std::sregex_iterator(); ++it)
            if (std::find(ids.begin(), ids.end(), it->str()) == ids.end()) ids.push_back(it->str());
    }
    std::string out = spec;
    for (std::size_t i = 0; i < ids.size(); ++i) out += (i == 0 ? "; " : ", ") + ids[i];
    return out;
}

// The grade of an outcome that is not a return: a crash, a hang, an exit, or the harness failing.
bool graded_as_abnormal(const CallOutcome& o, TestResult& r) {
    if (o.kind == CallOutcome::Kind::returned) {
        if (o.status == TFQKD_NOT_IMPLEMENTED) {
            r.grade = Grade::not_implemented;
            r.detail = "the library returned TFQKD_NOT_IMPLEMENTED (or lacks the capability)";
            return true;
        }
        return false;
    }
    r.grade = Grade::fail;
    r.detail = "the library " + o.describe();
    return true;
}

std::string reject_text(const CallOutcome& o) {
    const auto code = static_cast<Errc>(o.reject.code);
    const std::string_view name = errc_name(code);
    return std::string(o.reject.message) + "." + o.reject.field + ": " +
           (name.empty() ? "code " + std::to_string(o.reject.code) : std::string(name));
}

class Runner {
public:
    Runner(const VendorLibrary& library, const RunOptions& options) : library_(library), options_(options) {}

    // Runs one test unless disabled; `body` fills the grade and detail.
    template <class Body>
    void test(std::string id, std::string requirement, std::string title, std::vector<std::string> flags, Body body) {
        if (!ids_.insert(id).second) bad_file("test id " + id + " occurs twice");
        if (const DisabledTest* d = find_disabled(options_.disabled, id)) {
            TestResult r = disabled_result(std::move(id), std::move(requirement), std::move(title), *d);
            r.flags = std::move(flags);
            finish(std::move(r));
            return;
        }
        TestResult r;
        r.group = id.substr(0, id.rfind('.'));
        r.id = std::move(id);
        r.requirement = std::move(requirement);
        r.title = std::move(title);
        r.flags = std::move(flags);
        const auto start = Clock::now();
        body(r);
        r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        finish(std::move(r));
    }

    const VendorLibrary& library() const { return library_; }
    std::vector<TestResult> take() { return std::move(results_); }

private:
    void finish(TestResult r) {
        if (options_.on_result) options_.on_result(r);
        results_.push_back(std::move(r));
    }
    const VendorLibrary& library_;
    const RunOptions& options_;
    std::set<std::string> ids_;
    std::vector<TestResult> results_;
};

// --- Codec vectors ------------------------------------------------------------------------------

std::optional<wire::MessageType> type_named(std::string_view name) {
    for (unsigned v = 0; v < 256; ++v) {
        const auto type = wire::message_type_from_u8(static_cast<std::uint8_t>(v));
        if (type && wire::message_type_name(*type) == name) return type;
    }
    return std::nullopt;
}

void grade_codec(const CallOutcome& o, const json& test, const std::string& result, const Bytes& input,
                 const std::string& where, TestResult& r) {
    if (graded_as_abnormal(o, r)) return;
    const bool accepted = o.status == TFQKD_OK;
    if (!accepted && o.status != TFQKD_REJECTED) {
        r.grade = Grade::fail;
        r.detail = "the library " + o.describe() + "; expected TFQKD_OK or TFQKD_REJECTED";
        return;
    }
    if (result == "valid") {
        if (!accepted) {
            r.grade = Grade::fail;
            r.detail = "rejected a valid input (" + reject_text(o) + ")";
        } else if (o.output != input) {
            r.grade = Grade::fail;
            r.detail = "re-encoded to " + short_hex(o.output) + ", not to the input " + short_hex(input) +
                       " (canonical encoding, WF-ENC-6)";
        } else {
            r.grade = Grade::pass;
            r.detail = "accepted and re-encoded to the same bytes";
        }
        return;
    }
    if (result == "acceptable") {
        r.grade = Grade::pass;
        r.detail = accepted ? "accepted (acceptable either way)" : "rejected (" + reject_text(o) + "; acceptable either way)";
        return;
    }
    if (result != "invalid") bad_file(where + ": \"result\" is \"" + result + "\", not valid, invalid or acceptable");
    const json& expected = member(test, "error", where);
    const std::string code = string_of(expected, "code", where + ".error");
    const std::string field = string_of(expected, "field", where + ".error");
    const std::string message = expected.contains("message") ? string_of(expected, "message", where + ".error") : "";
    // An empty field is the end-of-input rule (WF-ENC-5): say so rather than print nothing.
    const std::string expected_text =
        (message.empty() ? "" : message + ".") + (field.empty() ? "(end of input)" : field) + ": " + code;
    if (accepted) {
        r.grade = Grade::fail;
        r.detail = "accepted an invalid input (expected a rejection like " + expected_text + "), re-encoded to " +
                   short_hex(o.output);
        return;
    }
    const bool same = errc_name(static_cast<Errc>(o.reject.code)) == code && field == o.reject.field &&
                      (message.empty() || message == o.reject.message);
    r.grade = same ? Grade::pass : Grade::informational;
    r.detail = same ? "rejected: " + reject_text(o)
                    : "rejected with " + reject_text(o) + "; the reference reports " + expected_text +
                          " (WF-ENC-8 allows another error)";
}

void run_codec_file(Runner& runner, const fs::path& path) {
    const json file = read_json(path);
    const std::string name = path.stem().string();
    const bool is_frame = name == "frame";
    std::optional<wire::MessageType> type;
    if (!is_frame) {
        type = type_named(string_of(file, "message", path.string()));
        if (!type) bad_file(path.string() + ": \"message\" names no message type of docs/wire-format.md section 5");
    }
    const std::string spec = file.contains("spec") && file["spec"].is_string() ? file["spec"].get<std::string>()
                                                                                : "docs/wire-format.md";
    const json notes = file.contains("notes") ? file["notes"] : json::object();
    const json& groups = member(file, "testGroups", path.string());
    if (!groups.is_array()) bad_file(path.string() + ": \"testGroups\" is not an array");
    for (const auto& group : groups) {
        const json& tests = member(group, "tests", path.string() + " testGroups[]");
        if (!tests.is_array()) bad_file(path.string() + ": \"tests\" is not an array");
        for (const auto& test : tests) {
            const std::string where = path.string() + " tcId " + (test.contains("tcId") ? test["tcId"].dump() : "?");
            const std::uint64_t tc = number_of(test, "tcId", where);
            const std::string result = string_of(test, "result", where);
            const Bytes input = hex_of(test, "input", where);
            const auto flags = flags_of(test);
            const std::string comment = test.contains("comment") && test["comment"].is_string() ? test["comment"].get<std::string>() : "";
            runner.test("wire." + name + "." + std::to_string(tc),
                        requirement_of(spec, notes, flags, result == "valid" ? "WF-ENC-6" : "WF-ENC-8"),
                        (is_frame ? "frame: " : name + ": ") + comment, flags, [&](TestResult& r) {
                            const CallOutcome o = is_frame ? runner.library().decode_frame(input)
                                                           : runner.library().decode_message(
                                                                 static_cast<std::uint8_t>(*type), input);
                            grade_codec(o, test, result, input, where, r);
                        });
        }
    }
}

// --- Primitive vectors --------------------------------------------------------------------------


template <class Each>
void for_each_test(const fs::path& path, const char* expected_primitive, Each each) {
    const json file = read_json(path);
    if (string_of(file, "primitive", path.string()) != expected_primitive)
        bad_file(path.string() + ": \"primitive\" is not \"" + expected_primitive + "\"");
    const std::string spec = string_of(file, "spec", path.string());
    const json& groups = member(file, "testGroups", path.string());
    if (!groups.is_array()) bad_file(path.string() + ": \"testGroups\" is not an array");
    for (const auto& group : groups)
        for (const auto& test : member(group, "tests", path.string())) {
            const std::string where = path.string() + " tcId " + (test.contains("tcId") ? test["tcId"].dump() : "?");
            each(test, where, number_of(test, "tcId", where), spec);
        }
}

std::string comment_of(const json& test) {
    return test.contains("comment") && test["comment"].is_string() ? test["comment"].get<std::string>() : "";
}

void run_hash_file(Runner& runner, const fs::path& path) {
    for_each_test(path, "verification_hash", [&](const json& test, const std::string& where, std::uint64_t tc,
                                                 const std::string& spec) {
        const Bytes key = hex_of(test, "key", where);
        const Bytes data = hex_of(test, "data", where);
        const std::uint64_t bits = number_of(test, "bitLength", where);
        const Bytes expected = hex_of(test, "hash", where);
        if (key.size() != 16 || expected.size() != 16 || data.size() != (bits + 7) / 8)
            bad_file(where + ": key and hash must be 16 bytes and data ceil(bitLength / 8) bytes");
        runner.test("primitive.verification_hash." + std::to_string(tc), spec, "verification hash: " + comment_of(test),
                    flags_of(test), [&](TestResult& r) {
                        const CallOutcome o = runner.library().verification_hash(key, data, bits);
                        if (graded_as_abnormal(o, r)) return;
                        if (o.status != TFQKD_OK) {
                            r.grade = Grade::fail;
                            r.detail = "the library " + o.describe() + " for a valid input";
                        } else if (o.output != expected) {
                            r.grade = Grade::fail;
                            r.detail = "hash " + to_hex(o.output) + ", expected " + to_hex(expected);
                        } else {
                            r.detail = "hash " + to_hex(expected);
                        }
                    });
    });
}

void run_toeplitz_file(Runner& runner, const fs::path& path) {
    for_each_test(path, "toeplitz", [&](const json& test, const std::string& where, std::uint64_t tc,
                                        const std::string& spec) {
        const std::uint64_t n = number_of(test, "inputBits", where);
        const std::uint64_t l = number_of(test, "outputBits", where);
        const Bytes seed = hex_of(test, "seed", where);
        const Bytes input = hex_of(test, "input", where);
        const std::string result = string_of(test, "result", where);
        const Bytes expected = result == "valid" ? hex_of(test, "output", where) : Bytes{};
        if (input.size() != (n + 7) / 8 || (n + l > 0 && seed.size() != (n + l - 1 + 7) / 8) ||
            (result == "valid" && expected.size() != (l + 7) / 8))
            bad_file(where + ": input, seed or output does not have the size inputBits and outputBits give");
        runner.test("primitive.toeplitz." + std::to_string(tc), spec, "Toeplitz hash: " + comment_of(test),
                    flags_of(test), [&](TestResult& r) {
                        const CallOutcome o = runner.library().toeplitz(seed, input, n, l);
                        if (graded_as_abnormal(o, r)) return;
                        if (result != "valid") {
                            r.grade = o.status == TFQKD_REJECTED ? Grade::pass : Grade::fail;
                            r.detail = "n = " + std::to_string(n) + ", l = " + std::to_string(l) +
                                       ": expected TFQKD_REJECTED; the library " + o.describe();
                        } else if (o.status != TFQKD_OK) {
                            r.grade = Grade::fail;
                            r.detail = "the library " + o.describe() + " for a valid input";
                        } else if (o.output != expected) {
                            r.grade = Grade::fail;
                            r.detail = "output " + short_hex(o.output) + ", expected " + short_hex(expected);
                        } else {
                            r.detail = std::to_string(n) + " -> " + std::to_string(l) + " bits as expected";
                        }
                    });
    });
}

// The section of docs/security.md that derives the key length of the statistics' protocol family.
std::string family_section(const json& statistics) {
    static const std::map<std::string, std::string> sections{
        {"sns", "; docs/security.md section 4 (SNS-TF-QKD)"},
        {"pm", "; docs/security.md section 7 (PM-QKD)"},
        {"cal19", "; docs/security.md section 8 (CAL19)"},
        {"mode_pairing", "; docs/security.md section 9 (MP-QKD)"},
    };
    const json* family = nullptr;
    if (statistics.is_object() && statistics.contains("protocol") && statistics["protocol"].is_object() &&
        statistics["protocol"].contains("family"))
        family = &statistics["protocol"]["family"];
    if (family == nullptr || !family->is_string()) return "";
    const auto it = sections.find(family->get<std::string>());
    return it == sections.end() ? "" : it->second;
}

void run_key_length_file(Runner& runner, const fs::path& path) {
    for_each_test(path, "key_length", [&](const json& test, const std::string& where, std::uint64_t tc,
                                          const std::string& spec) {
        const json& stats = member(test, "statistics", where);
        const std::string statistics = stats.dump();
        const std::string result = string_of(test, "result", where);
        const std::uint64_t bound = result == "valid" ? number_of(test, "certifiedBits", where) : 0;
        runner.test("primitive.key_length." + std::to_string(tc), spec + family_section(stats), "key length: " + comment_of(test),
                    flags_of(test), [&](TestResult& r) {
                        const CallOutcome o = runner.library().key_length(statistics);
                        if (graded_as_abnormal(o, r)) return;
                        const bool claims = o.status == TFQKD_OK;
                        if (!claims && o.status != TFQKD_REJECTED) {
                            r.grade = Grade::fail;
                            r.detail = "the library " + o.describe();
                        } else if (result != "valid") {
                            // Statistics we cannot certify: rejecting them or claiming nothing is
                            // right; any key is a claim without a bound.
                            r.grade = (!claims || o.number == 0) ? Grade::pass : Grade::fail;
                            r.detail = claims ? "claims " + std::to_string(o.number) + " bits from statistics tfqkd rejects"
                                              : "rejected: " + o.text;
                        } else if (!claims) {
                            r.grade = Grade::informational;
                            r.detail = "claims no key (rejected: " + o.text + "); tfqkd certifies " +
                                       std::to_string(bound) + " bits";
                        } else if (o.number > bound) {
                            r.grade = Grade::fail;
                            r.detail = "claims " + std::to_string(o.number) + " bits, above the certified bound of " +
                                       std::to_string(bound) + " bits";
                        } else {
                            r.grade = o.number == bound ? Grade::pass : Grade::informational;
                            r.detail = "claims " + std::to_string(o.number) + " bits; tfqkd certifies " +
                                       std::to_string(bound);
                        }
                    });
    });
}

// What a vector-file error adds about what is accepted.
constexpr const char* kVectorFormats =
    " (the formats: docs/schemas/wire-vectors.schema.json, docs/schemas/primitive-vectors.schema.json)";

fs::path first_dir(const char* env, const char* source, const char* installed) {
    if (const char* e = std::getenv(env); e != nullptr && *e != '\0') return e;
    std::error_code ec;
    if (fs::is_directory(source, ec)) return source;
    // <prefix>/bin/tfqkd -> <prefix>/share/tfqkd/<installed>
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return exe.parent_path().parent_path() / "share" / "tfqkd" / installed;
}

}  // namespace

VectorSuite default_vector_suite() {
#if defined(TFQKD_SOURCE_WIRE_VECTORS_DIR) && defined(TFQKD_SOURCE_PRIMITIVE_VECTORS_DIR)
    const char* wire_source = TFQKD_SOURCE_WIRE_VECTORS_DIR;
    const char* primitive_source = TFQKD_SOURCE_PRIMITIVE_VECTORS_DIR;
#else
    const char* wire_source = "";
    const char* primitive_source = "";
#endif
    return {first_dir("TFQKD_WIRE_VECTORS_DIR", wire_source, "wire-vectors"),
            first_dir("TFQKD_PRIMITIVE_VECTORS_DIR", primitive_source, "conformance-vectors")};
}

Result<std::vector<TestResult>> run_vector_suite(const VendorLibrary& library, const VectorSuite& suite,
                                                 const RunOptions& options) {
    Runner runner(library, options);
    try {
        std::vector<fs::path> wire_files;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(suite.wire_dir, ec))
            if (entry.path().extension() == ".json") wire_files.push_back(entry.path());
        if (ec || wire_files.empty())
            bad_file(suite.wire_dir.string() + ": no wire vector files (*.json) there" +
                     (ec ? " (" + ec.message() + ")" : "") + "; set TFQKD_WIRE_VECTORS_DIR");
        std::sort(wire_files.begin(), wire_files.end());
        for (const auto& f : wire_files) run_codec_file(runner, f);
        run_hash_file(runner, suite.primitive_dir / "verification_hash.json");
        run_toeplitz_file(runner, suite.primitive_dir / "toeplitz.json");
        run_key_length_file(runner, suite.primitive_dir / "key_length.json");
    } catch (const VectorFileError& e) {
        return make_error(Errc::parse, "vectors", "file", e.what + kVectorFormats);
    } catch (const nlohmann::json::exception& e) {
        return make_error(Errc::parse, "vectors", "file", std::string("malformed vector file: ") + e.what() + kVectorFormats);
    }
    return runner.take();
}

}  // namespace tfqkd::conformance
