// The shim contract's files (conformance/shim.hpp): what the harness writes, the reference shim
// reads back equal; what a vendor's shim writes wrong is refused with the file, the field and what
// is accepted.
#include "conformance/shim.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace tfqkd::conformance::shim {
namespace {

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("tfqkd_shim_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

Config sample_config(wire::Role role) {
    Config c;
    c.role = role;
    c.session_id = 77;
    c.params.alice_settings = {{wire::SessionParams::Window::z, 0.5, 0.5}, {wire::SessionParams::Window::x, 0.1, 0.5}};
    c.params.bob_settings = c.params.alice_settings;
    c.params.pulse_count = 1000;
    c.timeout_ms = 1500;
    if (role == wire::Role::charlie) {
        c.detections_file = "/tmp/d";
        c.detection_records = 3;
        c.events_per_report = 100;
    } else {
        c.choices_file = "/tmp/c";
        c.choice_records = 5;
        c.choice_seed = 9;
        c.random_seed = 11;
        c.pools.alice_to_bob = SecretBits(20);
        c.pools.bob_to_alice = SecretBits(20);
        c.pools.alice_to_bob.reveal_mutable()[0] = 0xA5;
        c.pools.bob_to_alice.reveal_mutable()[2] = 0xF0;  // the last byte: only its first 4 bits count
    }
    return c;
}

TEST(ShimConfig, RoundTripsEveryRole) {
    for (auto role : {wire::Role::alice, wire::Role::bob, wire::Role::charlie}) {
        const Config c = sample_config(role);
        auto back = parse_config(config_json(c).dump(), "c.json");
        ASSERT_TRUE(back) << back.error().to_string();
        EXPECT_EQ(back->role, role);
        EXPECT_EQ(back->session_id, 77U);
        EXPECT_EQ(back->params, c.params);
        EXPECT_EQ(back->timeout_ms, 1500U);
        if (role == wire::Role::charlie) {
            EXPECT_EQ(back->detection_records, 3U);
            EXPECT_EQ(back->events_per_report, 100U);
        } else {
            EXPECT_EQ(back->choice_seed, 9U);
            EXPECT_EQ(back->pools.alice_to_bob.size(), 20U);
            EXPECT_EQ(back->pools.alice_to_bob.reveal()[0], 0xA5);
            EXPECT_EQ(back->pools.bob_to_alice.reveal()[2], 0xF0);
        }
    }
}

TEST(ShimConfig, RefusesBadFilesNamingFileAndField) {
    const auto base = config_json(sample_config(wire::Role::alice));
    struct Case {
        const char* what;
        std::function<void(nlohmann::ordered_json&)> change;
        const char* says;
    };
    const Case cases[] = {
        {"format", [](auto& j) { j["format"] = "tfqkd-shim-config/9"; }, "format is \"tfqkd-shim-config/9\""},
        {"role", [](auto& j) { j["role"] = "eve"; }, "role is \"eve\"; accepted: alice, bob, charlie"},
        {"unknown field", [](auto& j) { j["colour"] = 1; }, "colour is not a field"},
        {"missing pools", [](auto& j) { j.erase("pools"); }, "pools is missing"},
        {"short pool", [](auto& j) { j["pools"]["alice_to_bob"] = "00"; }, "pools.alice_to_bob holds 1 bytes"},
        {"params", [](auto& j) { j["session_params"] = "00"; }, "session_params does not decode"},
        {"timeout", [](auto& j) { j["timeout_ms"] = 0; }, "timeout_ms must be from 1"},
        {"negative seed", [](auto& j) { j["choices"]["choice_seed"] = -1; }, "choices.choice_seed must be an integer"},
    };
    for (const auto& c : cases) {
        auto j = base;
        c.change(j);
        auto r = parse_config(j.dump(), "cfg.json");
        ASSERT_FALSE(r) << c.what;
        EXPECT_NE(r.error().detail.find("cfg.json"), std::string::npos) << r.error().detail;
        EXPECT_NE(r.error().detail.find(c.says), std::string::npos) << c.what << ": " << r.error().detail;
    }
    EXPECT_FALSE(parse_config("[1]", "x.json"));
    EXPECT_FALSE(parse_config("{\"format\": ", "x.json"));
}

TEST(ShimFiles, ChoicesAndDetectionsRoundTripAndRefuseBadRecords) {
    const std::string choices = temp_path("choices"), detections = temp_path("detections");
    const std::vector<SlotRecord> records{{3, 1, 0, 7}, {9, 4, 1, 65535}, {1ULL << 40, 0, 0, 0}};
    ASSERT_TRUE(write_choices(choices, records));
    auto back = read_choices(choices, 3);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, records);
    auto wrong_count = read_choices(choices, 4);
    ASSERT_FALSE(wrong_count);
    EXPECT_NE(wrong_count.error().detail.find("holds 3 records; the config says 4"), std::string::npos);

    const std::vector<party::Detection> clicks{{5, wire::DetectionReport::Click::left}, {6, wire::DetectionReport::Click::both}};
    ASSERT_TRUE(write_detections(detections, clicks));
    auto got = read_detections(detections, 2);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), 2U);
    EXPECT_EQ((*got)[1].slot, 6U);
    EXPECT_EQ((*got)[1].click, wire::DetectionReport::Click::both);

    // Slots out of order, a bad click, a reserved byte set, a torn record.
    const auto patch = [](const std::string& path, std::size_t at, unsigned char value) {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(at));
        f.put(static_cast<char>(value));
    };
    ASSERT_TRUE(write_detections(detections, {{5, wire::DetectionReport::Click::left}, {4, wire::DetectionReport::Click::left}}));
    auto order = read_detections(detections, 2);
    ASSERT_FALSE(order);
    EXPECT_NE(order.error().detail.find("record 1.slot slots must increase strictly"), std::string::npos) << order.error().detail;
    ASSERT_TRUE(write_detections(detections, clicks));
    patch(detections, 8, 7);
    auto click = read_detections(detections, 2);
    ASSERT_FALSE(click);
    EXPECT_NE(click.error().detail.find("record 0.click"), std::string::npos);
    ASSERT_TRUE(write_choices(choices, records));
    patch(choices, 16 + 13, 1);
    auto reserved = read_choices(choices, 3);
    ASSERT_FALSE(reserved);
    EXPECT_NE(reserved.error().detail.find("record 1.reserved must be zero"), std::string::npos);
    std::filesystem::resize_file(choices, 40);
    auto torn = read_choices(choices, 3);
    ASSERT_FALSE(torn);
    EXPECT_NE(torn.error().detail.find("not a whole number of 16-byte records"), std::string::npos);
    EXPECT_FALSE(read_choices(temp_path("missing"), 0));
    std::remove(choices.c_str());
    std::remove(detections.c_str());
}

TEST(ShimOutcome, RoundTripsAndRefusesContradictions) {
    Outcome done;
    done.role = wire::Role::bob;
    done.done = true;
    done.key_bits = 1776;
    done.key_sha256 = std::string(64, 'a');
    done.metadata.session_id = 5;
    done.metadata.block_id = 1;
    done.metadata.length_bits = 1776;
    done.metadata.epsilon.secrecy = 2e-10;
    done.claim = nlohmann::json{{"counts", {{"key", {{"effective", 10}}}}}};
    auto back = parse_outcome(outcome_json(done).dump(), "o.json");
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_TRUE(back->done);
    EXPECT_EQ(back->metadata, done.metadata);
    EXPECT_EQ(back->key_sha256, done.key_sha256);
    ASSERT_TRUE(back->claim);

    Outcome aborted;
    aborted.role = wire::Role::alice;
    aborted.reason = "authentication_failed";
    aborted.detail = "tag";
    auto a = parse_outcome(outcome_json(aborted).dump(), "o.json");
    ASSERT_TRUE(a);
    EXPECT_FALSE(a->done);
    EXPECT_EQ(a->reason, "authentication_failed");

    auto bad_reason = outcome_json(aborted);
    bad_reason["abort"]["reason"] = "tired";
    auto r = parse_outcome(bad_reason.dump(), "o.json");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("abort.reason is \"tired\""), std::string::npos);
    auto with_key = outcome_json(aborted);
    with_key["key"] = outcome_json(done)["key"];
    auto k = parse_outcome(with_key.dump(), "o.json");
    ASSERT_FALSE(k);
    EXPECT_NE(k.error().detail.find("an aborted party has no key"), std::string::npos);
    auto short_digest = outcome_json(done);
    short_digest["key"]["sha256"] = "abc";
    EXPECT_FALSE(parse_outcome(short_digest.dump(), "o.json"));
    EXPECT_EQ(reason_from_name("decode_error"), wire::Abort::Reason::decode_error);
    EXPECT_FALSE(reason_from_name("nope"));
}

}  // namespace
}  // namespace tfqkd::conformance::shim
