// Runs the Wycheproof-style vector files of docs/wire-format.md section 7 against the reference
// codecs. The vectors come from scripts/wire_vectors.py, an encoder written from the spec
// independently of the C++ code, so agreement here is a cross-check of two implementations.
//
// For every `valid` case: the input decodes, its JSON form equals `decoded`, and it re-encodes to the
// same bytes. For every `invalid` case: the input is rejected with the recorded code and field.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "protocol/wire/frame.hpp"
#include "protocol/wire/json.hpp"

namespace tfqkd::wire {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path vectors_dir() {
    const char* dir = std::getenv("TFQKD_VECTORS_DIR");
    return dir != nullptr ? fs::path(dir) : fs::path("protocol/tests/vectors");
}

std::vector<std::string> vector_files() {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(vectors_dir(), ec))
        if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::optional<MessageType> type_named(std::string_view name) {
    for (int v = 0; v < 256; ++v) {
        const auto type = message_type_from_u8(static_cast<std::uint8_t>(v));
        if (type && message_type_name(*type) == name) return type;
    }
    return std::nullopt;
}

struct Outcome {
    bool ok = false;
    json decoded;
    Bytes reencoded;
    Error error;
};

Outcome run_payload(MessageType type, const Bytes& input) {
    Outcome out;
    Result<Message> m = decode_message(type, input);
    if (!m) {
        out.error = m.error();
        return out;
    }
    out.ok = true;
    out.decoded = to_json(*m);
    Result<Bytes> again = encode_message(*m);
    if (again) out.reencoded = *again;
    return out;
}

Outcome run_frame(const Bytes& input) {
    Outcome out;
    Result<DecodedFrame> f = decode_frame_message(input);
    if (!f) {
        out.error = f.error();
        return out;
    }
    out.ok = true;
    out.decoded = to_json(f->frame);
    Result<Bytes> again = encode_frame(to_frame(f->frame));
    if (again) out.reencoded = *again;
    return out;
}

class WireVectors : public ::testing::TestWithParam<std::string> {};

TEST_P(WireVectors, ReferenceCodecsAgree) {
    const fs::path path = vectors_dir() / (GetParam() + ".json");
    std::ifstream in(path);
    ASSERT_TRUE(in) << "cannot open " << path;
    const json file = json::parse(in);
    const bool is_frame = GetParam() == "frame";
    std::optional<MessageType> type;
    if (!is_frame) {
        type = type_named(file.at("message").get<std::string>());
        ASSERT_TRUE(type.has_value()) << "unknown message " << file.at("message");
    }
    std::size_t valid = 0;
    std::size_t invalid = 0;
    std::size_t total = 0;
    for (const auto& group : file.at("testGroups")) {
        for (const auto& test : group.at("tests")) {
            ++total;
            const auto id = test.at("tcId").get<int>();
            SCOPED_TRACE(GetParam() + " tcId " + std::to_string(id) + ": " + test.at("comment").get<std::string>());
            auto input = from_hex(test.at("input").get<std::string>());
            ASSERT_TRUE(input.ok());
            const Outcome out = is_frame ? run_frame(*input) : run_payload(*type, *input);
            const std::string result = test.at("result").get<std::string>();
            if (result == "valid") {
                ++valid;
                ASSERT_TRUE(out.ok) << out.error.to_string();
                EXPECT_EQ(out.decoded, test.at("decoded"));
                EXPECT_EQ(to_hex(out.reencoded), to_hex(*input)) << "re-encoding differs (WF-ENC-6)";
            } else {
                ++invalid;
                ASSERT_EQ(result, "invalid");
                ASSERT_FALSE(out.ok) << "accepted: " << out.decoded.dump();
                const json& expected = test.at("error");
                EXPECT_EQ(errc_name(out.error.code), expected.at("code").get<std::string>()) << out.error.to_string();
                EXPECT_EQ(out.error.field, expected.at("field").get<std::string>()) << out.error.to_string();
                if (expected.contains("message")) {
                    EXPECT_EQ(out.error.message, expected.at("message").get<std::string>()) << out.error.to_string();
                }
            }
        }
    }
    EXPECT_EQ(total, file.at("numberOfTests").get<std::size_t>());
    EXPECT_GE(valid, 4U) << "each message has at least four valid vectors";
    EXPECT_GE(invalid, valid) << "at least as many invalid vectors as valid ones (issue 2)";
}

INSTANTIATE_TEST_SUITE_P(Files, WireVectors, ::testing::ValuesIn(vector_files()),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

TEST(WireVectorFiles, OneFilePerMessageTypeAndOneForFrames) {
    const auto files = vector_files();
    EXPECT_EQ(files.size(), std::variant_size_v<Message> + 1);
    for (const auto& name : files) {
        if (name != "frame") {
            EXPECT_TRUE(type_named(name).has_value()) << name;
        }
    }
}

}  // namespace
}  // namespace tfqkd::wire
